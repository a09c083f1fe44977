package rest

import (
	"encoding/json"

	"github.com/passportbridge/passport/oneroster"
)

// dateTimeLayout renders dateLastModified with milliseconds and Z, which
// Moodle's parser needs.
const dateTimeLayout = "2006-01-02T15:04:05.000Z"

// version is a served OneRoster version.
type version struct {
	name   string // "1.1" or "1.2"
	base   string // rostering base path
	gbBase string // gradebook base path
	// resBase is the resources service base path.
	resBase string
	// legacyUser adds the 1.1 role and orgs to 1.2 users.
	legacyUser bool
}

var (
	v11 = version{name: "1.1", base: "/ims/oneroster/v1p1", gbBase: "/ims/oneroster/v1p1", resBase: "/ims/oneroster/v1p1"}
	v12 = version{name: "1.2", base: "/ims/oneroster/rostering/v1p2", gbBase: "/ims/oneroster/gradebook/v1p2", resBase: "/ims/oneroster/resources/v1p2"}
)

// guidRef is a OneRoster GUIDRef.
type guidRef struct {
	Href      string `json:"href"`
	SourcedID string `json:"sourcedId"`
	Type      string `json:"type"`
}

func (v version) ref(coll, typ, id string) *guidRef {
	if id == "" {
		return nil
	}
	return &guidRef{Href: v.base + "/" + coll + "/" + id, SourcedID: id, Type: typ}
}

func (v version) refs(coll, typ string, ids []string) []guidRef {
	out := make([]guidRef, 0, len(ids))
	for _, id := range ids {
		out = append(out, *v.ref(coll, typ, id))
	}
	return out
}

// obj is a JSON object under construction; absent optional values are
// left out.
type obj map[string]any

func (o obj) opt(k, v string) {
	if v != "" {
		o[k] = v
	}
}

func (o obj) list(k string, v []string) {
	if len(v) > 0 {
		o[k] = v
	}
}

func base(b oneroster.Base) obj {
	o := obj{"sourcedId": b.SourcedID, "status": string(b.Status), "dateLastModified": b.DateLastModified.UTC().Format(dateTimeLayout)}
	if len(b.Metadata) > 0 {
		o["metadata"] = b.Metadata
	}
	return o
}

// render returns the JSON object a record is served as in version v.
// children maps an org or session to its children (may be nil).
func (v version) render(e oneroster.Entity, children map[string][]string) obj {
	switch r := e.(type) {
	case *oneroster.Org:
		o := base(r.Base)
		o["name"] = r.Name
		o["type"] = r.Type
		if v.name == v11.name {
			o["type"] = oneroster.LowerExt(r.Type, oneroster.OrgTypes11, "local")
		}
		o.opt("identifier", r.Identifier)
		if p := v.ref("orgs", "org", r.Parent); p != nil {
			o["parent"] = p
		}
		if c := children[r.SourcedID]; len(c) > 0 {
			o["children"] = v.refs("orgs", "org", c)
		}
		return o
	case *oneroster.AcademicSession:
		o := base(r.Base)
		o["title"] = r.Title
		o["type"] = r.Type
		if v.name == v11.name {
			o["type"] = oneroster.LowerExt(r.Type, oneroster.SessionTypes11, "term")
		}
		o["startDate"] = r.StartDate
		o["endDate"] = r.EndDate
		o["schoolYear"] = r.SchoolYear
		if p := v.ref("academicSessions", "academicSession", r.Parent); p != nil {
			o["parent"] = p
		}
		if c := children[r.SourcedID]; len(c) > 0 {
			o["children"] = v.refs("academicSessions", "academicSession", c)
		}
		return o
	case *oneroster.Course:
		o := base(r.Base)
		o["title"] = r.Title
		o.opt("courseCode", r.CourseCode)
		o.list("grades", r.Grades)
		o.list("subjects", r.Subjects)
		o.list("subjectCodes", r.SubjectCodes)
		if p := v.ref("academicSessions", "academicSession", r.SchoolYear); p != nil {
			o["schoolYear"] = p
		}
		o["org"] = v.ref("orgs", "org", r.Org)
		return o
	case *oneroster.Class:
		o := base(r.Base)
		o["title"] = r.Title
		o.opt("classCode", r.ClassCode)
		o["classType"] = r.ClassType
		o.opt("location", r.Location)
		o.list("grades", r.Grades)
		o.list("subjects", r.Subjects)
		o.list("subjectCodes", r.SubjectCodes)
		o.list("periods", r.Periods)
		o["course"] = v.ref("courses", "course", r.Course)
		o["school"] = v.ref("orgs", "org", r.School)
		o["terms"] = v.refs("academicSessions", "academicSession", r.Terms)
		return o
	case *oneroster.User:
		return v.renderUser(r)
	case *oneroster.Enrollment:
		o := base(r.Base)
		o["user"] = v.ref("users", "user", r.User)
		o["class"] = v.ref("classes", "class", r.Class)
		o["school"] = v.ref("orgs", "org", r.School)
		o["role"] = r.Role
		o["primary"] = r.Primary
		o.opt("beginDate", r.BeginDate)
		o.opt("endDate", r.EndDate)
		return o
	case *oneroster.Category:
		o := base(r.Base)
		o["title"] = r.Title
		if r.Weight != nil && v.name == v12.name {
			o["weight"] = *r.Weight
		}
		return o
	case *oneroster.LineItem:
		o := base(r.Base)
		o["title"] = r.Title
		o.opt("description", r.Description)
		o["assignDate"] = r.AssignDate
		o["dueDate"] = r.DueDate
		o["class"] = v.ref("classes", "class", r.Class)
		o["category"] = &guidRef{Href: v.gbBase + "/categories/" + r.Category, SourcedID: r.Category, Type: "category"}
		if v.name == v11.name {
			if p := v.ref("academicSessions", "academicSession", r.Session); p != nil {
				o["gradingPeriod"] = p
			}
		} else {
			if p := v.ref("academicSessions", "academicSession", r.Session); p != nil {
				o["academicSession"] = p
			}
			if p := v.ref("orgs", "org", r.School); p != nil {
				o["school"] = p
			}
		}
		if r.ResultValueMin != nil {
			o["resultValueMin"] = *r.ResultValueMin
		}
		if r.ResultValueMax != nil {
			o["resultValueMax"] = *r.ResultValueMax
		}
		v.scale(o, children[r.SourcedID])
		return o
	case *oneroster.Result:
		o := base(r.Base)
		o["lineItem"] = &guidRef{Href: v.gbBase + "/lineItems/" + r.LineItem, SourcedID: r.LineItem, Type: "lineItem"}
		o["student"] = v.ref("users", "user", r.Student)
		if p := v.ref("classes", "class", r.Class); p != nil && v.name == v12.name {
			o["class"] = p
		}
		o["scoreStatus"] = r.ScoreStatus
		if r.Score != nil {
			o["score"] = *r.Score
		}
		if v.name == v12.name {
			o.opt("textScore", r.TextScore)
		}
		o["scoreDate"] = r.ScoreDate
		o.opt("comment", r.Comment)
		v.scale(o, children[r.SourcedID])
		return o
	case *oneroster.ScoreScale:
		o := base(r.Base)
		o["title"] = r.Title
		o["type"] = r.Type
		if p := v.ref("classes", "class", r.Class); p != nil {
			o["class"] = p
		}
		if p := v.ref("courses", "course", r.Course); p != nil {
			o["course"] = p
		}
		if p := v.ref("orgs", "org", r.Org); p != nil {
			o["school"] = p
		}
		vals := make([]obj, 0, len(r.Values))
		for _, sv := range r.Values {
			vals = append(vals, obj{"itemValueLHS": sv.ItemValueLHS, "itemValueRHS": sv.ItemValueRHS})
		}
		o["scoreScaleValue"] = vals
		return o
	case *oneroster.Resource:
		o := base(r.Base)
		o.opt("title", r.Title)
		roles := r.Roles
		if v.name == v11.name {
			roles = make([]string, len(r.Roles))
			for i, role := range r.Roles {
				roles[i] = oneroster.Role11(role)
			}
		}
		o.list("roles", roles)
		o.opt("importance", r.Importance)
		o["vendorResourceId"] = r.VendorResourceID
		o.opt("vendorId", r.VendorID)
		o.opt("applicationId", r.ApplicationID)
		return o
	case *oneroster.Demographics:
		o := base(r.Base)
		o.opt("birthDate", r.BirthDate)
		o.opt("sex", r.Sex)
		for k, val := range map[string]string{
			"americanIndianOrAlaskaNative": r.AmericanIndianOrAlaskaNative, "asian": r.Asian,
			"blackOrAfricanAmerican": r.BlackOrAfricanAmerican, "nativeHawaiianOrOtherPacificIslander": r.NativeHawaiianOrOtherPacificIslander,
			"white": r.White, "demographicRaceTwoOrMoreRaces": r.DemographicRaceTwoOrMoreRaces,
			"hispanicOrLatinoEthnicity": r.HispanicOrLatinoEthnicity, "countryOfBirthCode": r.CountryOfBirth,
			"stateOfBirthAbbreviation": r.StateOfBirthAbbr, "cityOfBirth": r.CityOfBirth,
			"publicSchoolResidenceStatus": r.PublicSchoolResidenceStatus,
		} {
			o.opt(k, val)
		}
		return o
	}
	return v.renderAssessment(e)
}

// scale adds a 1.2 line item's or result's scoreScale reference (the first
// of its links).
func (v version) scale(o obj, scales []string) {
	if v.name == v12.name && len(scales) > 0 {
		o["scoreScale"] = &guidRef{Href: v.gbBase + "/scoreScales/" + scales[0], SourcedID: scales[0], Type: "scoreScale"}
	}
}

func (v version) renderUser(r *oneroster.User) obj {
	o := base(r.Base)
	o["enabledUser"] = r.EnabledUser
	o["username"] = r.Username
	ids := make([]obj, 0, len(r.UserIDs))
	for _, id := range r.UserIDs {
		ids = append(ids, obj{"type": id.Type, "identifier": id.Identifier})
	}
	o["userIds"] = ids
	o["givenName"] = r.GivenName
	o["familyName"] = r.FamilyName
	o.opt("middleName", r.MiddleName)
	o.opt("identifier", r.Identifier)
	if v.name == v11.name && r.Identifier == "" {
		// Moodle's 1.1 client makes lowercase(identifier) the username: never
		// serve it empty (fall back to username, then sourcedId).
		o["identifier"] = r.Username
		if r.Username == "" {
			o["identifier"] = r.SourcedID
		}
	}
	o.opt("email", r.Email)
	o.opt("sms", r.SMS)
	o.opt("phone", r.Phone)
	o["agents"] = v.refs("users", "user", r.Agents)
	o.list("grades", r.Grades)
	if v.name == v11.name {
		o["role"] = oneroster.Role11(r.Role)
		o["orgs"] = v.refs("orgs", "org", r.Orgs)
		return o
	}
	if v.legacyUser {
		o["role"] = r.Role
		o["orgs"] = v.refs("orgs", "org", r.Orgs)
	}
	o.opt("userMasterIdentifier", r.MasterIdentifier)
	o.opt("preferredFirstName", r.PreferredGivenName)
	o.opt("preferredMiddleName", r.PreferredMiddleName)
	o.opt("preferredLastName", r.PreferredFamilyName)
	o.opt("pronouns", r.Pronouns)
	roles := make([]obj, 0, len(r.Roles)+1)
	for _, ra := range r.Roles {
		ro := obj{"roleType": ra.RoleType, "role": ra.Role, "org": v.ref("orgs", "org", ra.Org)}
		ro.opt("userProfile", ra.UserProfile)
		ro.opt("beginDate", ra.BeginDate)
		ro.opt("endDate", ra.EndDate)
		roles = append(roles, ro)
	}
	if len(r.Roles) == 0 && r.Role != "" {
		// A 1.1 import: its role at each org, the first one primary.
		for i, org := range r.Orgs {
			rt := "secondary"
			if i == 0 {
				rt = "primary"
			}
			roles = append(roles, obj{"roleType": rt, "role": r.Role, "org": v.ref("orgs", "org", org)})
		}
	}
	o["roles"] = roles
	primary := r.PrimaryOrg
	if primary == "" && len(r.Orgs) > 0 {
		primary = r.Orgs[0]
	}
	if p := v.ref("orgs", "org", primary); p != nil {
		o["primaryOrg"] = p
	}
	profs := make([]obj, 0, len(r.Profiles))
	for _, p := range r.Profiles {
		po := obj{"profileId": p.SourcedID, "profileType": p.ProfileType, "vendorId": p.VendorID, "credentials": []any{}}
		po.opt("applicationId", p.ApplicationID)
		po.opt("description", p.Description)
		if p.Username != "" {
			po["credentials"] = []obj{{"type": p.CredentialType, "username": p.Username}}
		}
		profs = append(profs, po)
	}
	o["userProfiles"] = profs
	return o
}

// encode returns the object's served JSON bytes.
func encode(o obj) (obj, []byte, error) {
	raw, err := json.Marshal(o)
	return o, raw, err
}

// generic returns the object as plain JSON values (map[string]any, []any,
// string, float64, bool) for filtering and sorting.
func generic(o obj) (map[string]any, []byte, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, err
	}
	return m, raw, nil
}

// fieldsOf lists the fields a collection accepts in filter, sort and
// fields: every top-level key and the dotted keys of references.
var fieldsOf = map[oneroster.Kind][]string{
	oneroster.KindOrg:             {"name", "type", "identifier", "parent", "parent.sourcedId", "children", "children.sourcedId"},
	oneroster.KindAcademicSession: {"title", "type", "startDate", "endDate", "schoolYear", "parent", "parent.sourcedId", "children", "children.sourcedId"},
	oneroster.KindCourse:          {"title", "courseCode", "grades", "subjects", "subjectCodes", "schoolYear", "schoolYear.sourcedId", "org", "org.sourcedId"},
	oneroster.KindClass:           {"title", "classCode", "classType", "location", "grades", "subjects", "subjectCodes", "periods", "course", "course.sourcedId", "school", "school.sourcedId", "terms", "terms.sourcedId"},
	oneroster.KindUser: {
		"enabledUser", "username", "userIds", "userIds.type", "userIds.identifier", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
		"agents", "agents.sourcedId", "grades", "role", "orgs", "orgs.sourcedId", "userMasterIdentifier", "preferredFirstName", "preferredMiddleName", "preferredLastName",
		"pronouns", "roles", "roles.role", "roles.roleType", "roles.org.sourcedId", "primaryOrg", "primaryOrg.sourcedId", "userProfiles",
	},
	oneroster.KindEnrollment: {"user", "user.sourcedId", "class", "class.sourcedId", "school", "school.sourcedId", "role", "primary", "beginDate", "endDate"},
	oneroster.KindCategory:   {"title", "weight"},
	oneroster.KindLineItem: {
		"title", "description", "assignDate", "dueDate", "class", "class.sourcedId", "category", "category.sourcedId",
		"gradingPeriod", "gradingPeriod.sourcedId", "academicSession", "academicSession.sourcedId", "school", "school.sourcedId", "resultValueMin", "resultValueMax",
		"scoreScale", "scoreScale.sourcedId",
	},
	oneroster.KindResult: {
		"lineItem", "lineItem.sourcedId", "student", "student.sourcedId", "class", "class.sourcedId", "scoreStatus", "score", "textScore", "scoreDate", "comment",
		"scoreScale", "scoreScale.sourcedId",
	},
	oneroster.KindScoreScale: {
		"title", "type", "class", "class.sourcedId", "course", "course.sourcedId", "school", "school.sourcedId",
		"scoreScaleValue", "scoreScaleValue.itemValueLHS", "scoreScaleValue.itemValueRHS",
	},
	oneroster.KindAssessmentLineItem: arpLineItemFields,
	oneroster.KindAssessmentResult:   arpResultFields,
	oneroster.KindResource:           {"title", "roles", "importance", "vendorResourceId", "vendorId", "applicationId"},
	oneroster.KindDemographics:       {"birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"},
}

// knownField reports whether a field may be named for a kind.
func knownField(k oneroster.Kind) func(string) bool {
	set := map[string]bool{"sourcedId": true, "status": true, "dateLastModified": true, "metadata": true}
	for _, f := range fieldsOf[k] {
		set[f] = true
	}
	return func(f string) bool {
		if set[f] {
			return true
		}
		// metadata.* extension fields
		return len(f) > len("metadata.") && f[:len("metadata.")] == "metadata."
	}
}

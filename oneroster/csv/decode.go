package csv

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/passportbridge/passport/oneroster"
)

// row is one data row being decoded: its fields by spec column name, and the
// problems found so far.
type row struct {
	version string
	file    string
	mode    Mode
	strict  bool
	cols    map[string]int
	fields  []string
	errs    []string
	warns   []string
}

func (r *row) get(c string) string {
	i, ok := r.cols[c]
	if !ok {
		return ""
	}
	return r.fields[i]
}

func (r *row) fail(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }

// field names the column a problem message is about (messages start with
// the column name), or "".
func (r *row) field(msg string) string {
	name, _, _ := strings.Cut(msg, " ")
	if _, ok := r.cols[name]; ok {
		return name
	}
	return ""
}
func (r *row) warn(f string, a ...any) { r.warns = append(r.warns, fmt.Sprintf(f, a...)) }

func (r *row) required(c string) string {
	v := r.get(c)
	if v == "" {
		r.fail("%s is required", c)
	}
	return v
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// date checks an optional YYYY-MM-DD date.
func (r *row) date(c string, required bool) string {
	v := r.get(c)
	if v == "" {
		if required {
			r.fail("%s is required", c)
		}
		return ""
	}
	if !dateRE.MatchString(v) {
		r.fail("%s must be a date YYYY-MM-DD, got %q", c, v)
		return ""
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		r.fail("%s is not a valid date: %q", c, v)
		return ""
	}
	return v
}

// datetime parses an ISO 8601 UTC datetime; a date-only value is a lenient
// parse (midnight UTC).
func (r *row) datetime(c string, required bool) time.Time {
	v := r.get(c)
	if v == "" {
		if required {
			r.fail("%s is required", c)
		}
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC()
	}
	if dateRE.MatchString(v) {
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			if r.strict {
				r.fail("%s must be a datetime like 2024-01-31T10:00:00.000Z, got date %q", c, v)
				return time.Time{}
			}
			r.warn("%s is a date, read as midnight UTC", c)
			return t
		}
	}
	r.fail("%s must be an ISO 8601 datetime like 2024-01-31T10:00:00.000Z, got %q", c, v)
	return time.Time{}
}

func (r *row) boolean(c string, required bool) bool {
	v := r.get(c)
	switch v {
	case "true":
		return true
	case "false":
		return false
	case "":
		if required {
			r.fail("%s is required", c)
		}
		return false
	}
	if strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
		if r.strict {
			r.fail("%s must be true or false, got %q", c, v)
			return false
		}
		r.warn("%s %q read as %s", c, v, strings.ToLower(v))
		return strings.EqualFold(v, "true")
	}
	r.fail("%s must be true or false, got %q", c, v)
	return false
}

func (r *row) vocab(c string, vocab map[string]bool, required bool) string {
	v := r.get(c)
	if v == "" {
		if required {
			r.fail("%s is required", c)
		}
		return ""
	}
	if !inVocab(r.version, vocab, v) {
		r.fail("%s %q is not in the vocabulary", c, v)
	}
	return v
}

// list splits a multi-value field on commas, trimming whitespace.
func (r *row) list(c string) []string {
	v := r.get(c)
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	out := parts[:0]
	empty := false
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		} else {
			empty = true
		}
	}
	if empty { // "a,,b" or a trailing comma: an item is missing
		if r.strict {
			r.fail("%s %q has an empty item", c, v)
		} else {
			r.warn("%s %q: empty items dropped", c, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (r *row) grades(c string) []string {
	gs := r.list(c)
	for i, g := range gs {
		if gradeCodes[g] || (r.version == V12 && strings.HasPrefix(g, "ext:")) {
			continue
		}
		if n, err := strconv.Atoi(g); err == nil && n >= 1 && n <= 13 && len(g) == 1 {
			if r.strict {
				r.fail("%s %q is not a CEDS grade code (use %02d)", c, g, n)
				continue
			}
			r.warn("%s %q read as %02d", c, g, n)
			gs[i] = fmt.Sprintf("%02d", n)
			continue
		}
		r.fail("%s %q is not a CEDS grade code", c, g)
	}
	return gs
}

var yearRE = regexp.MustCompile(`^\d{4}$`)

// decimal parses an optional decimal number.
func (r *row) decimal(c string, required bool) *float64 {
	v := r.get(c)
	if v == "" {
		if required {
			r.fail("%s is required", c)
		}
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || strings.ContainsAny(v, "xXpPeEinfINFaA_") {
		r.fail("%s must be a decimal number, got %q", c, v)
		return nil
	}
	return &f
}

// userIDs parses "{type:id},{type:id}".
func (r *row) userIDs(c string) []oneroster.UserID {
	v := r.get(c)
	if v == "" {
		return nil
	}
	var out []oneroster.UserID
	for _, item := range r.list(c) {
		if len(item) < 3 || item[0] != '{' || item[len(item)-1] != '}' {
			r.fail("%s item %q must look like {type:identifier}", c, item)
			continue
		}
		typ, id, ok := strings.Cut(item[1:len(item)-1], ":")
		if !ok || strings.TrimSpace(typ) == "" || strings.TrimSpace(id) == "" {
			r.fail("%s item %q must look like {type:identifier}", c, item)
			continue
		}
		out = append(out, oneroster.UserID{Type: strings.TrimSpace(typ), Identifier: strings.TrimSpace(id)})
	}
	return out
}

// scaleValues parses a score scale's "{lhs:rhs},{lhs:rhs}" values; at least
// one is required.
func (r *row) scaleValues(c string) []oneroster.ScoreScaleValue {
	items := r.list(c)
	if len(items) == 0 {
		r.fail("%s is required", c)
		return nil
	}
	out := make([]oneroster.ScoreScaleValue, 0, len(items))
	for _, item := range items {
		if len(item) < 3 || item[0] != '{' || item[len(item)-1] != '}' {
			r.fail("%s item %q must look like {itemValueLHS:itemValueRHS}", c, item)
			continue
		}
		lhs, rhs, ok := strings.Cut(item[1:len(item)-1], ":")
		if !ok || strings.TrimSpace(lhs) == "" {
			r.fail("%s item %q must look like {itemValueLHS:itemValueRHS}", c, item)
			continue
		}
		out = append(out, oneroster.ScoreScaleValue{ItemValueLHS: strings.TrimSpace(lhs), ItemValueRHS: strings.TrimSpace(rhs)})
	}
	return out
}

// guidRE is a OneRoster GUID: 1 to 255 characters from 0-9 A-Z a-z . - _ / @
// (the rule of LongsightGroup's validator and of Moodle's CSV client).
var guidRE = regexp.MustCompile(`^[0-9A-Za-z._/@-]{1,255}$`)

// guid checks a sourcedId or a reference: an error when strict, else a
// warning (Moodle's CSV client refuses such ids).
func (r *row) guid(c, v string) {
	if v == "" || guidRE.MatchString(v) {
		return
	}
	if r.strict {
		r.fail("%s %q is not a OneRoster GUID (1-255 of 0-9 A-Z a-z . - _ / @)", c, v)
		return
	}
	r.warn("%s %q is not a OneRoster GUID (1-255 of 0-9 A-Z a-z . - _ / @); strict consumers refuse it", c, v)
}

// base decodes sourcedId, status and dateLastModified. It reports whether
// the row is a deletion (status tobedeleted), whose other fields are ignored.
func (r *row) base() (oneroster.Base, bool) {
	b := oneroster.Base{SourcedID: r.get("sourcedId")}
	if b.SourcedID == "" {
		r.fail("sourcedId is required")
	}
	r.guid("sourcedId", b.SourcedID)
	st := r.get("status")
	errs := len(r.errs)
	defer func() {
		// Bulk files leave both blank: LongsightGroup's validator, which
		// passes the official 1.2.1 cases, refuses a value there. Reported
		// only when the values are otherwise valid.
		if r.mode == Bulk && r.strict && len(r.errs) == errs && (st != "" || r.get("dateLastModified") != "") {
			r.fail("status and dateLastModified must be blank in a bulk file")
		}
	}()
	switch st {
	case "":
		if r.mode == Delta {
			r.fail("status is required in a delta file")
		}
		b.Status = oneroster.StatusActive
	case "active", "tobedeleted":
		b.Status = oneroster.Status(st)
	case "inactive":
		if r.strict {
			r.fail("status %q must be active or tobedeleted", st)
		} else {
			r.warn("status inactive read as active")
		}
		b.Status = oneroster.StatusActive
	default:
		r.fail("status %q must be active or tobedeleted", st)
	}
	b.DateLastModified = r.datetime("dateLastModified", r.mode == Delta)
	return b, b.Status == oneroster.StatusToBeDeleted
}

// decoded is one decoded data row.
type decoded struct {
	entity oneroster.Entity // nil for roles/userProfiles rows
	role   *roleRow
	prof   *profileRow
	// refs are the row's references: kind → sourcedIds, with the column.
	refs []ref
}

type ref struct {
	kind   oneroster.Kind
	id     string
	column string
}

type roleRow struct {
	id, user string
	deleted  bool
	ra       oneroster.RoleAssignment
}

type profileRow struct {
	id, user string
	deleted  bool
	up       oneroster.UserProfile
}

// decodeRow decodes and checks one row of a roster file in isolation.
func (r *row) decode() decoded {
	b, deleted := r.base()
	var d decoded
	addRef := func(k oneroster.Kind, col string, ids ...string) {
		for _, id := range ids {
			if id != "" {
				r.guid(col, id)
				d.refs = append(d.refs, ref{kind: k, id: id, column: col})
			}
		}
	}
	switch r.file {
	case "orgs":
		o := &oneroster.Org{Base: b}
		d.entity = o
		if deleted {
			break
		}
		o.Name = r.required("name")
		o.Type = r.vocab("type", orgTypes, true)
		o.Identifier = r.get("identifier")
		o.Parent = r.get("parentSourcedId")
		if o.Parent == b.SourcedID && o.Parent != "" {
			r.fail("parentSourcedId refers to the org itself")
		}
		addRef(oneroster.KindOrg, "parentSourcedId", o.Parent)
	case "academicSessions":
		s := &oneroster.AcademicSession{Base: b}
		d.entity = s
		if deleted {
			break
		}
		s.Title = r.required("title")
		s.Type = r.vocab("type", sessionTypes, true)
		s.StartDate = r.date("startDate", true)
		s.EndDate = r.date("endDate", true)
		if s.StartDate != "" && s.EndDate != "" && s.EndDate < s.StartDate {
			r.fail("endDate %s is before startDate %s", s.EndDate, s.StartDate)
		}
		s.Parent = r.get("parentSourcedId")
		if s.Parent == b.SourcedID && s.Parent != "" {
			r.fail("parentSourcedId refers to the session itself")
		}
		s.SchoolYear = r.required("schoolYear")
		if s.SchoolYear != "" && !yearRE.MatchString(s.SchoolYear) {
			r.fail("schoolYear must be a 4-digit year, got %q", s.SchoolYear)
		}
		addRef(oneroster.KindAcademicSession, "parentSourcedId", s.Parent)
	case "courses":
		c := &oneroster.Course{Base: b}
		d.entity = c
		if deleted {
			break
		}
		c.SchoolYear = r.get("schoolYearSourcedId")
		c.Title = r.required("title")
		c.CourseCode = r.get("courseCode")
		c.Grades = r.grades("grades")
		c.Org = r.required("orgSourcedId")
		c.Subjects = r.list("subjects")
		c.SubjectCodes = r.list("subjectCodes")
		addRef(oneroster.KindAcademicSession, "schoolYearSourcedId", c.SchoolYear)
		addRef(oneroster.KindOrg, "orgSourcedId", c.Org)
	case "classes":
		c := &oneroster.Class{Base: b}
		d.entity = c
		if deleted {
			break
		}
		c.Title = r.required("title")
		c.Grades = r.grades("grades")
		c.Course = r.required("courseSourcedId")
		c.ClassCode = r.get("classCode")
		c.ClassType = r.vocab("classType", classTypes, true)
		c.Location = r.get("location")
		c.School = r.required("schoolSourcedId")
		c.Terms = r.list("termSourcedIds")
		if len(c.Terms) == 0 {
			r.fail("termSourcedIds is required")
		}
		c.Subjects = r.list("subjects")
		c.SubjectCodes = r.list("subjectCodes")
		c.Periods = r.list("periods")
		addRef(oneroster.KindCourse, "courseSourcedId", c.Course)
		addRef(oneroster.KindOrg, "schoolSourcedId", c.School)
		addRef(oneroster.KindAcademicSession, "termSourcedIds", c.Terms...)
	case "users":
		u := &oneroster.User{Base: b}
		d.entity = u
		if deleted {
			break
		}
		u.EnabledUser = r.boolean("enabledUser", true)
		u.UserIDs = r.userIDs("userIds")
		u.GivenName = r.required("givenName")
		u.FamilyName = r.required("familyName")
		u.MiddleName = r.get("middleName")
		u.Identifier = r.get("identifier")
		u.Email = r.get("email")
		u.SMS = r.get("sms")
		u.Phone = r.get("phone")
		u.Agents = r.list("agentSourcedIds")
		u.Grades = r.grades("grades")
		if r.version == V11 {
			u.Orgs = r.list("orgSourcedIds")
			if len(u.Orgs) == 0 {
				r.fail("orgSourcedIds is required")
			}
			u.Role = r.vocab("role", userRoles11, true)
			u.Username = r.required("username")
		} else {
			u.Username = r.get("username")
			u.MasterIdentifier = r.get("userMasterIdentifier")
			u.PreferredGivenName = r.get("preferredGivenName")
			u.PreferredMiddleName = r.get("preferredMiddleName")
			u.PreferredFamilyName = r.get("preferredFamilyName")
			u.PrimaryOrg = r.get("primaryOrgSourcedId")
			u.Pronouns = r.get("pronouns")
			addRef(oneroster.KindOrg, "primaryOrgSourcedId", u.PrimaryOrg)
		}
		for _, a := range u.Agents {
			if a == b.SourcedID {
				r.fail("agentSourcedIds refers to the user itself")
			}
		}
		addRef(oneroster.KindOrg, "orgSourcedIds", u.Orgs...)
		addRef(oneroster.KindUser, "agentSourcedIds", u.Agents...)
	case "demographics":
		dm := &oneroster.Demographics{Base: b}
		d.entity = dm
		addRef(oneroster.KindUser, "sourcedId", b.SourcedID)
		if deleted {
			break
		}
		dm.BirthDate = r.date("birthDate", false)
		sexes := sexes11
		if r.version == V12 {
			sexes = sexes12
		}
		dm.Sex = r.vocab("sex", sexes, false)
		flag := func(c string) string {
			if r.get(c) == "" {
				return ""
			}
			return strconv.FormatBool(r.boolean(c, false))
		}
		dm.AmericanIndianOrAlaskaNative = flag("americanIndianOrAlaskaNative")
		dm.Asian = flag("asian")
		dm.BlackOrAfricanAmerican = flag("blackOrAfricanAmerican")
		dm.NativeHawaiianOrOtherPacificIslander = flag("nativeHawaiianOrOtherPacificIslander")
		dm.White = flag("white")
		dm.DemographicRaceTwoOrMoreRaces = flag("demographicRaceTwoOrMoreRaces")
		dm.HispanicOrLatinoEthnicity = flag("hispanicOrLatinoEthnicity")
		dm.CountryOfBirth = r.get("countryOfBirthCode")
		dm.StateOfBirthAbbr = r.get("stateOfBirthAbbreviation")
		dm.CityOfBirth = r.get("cityOfBirth")
		dm.PublicSchoolResidenceStatus = r.get("publicSchoolResidenceStatus")
	case "enrollments":
		e := &oneroster.Enrollment{Base: b}
		d.entity = e
		if deleted {
			break
		}
		e.Class = r.required("classSourcedId")
		e.School = r.required("schoolSourcedId")
		e.User = r.required("userSourcedId")
		e.Role = r.vocab("role", enrollRoles, true)
		e.Primary = r.boolean("primary", false)
		e.BeginDate = r.date("beginDate", false)
		e.EndDate = r.date("endDate", false)
		if e.BeginDate != "" && e.EndDate != "" && e.EndDate < e.BeginDate {
			r.fail("endDate %s is before beginDate %s", e.EndDate, e.BeginDate)
		}
		addRef(oneroster.KindClass, "classSourcedId", e.Class)
		addRef(oneroster.KindOrg, "schoolSourcedId", e.School)
		addRef(oneroster.KindUser, "userSourcedId", e.User)
	case "categories":
		c := &oneroster.Category{Base: b}
		d.entity = c
		if deleted {
			break
		}
		c.Title = r.required("title")
		if r.version == V12 {
			c.Weight = r.decimal("weight", false)
		}
	case "lineItems":
		li := &oneroster.LineItem{Base: b}
		d.entity = li
		if deleted {
			break
		}
		li.Title = r.required("title")
		li.Description = r.get("description")
		li.AssignDate = r.date("assignDate", true)
		li.DueDate = r.date("dueDate", true)
		li.Class = r.required("classSourcedId")
		li.Category = r.required("categorySourcedId")
		if r.version == V11 {
			li.Session = r.required("gradingPeriodSourcedId")
		} else {
			li.Session = r.get("academicSessionSourcedId")
			li.School = r.get("schoolSourcedId")
		}
		li.ResultValueMin = r.decimal("resultValueMin", r.version == V11)
		li.ResultValueMax = r.decimal("resultValueMax", r.version == V11)
		if li.ResultValueMin != nil && li.ResultValueMax != nil && *li.ResultValueMin > *li.ResultValueMax {
			r.fail("resultValueMin %v is above resultValueMax %v", *li.ResultValueMin, *li.ResultValueMax)
		}
		addRef(oneroster.KindClass, "classSourcedId", li.Class)
		addRef(oneroster.KindCategory, "categorySourcedId", li.Category)
		addRef(oneroster.KindAcademicSession, "academicSessionSourcedId", li.Session)
		addRef(oneroster.KindOrg, "schoolSourcedId", li.School)
	case "results":
		res := &oneroster.Result{Base: b}
		d.entity = res
		if deleted {
			break
		}
		res.LineItem = r.required("lineItemSourcedId")
		res.Student = r.required("studentSourcedId")
		res.ScoreStatus = r.vocab("scoreStatus", scoreStatuses, true)
		res.Score = r.decimal("score", r.version == V11)
		res.ScoreDate = r.date("scoreDate", true)
		res.Comment = r.get("comment")
		if r.version == V12 {
			res.TextScore = r.get("textScore")
			res.Class = r.get("classSourcedId")
			// The 1.2 flags are checked though the model does not keep them.
			for _, flag := range []string{"inProgress", "incomplete", "late", "missing"} {
				r.boolean(flag, false)
			}
			addRef(oneroster.KindClass, "classSourcedId", res.Class)
		}
		addRef(oneroster.KindLineItem, "lineItemSourcedId", res.LineItem)
		addRef(oneroster.KindUser, "studentSourcedId", res.Student)
	case "scoreScales":
		ss := &oneroster.ScoreScale{Base: b}
		d.entity = ss
		if deleted {
			break
		}
		ss.Title = r.required("title")
		ss.Type = r.required("type")
		ss.Org = r.required("orgSourcedId")
		ss.Course = r.get("courseSourcedId")
		ss.Class = r.get("classSourcedId")
		ss.Values = r.scaleValues("scoreScaleValue")
		addRef(oneroster.KindOrg, "orgSourcedId", ss.Org)
		addRef(oneroster.KindCourse, "courseSourcedId", ss.Course)
		addRef(oneroster.KindClass, "classSourcedId", ss.Class)
	case "lineItemScoreScales":
		l := &oneroster.LineItemScoreScale{Base: b}
		d.entity = l
		if deleted {
			break
		}
		l.Title = r.get("title")
		l.LineItem = r.required("lineItemSourcedId")
		l.ScoreScale = r.required("scoreScaleSourcedId")
		addRef(oneroster.KindLineItem, "lineItemSourcedId", l.LineItem)
		addRef(oneroster.KindScoreScale, "scoreScaleSourcedId", l.ScoreScale)
	case "resultScoreScales":
		l := &oneroster.ResultScoreScale{Base: b}
		d.entity = l
		if deleted {
			break
		}
		l.Title = r.get("title")
		l.Result = r.required("resultSourcedId")
		l.ScoreScale = r.required("scoreScaleSourcedId")
		addRef(oneroster.KindResult, "resultSourcedId", l.Result)
		addRef(oneroster.KindScoreScale, "scoreScaleSourcedId", l.ScoreScale)
	case "resources":
		rs := &oneroster.Resource{Base: b}
		d.entity = rs
		if deleted {
			break
		}
		rs.VendorResourceID = r.required("vendorResourceId")
		rs.Title = r.get("title")
		roles := userRoles11
		if r.version == V12 {
			roles = userRoles12
		}
		rs.Roles = r.list("roles")
		for _, role := range rs.Roles {
			if !inVocab(r.version, roles, role) {
				r.fail("roles %q is not in the vocabulary", role)
			}
		}
		rs.Importance = r.vocab("importance", importances, false)
		rs.VendorID = r.get("vendorId")
		rs.ApplicationID = r.get("applicationId")
	case "classResources":
		cr := &oneroster.ClassResource{Base: b}
		d.entity = cr
		if deleted {
			break
		}
		cr.Title = r.get("title")
		cr.Class = r.required("classSourcedId")
		cr.Resource = r.required("resourceSourcedId")
		addRef(oneroster.KindClass, "classSourcedId", cr.Class)
		addRef(oneroster.KindResource, "resourceSourcedId", cr.Resource)
	case "courseResources":
		cr := &oneroster.CourseResource{Base: b}
		d.entity = cr
		if deleted {
			break
		}
		cr.Title = r.get("title")
		cr.Course = r.required("courseSourcedId")
		cr.Resource = r.required("resourceSourcedId")
		addRef(oneroster.KindCourse, "courseSourcedId", cr.Course)
		addRef(oneroster.KindResource, "resourceSourcedId", cr.Resource)
	case "userResources":
		ur := &oneroster.UserResource{Base: b}
		d.entity = ur
		if deleted {
			break
		}
		ur.User = r.required("userSourcedId")
		ur.Org = r.get("orgSourcedId")
		ur.Class = r.get("classSourcedId")
		ur.Resource = r.required("resourceSourcedId")
		addRef(oneroster.KindUser, "userSourcedId", ur.User)
		addRef(oneroster.KindOrg, "orgSourcedId", ur.Org)
		addRef(oneroster.KindClass, "classSourcedId", ur.Class)
		addRef(oneroster.KindResource, "resourceSourcedId", ur.Resource)
	case "roles":
		rr := &roleRow{id: b.SourcedID, user: r.required("userSourcedId"), deleted: deleted}
		d.role = rr
		if deleted {
			break
		}
		rr.ra = oneroster.RoleAssignment{
			SourcedID:   b.SourcedID,
			RoleType:    r.vocab("roleType", roleTypes, true),
			Role:        r.vocab("role", userRoles12, true),
			BeginDate:   r.date("beginDate", false),
			EndDate:     r.date("endDate", false),
			Org:         r.required("orgSourcedId"),
			UserProfile: r.get("userProfileSourcedId"),
		}
		addRef(oneroster.KindOrg, "orgSourcedId", rr.ra.Org)
	case "userProfiles":
		pr := &profileRow{id: b.SourcedID, user: r.required("userSourcedId"), deleted: deleted}
		d.prof = pr
		if deleted {
			break
		}
		pr.up = oneroster.UserProfile{
			SourcedID:      b.SourcedID,
			ProfileType:    r.required("profileType"),
			VendorID:       r.required("vendorId"),
			ApplicationID:  r.get("applicationId"),
			Description:    r.get("description"),
			CredentialType: r.get("credentialType"),
			Username:       r.get("username"),
		}
	}
	return d
}

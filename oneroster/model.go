package oneroster

import (
	"strings"
	"time"
)

// Status is a record's OneRoster status.
type Status string

// The statuses a record may carry. StatusInactive is the 1.0-era value still
// seen in the wild; readers treat it as active.
const (
	StatusActive      Status = "active"
	StatusToBeDeleted Status = "tobedeleted"
	StatusInactive    Status = "inactive"
)

// Kind names a OneRoster collection, spelled as its CSV file and REST path.
type Kind string

// The roster collections Passport Bridge keeps.
const (
	KindOrg             Kind = "orgs"
	KindAcademicSession Kind = "academicSessions"
	KindCourse          Kind = "courses"
	KindClass           Kind = "classes"
	KindUser            Kind = "users"
	KindEnrollment      Kind = "enrollments"
	KindDemographics    Kind = "demographics"
)

// Base holds the fields every record carries.
type Base struct {
	SourcedID        string    `json:"sourcedId"`
	Status           Status    `json:"status"`
	DateLastModified time.Time `json:"dateLastModified"`
	// Metadata holds extension columns (metadata.*) and extension properties.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Org is a school, district, ministry or other organisation.
type Org struct {
	Base
	Name       string `json:"name"`
	Type       string `json:"type"` // department, school, district, local, state, national
	Identifier string `json:"identifier,omitempty"`
	Parent     string `json:"parentSourcedId,omitempty"`
}

// AcademicSession is a school year, term, semester or grading period.
type AcademicSession struct {
	Base
	Title      string `json:"title"`
	Type       string `json:"type"`
	StartDate  string `json:"startDate"` // YYYY-MM-DD
	EndDate    string `json:"endDate"`
	Parent     string `json:"parentSourcedId,omitempty"`
	SchoolYear string `json:"schoolYear"`
}

// Course is a course offered by an org.
type Course struct {
	Base
	Title        string   `json:"title"`
	SchoolYear   string   `json:"schoolYearSourcedId,omitempty"`
	CourseCode   string   `json:"courseCode,omitempty"`
	Grades       []string `json:"grades,omitempty"`
	Org          string   `json:"orgSourcedId"`
	Subjects     []string `json:"subjects,omitempty"`
	SubjectCodes []string `json:"subjectCodes,omitempty"`
}

// Class is one section of a course at a school in one or more terms.
type Class struct {
	Base
	Title        string   `json:"title"`
	Grades       []string `json:"grades,omitempty"`
	Course       string   `json:"courseSourcedId"`
	ClassCode    string   `json:"classCode,omitempty"`
	ClassType    string   `json:"classType"` // homeroom, scheduled
	Location     string   `json:"location,omitempty"`
	School       string   `json:"schoolSourcedId"`
	Terms        []string `json:"termSourcedIds"`
	Subjects     []string `json:"subjects,omitempty"`
	SubjectCodes []string `json:"subjectCodes,omitempty"`
	Periods      []string `json:"periods,omitempty"`
}

// UserID is one of a user's identifiers in another system.
type UserID struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
}

// RoleAssignment is a 1.2 role of a user at an org.
type RoleAssignment struct {
	RoleType  string `json:"roleType"` // primary, secondary
	Role      string `json:"role"`
	Org       string `json:"orgSourcedId"`
	BeginDate string `json:"beginDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
	// SourcedID is the roles.csv row's own sourcedId (1.2 CSV), when known.
	SourcedID string `json:"sourcedId,omitempty"`
	// UserProfile is the sourcedId of the userProfile the role uses, if any.
	UserProfile string `json:"userProfileSourcedId,omitempty"`
}

// UserProfile is a 1.2 user profile: an account of the user in some system.
type UserProfile struct {
	SourcedID      string `json:"sourcedId"`
	ProfileType    string `json:"profileType"`
	VendorID       string `json:"vendorId"`
	ApplicationID  string `json:"applicationId,omitempty"`
	Description    string `json:"description,omitempty"`
	CredentialType string `json:"credentialType,omitempty"`
	Username       string `json:"username,omitempty"`
}

// User is a learner, teacher, guardian or administrator.
type User struct {
	Base
	EnabledUser         bool             `json:"enabledUser"`
	Username            string           `json:"username"`
	UserIDs             []UserID         `json:"userIds,omitempty"`
	GivenName           string           `json:"givenName"`
	FamilyName          string           `json:"familyName"`
	MiddleName          string           `json:"middleName,omitempty"`
	PreferredGivenName  string           `json:"preferredGivenName,omitempty"`
	PreferredFamilyName string           `json:"preferredFamilyName,omitempty"`
	Identifier          string           `json:"identifier,omitempty"`
	Email               string           `json:"email,omitempty"`
	SMS                 string           `json:"sms,omitempty"`
	Phone               string           `json:"phone,omitempty"`
	Role                string           `json:"role"` // the 1.1 role, or the 1.2 primary role
	Roles               []RoleAssignment `json:"roles,omitempty"`
	Orgs                []string         `json:"orgSourcedIds"`
	PrimaryOrg          string           `json:"primaryOrgSourcedId,omitempty"`
	Agents              []string         `json:"agentSourcedIds,omitempty"`
	Grades              []string         `json:"grades,omitempty"`
	MasterIdentifier    string           `json:"userMasterIdentifier,omitempty"`
	PreferredMiddleName string           `json:"preferredMiddleName,omitempty"`
	Pronouns            string           `json:"pronouns,omitempty"`
	Profiles            []UserProfile    `json:"userProfiles,omitempty"`
	// Password is read from CSV for validation only; it is never stored or served.
	Password string `json:"-"`
}

// Enrollment places a user in a class with a role.
type Enrollment struct {
	Base
	Class     string `json:"classSourcedId"`
	School    string `json:"schoolSourcedId"`
	User      string `json:"userSourcedId"`
	Role      string `json:"role"` // administrator, proctor, student, teacher
	Primary   bool   `json:"primary"`
	BeginDate string `json:"beginDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
}

// Demographics holds a user's demographic data; SourcedID is the user's.
type Demographics struct {
	Base
	BirthDate        string `json:"birthDate,omitempty"`
	Sex              string `json:"sex,omitempty"`
	CountryOfBirth   string `json:"countryOfBirthCode,omitempty"`
	CityOfBirth      string `json:"cityOfBirth,omitempty"`
	StateOfBirthAbbr string `json:"stateOfBirthAbbreviation,omitempty"`
	// Race and ethnicity flags as supplied ("true"/"false"/blank).
	AmericanIndianOrAlaskaNative         string `json:"americanIndianOrAlaskaNative,omitempty"`
	Asian                                string `json:"asian,omitempty"`
	BlackOrAfricanAmerican               string `json:"blackOrAfricanAmerican,omitempty"`
	NativeHawaiianOrOtherPacificIslander string `json:"nativeHawaiianOrOtherPacificIslander,omitempty"`
	White                                string `json:"white,omitempty"`
	DemographicRaceTwoOrMoreRaces        string `json:"demographicRaceTwoOrMoreRaces,omitempty"`
	HispanicOrLatinoEthnicity            string `json:"hispanicOrLatinoEthnicity,omitempty"`
	PublicSchoolResidenceStatus          string `json:"publicSchoolResidenceStatus,omitempty"`
}

// Snapshot is a set of roster records, whole or partial.
type Snapshot struct {
	Orgs             []Org
	AcademicSessions []AcademicSession
	Courses          []Course
	Classes          []Class
	Users            []User
	Enrollments      []Enrollment
	Demographics     []Demographics
}

// Ref names one record.
type Ref struct {
	Kind      Kind
	SourcedID string
}

// Delta is what changed in a tenant's roster between two points in its
// history: records created or updated, and records removed.
type Delta struct {
	Upserts Snapshot
	Deletes []Ref
	// Cursor is the history position this delta reaches; a connector stores
	// it after a successful push and asks for changes since it next time.
	Cursor int64
}

// The gradebook collections (kept beside the roster, served by the
// gradebook REST endpoints; not part of Snapshot or Delta).
const (
	KindCategory Kind = "categories"
	KindLineItem Kind = "lineItems"
	KindResult   Kind = "results"
)

// Category is a gradebook category of line items.
type Category struct {
	Base
	Title  string   `json:"title"`
	Weight *float64 `json:"weight,omitempty"`
}

// LineItem is a gradebook column of a class: an assignment, a test.
type LineItem struct {
	Base
	Title          string   `json:"title"`
	Description    string   `json:"description,omitempty"`
	AssignDate     string   `json:"assignDate"`
	DueDate        string   `json:"dueDate"`
	Class          string   `json:"classSourcedId"`
	Category       string   `json:"categorySourcedId"`
	Session        string   `json:"academicSessionSourcedId,omitempty"` // 1.1 gradingPeriod, 1.2 academicSession
	School         string   `json:"schoolSourcedId,omitempty"`
	ResultValueMin *float64 `json:"resultValueMin,omitempty"`
	ResultValueMax *float64 `json:"resultValueMax,omitempty"`
}

// Result is one student's score on a line item.
type Result struct {
	Base
	LineItem    string   `json:"lineItemSourcedId"`
	Student     string   `json:"studentSourcedId"`
	Class       string   `json:"classSourcedId,omitempty"`
	ScoreStatus string   `json:"scoreStatus"`
	Score       *float64 `json:"score,omitempty"`
	TextScore   string   `json:"textScore,omitempty"`
	ScoreDate   string   `json:"scoreDate"`
	Comment     string   `json:"comment,omitempty"`
}

// Role11 maps a role to the OneRoster 1.1 user role vocabulary for 1.1-only
// consumers: 1.2's administrative roles become administrator and counselor
// becomes aide; other roles are the same in both versions.
func Role11(role string) string {
	switch role {
	case "districtAdministrator", "siteAdministrator", "systemAdministrator", "principal":
		return "administrator"
	case "counselor":
		return "aide"
	}
	return role
}

// The 1.1 vocabularies ext: tokens are lowered into (see LowerExt).
var (
	OrgTypes11     = []string{"department", "district", "local", "national", "school", "state"}
	SessionTypes11 = []string{"gradingPeriod", "schoolYear", "semester", "term"}
)

// LowerExt maps a 1.2 ext: vocabulary token for a 1.1 consumer (Moodle's
// client throws on unknown org types): the first value of vocab its name
// contains (ext:camp-school → school), else def. Other values pass as is.
func LowerExt(v string, vocab []string, def string) string {
	if len(v) < 4 || v[:4] != "ext:" {
		return v
	}
	lv := strings.ToLower(v)
	for _, k := range vocab {
		if strings.Contains(lv, strings.ToLower(k)) {
			return k
		}
	}
	return def
}

// DefaultCategoryTitle is the title of a class's default category.
const DefaultCategoryTitle = "Uncategorized"

// DefaultCategoryID is the sourcedId of a class's default category: the
// category a OneRoster 1.1 line item written without one (Google Classroom's
// grade sync) is put in. It is deleted with its class.
func DefaultCategoryID(class string) string { return class + "-default" }

// NewDefaultCategory returns the default category of a class.
func NewDefaultCategory(class string) *Category {
	return &Category{Base: Base{SourcedID: DefaultCategoryID(class), Status: StatusActive}, Title: DefaultCategoryTitle}
}

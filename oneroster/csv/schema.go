package csv

import "strings"

// The OneRoster versions a package may declare.
const (
	V11 = "1.1"
	V12 = "1.2"
)

// Mode is how the manifest declares a file: absent, bulk or delta.
type Mode string

// The manifest file modes.
const (
	Absent Mode = "absent"
	Bulk   Mode = "bulk"
	Delta  Mode = "delta"
)

var baseCols = []string{"sourcedId", "status", "dateLastModified"}

func cols(rest ...string) []string { return append(append([]string{}, baseCols...), rest...) }

// columns11 is the spec column order of every 1.1 file.
var columns11 = map[string][]string{
	"academicSessions": cols("title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
	"orgs":             cols("name", "type", "identifier", "parentSourcedId"),
	"courses":          cols("schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"),
	"classes":          cols("title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"),
	"enrollments":      cols("classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"),
	"users":            cols("enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"),
	"demographics":     cols("birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"),
	"categories":       cols("title"),
	"lineItems":        cols("title", "description", "assignDate", "dueDate", "classSourcedId", "categorySourcedId", "gradingPeriodSourcedId", "resultValueMin", "resultValueMax"),
	"results":          cols("lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate", "comment"),
	"resources":        cols("vendorResourceId", "title", "roles", "importance", "vendorId", "applicationId"),
	"classResources":   cols("title", "classSourcedId", "resourceSourcedId"),
	"courseResources":  cols("title", "courseSourcedId", "resourceSourcedId"),
}

// columns12 is the spec column order of every 1.2 file.
var columns12 = map[string][]string{
	"academicSessions":             columns11["academicSessions"],
	"orgs":                         columns11["orgs"],
	"courses":                      columns11["courses"],
	"classes":                      columns11["classes"],
	"enrollments":                  columns11["enrollments"],
	"demographics":                 columns11["demographics"],
	"users":                        cols("enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"),
	"roles":                        cols("userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"),
	"userProfiles":                 cols("userSourcedId", "profileType", "vendorId", "applicationId", "description", "credentialType", "username", "password"),
	"categories":                   cols("title", "weight"),
	"lineItems":                    cols("title", "description", "assignDate", "dueDate", "classSourcedId", "categorySourcedId", "academicSessionSourcedId", "resultValueMin", "resultValueMax", "schoolSourcedId"),
	"results":                      cols("lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate", "comment", "textScore", "classSourcedId", "inProgress", "incomplete", "late", "missing"),
	"scoreScales":                  cols("title", "type", "orgSourcedId", "courseSourcedId", "classSourcedId", "scoreScaleValue"),
	"lineItemLearningObjectiveIds": cols("lineItemSourcedId", "source", "learningObjectiveId"),
	"lineItemScoreScales":          cols("title", "lineItemSourcedId", "scoreScaleSourcedId"),
	"resultLearningObjectiveIds":   cols("resultSourcedId", "source", "learningObjectiveId", "score", "textScore"),
	"resultScoreScales":            cols("title", "resultSourcedId", "scoreScaleSourcedId"),
	"userResources":                cols("userSourcedId", "orgSourcedId", "classSourcedId", "resourceSourcedId"),
	"resources":                    columns11["resources"],
	"classResources":               columns11["classResources"],
	"courseResources":              columns11["courseResources"],
}

// rosterFiles are the files this importer applies; the others (the
// learning-objective files) are read for structure only and reported as not
// imported.
var rosterFiles = map[string]bool{
	"orgs": true, "academicSessions": true, "courses": true, "classes": true,
	"users": true, "demographics": true, "enrollments": true, "roles": true, "userProfiles": true,
	"categories": true, "lineItems": true, "results": true,
	"scoreScales": true, "lineItemScoreScales": true, "resultScoreScales": true,
	"resources": true, "classResources": true, "courseResources": true, "userResources": true,
}

// columnsFor returns the spec columns of a file in a version, or nil.
func columnsFor(version, file string) []string {
	if version == V11 {
		return columns11[file]
	}
	return columns12[file]
}

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// Vocabularies.
var (
	orgTypes      = set("department", "school", "district", "local", "state", "national")
	sessionTypes  = set("gradingPeriod", "semester", "schoolYear", "term")
	classTypes    = set("homeroom", "scheduled")
	enrollRoles   = set("administrator", "proctor", "student", "teacher")
	userRoles11   = set("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")
	userRoles12   = set("aide", "counselor", "districtAdministrator", "guardian", "parent", "principal", "proctor", "relative", "siteAdministrator", "student", "systemAdministrator", "teacher")
	roleTypes     = set("primary", "secondary")
	sexes11       = set("male", "female")
	sexes12       = set("male", "female", "other", "unspecified")
	gradeCodes    = set("IT", "PR", "PK", "TK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "PS", "UG", "Other")
	scoreStatuses = set("exempt", "fully graded", "not submitted", "partially graded", "submitted")
	importances   = set("primary", "secondary")
)

// inVocab reports whether v is in the vocabulary, or an ext: token in 1.2.
func inVocab(version string, vocab map[string]bool, v string) bool {
	if vocab[v] {
		return true
	}
	return version == V12 && strings.HasPrefix(v, "ext:") && len(v) > len("ext:")
}

// Columns returns the spec column order of a file in a version (nil for an
// unknown file); callers must not modify it.
func Columns(version, file string) []string { return columnsFor(version, file) }

// Files returns the names (without .csv) of every file a version's
// manifest declares, sorted.
func Files(version string) []string {
	if version == V11 {
		return sortedKeys(columns11)
	}
	return sortedKeys(columns12)
}

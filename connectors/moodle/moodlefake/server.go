package moodlefake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/passportbridge/passport/connectors/connectortest/fault"
)

// User is a Moodle user record.
type User struct {
	ID        int    `json:"id"`
	Username  string `json:"username"`
	Firstname string `json:"firstname"`
	Lastname  string `json:"lastname"`
	Email     string `json:"email"`
	IDNumber  string `json:"idnumber"`
	Auth      string `json:"auth"`
	Suspended bool   `json:"suspended"`
	Deleted   bool   `json:"-"`
}

// Category is a course category.
type Category struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	IDNumber string `json:"idnumber"`
	Parent   int    `json:"parent"`
}

// Course is a course with its manual enrolments.
type Course struct {
	ID         int    `json:"id"`
	Fullname   string `json:"fullname"`
	Shortname  string `json:"shortname"`
	CategoryID int    `json:"categoryid"`
	IDNumber   string `json:"idnumber"`
	Visible    int    `json:"visible"`
	// NoManualInstance makes enrol_manual_enrol_users fail with wsnoinstance.
	NoManualInstance bool `json:"-"`
}

// Cohort is a site or category cohort.
type Cohort struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	IDNumber  string `json:"idnumber"`
	ContextID int    `json:"-"`
}

// Group is a course group.
type Group struct {
	ID       int    `json:"id"`
	CourseID int    `json:"courseid"`
	Name     string `json:"name"`
	IDNumber string `json:"idnumber"`
}

// Completion is one activity completion state of a user in a course.
type Completion struct {
	CMID          int    `json:"cmid"`
	Modname       string `json:"modname"`
	Instance      int    `json:"instance"`
	State         int    `json:"state"`
	TimeCompleted int64  `json:"timecompleted"`
	Tracking      int    `json:"tracking"`
}

// GradeItem is one grade of a user in a course.
type GradeItem struct {
	ID                 int      `json:"id"`
	ItemName           string   `json:"itemname"`
	ItemType           string   `json:"itemtype"`
	ItemModule         string   `json:"itemmodule"`
	ItemInstance       int      `json:"iteminstance"`
	CMID               int      `json:"cmid,omitempty"`
	GradeRaw           *float64 `json:"graderaw"`
	GradeMin           float64  `json:"grademin"`
	GradeMax           float64  `json:"grademax"`
	GradeDateGraded    int64    `json:"gradedategraded,omitempty"`
	GradeDateSubmitted int64    `json:"gradedatesubmitted,omitempty"`
}

type userKey struct{ course, user int }

// Server is a fake Moodle site. Use New, then serve it with httptest.
type Server struct {
	fault.Injector // FailNext, FailAfter, Stall

	mu sync.Mutex

	token        string
	debug        bool
	maxInputVars int
	fns          map[string]function
	functions    map[string]bool // nil = every function
	assignable   map[int]bool    // role ids the token user may assign

	nextID      int
	users       map[int]*User
	categories  map[int]*Category
	courses     map[int]*Course
	cohorts     map[int]*Cohort
	cohortMem   map[int]map[int]bool
	groups      map[int]*Group
	groupMem    map[int]map[int]bool
	enrolments  map[userKey]map[int]bool // roles; present = enrolled
	completions map[userKey][]Completion
	grades      map[userKey][]GradeItem

	calls    map[string]int
	writes   int
	refuse   map[string]string // user idnumber -> message
	lastVars int
}

// Token is the web service token New accepts.
const Token = "0123456789abcdef0123456789abcdef"

// New returns an empty site accepting Token, with max_input_vars 1000 and
// the default role archetypes assignable (editingteacher 3, teacher 4,
// student 5).
func New() *Server {
	return &Server{
		token:        Token,
		fns:          functionTable(),
		maxInputVars: 1000,
		assignable:   map[int]bool{3: true, 4: true, 5: true},
		nextID:       100,
		users:        map[int]*User{2: {ID: 2, Username: "admin", Firstname: "Admin", Lastname: "User", Email: "admin@example.org", Auth: "manual"}},
		categories:   map[int]*Category{1: {ID: 1, Name: "Miscellaneous"}},
		courses:      map[int]*Course{},
		cohorts:      map[int]*Cohort{},
		cohortMem:    map[int]map[int]bool{},
		groups:       map[int]*Group{},
		groupMem:     map[int]map[int]bool{},
		enrolments:   map[userKey]map[int]bool{},
		completions:  map[userKey][]Completion{},
		grades:       map[userKey][]GradeItem{},
		calls:        map[string]int{},
		refuse:       map[string]string{},
	}
}

// SetDebug turns the site's debugging on or off. Moodle adds "debuginfo"
// (the detail of invalid_parameter_exception, e.g. "Username already
// exists: x") to error bodies only when debugging is on; New starts with it
// off, as production sites run.
func (s *Server) SetDebug(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.debug = on
}

// SetMaxInputVars changes PHP's max_input_vars (variables beyond it are
// dropped silently, as PHP does).
func (s *Server) SetMaxInputVars(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxInputVars = n
}

// SetFunctions restricts the external service to the named functions.
func (s *Server) SetFunctions(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.functions = map[string]bool{}
	for _, n := range names {
		s.functions[n] = true
	}
}

// Refuse makes every write touching the user with that idnumber fail with
// an invalid_parameter_exception carrying message (the whole batch fails).
func (s *Server) Refuse(idnumber, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse[idnumber] = message
}

// Writes counts the successful or failed calls of write functions.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// Calls returns how many times each function was called.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// MaxVarsSeen is the largest number of request variables one call carried.
func (s *Server) MaxVarsSeen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastVars
}

// AddUser creates a user directly (an account made by hand on the site)
// and returns its id.
func (s *Server) AddUser(u User) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	u.ID = s.newID()
	s.users[u.ID] = &u
	return u.ID
}

// UserByIDNumber returns the live user with that idnumber.
func (s *Server) UserByIDNumber(idnumber string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByIDNumber(idnumber)
	if u == nil {
		return User{}, false
	}
	return *u, true
}

func (s *Server) userByIDNumber(idnumber string) *User {
	for _, u := range s.users {
		if !u.Deleted && idnumber != "" && u.IDNumber == idnumber {
			return u
		}
	}
	return nil
}

// Users returns every live user except the admin, ordered by id.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []User
	for _, u := range s.users {
		if !u.Deleted && u.ID != 2 {
			out = append(out, *u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// CourseByIDNumber returns the course with that idnumber.
func (s *Server) CourseByIDNumber(idnumber string) (Course, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.courses {
		if c.IDNumber == idnumber {
			return *c, true
		}
	}
	return Course{}, false
}

// Courses returns every course ordered by id.
func (s *Server) Courses() []Course {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Course, 0, len(s.courses))
	for _, c := range s.courses {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// CategoryByIDNumber returns the category with that idnumber.
func (s *Server) CategoryByIDNumber(idnumber string) (Category, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.categories {
		if c.IDNumber == idnumber {
			return *c, true
		}
	}
	return Category{}, false
}

// CohortMembers returns the user idnumbers in the cohort with that idnumber.
func (s *Server) CohortMembers(idnumber string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.cohorts {
		if c.IDNumber != idnumber {
			continue
		}
		for uid := range s.cohortMem[c.ID] {
			out = append(out, s.users[uid].IDNumber)
		}
	}
	sort.Strings(out)
	return out
}

// Enrolment returns the role ids of the user with idnumber u in the course
// with idnumber c, and whether the user is enrolled at all.
func (s *Server) Enrolment(c, u string) ([]int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cid, uid int
	for _, x := range s.courses {
		if x.IDNumber == c {
			cid = x.ID
		}
	}
	if us := s.userByIDNumber(u); us != nil {
		uid = us.ID
	}
	roles, ok := s.enrolments[userKey{cid, uid}]
	if !ok {
		return nil, false
	}
	out := make([]int, 0, len(roles))
	for r := range roles {
		out = append(out, r)
	}
	sort.Ints(out)
	return out, true
}

// EnrolmentCount is the number of (course, user) enrolments.
func (s *Server) EnrolmentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.enrolments)
}

// GroupMembers returns the user idnumbers in the group with that idnumber.
func (s *Server) GroupMembers(idnumber string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, g := range s.groups {
		if g.IDNumber != idnumber {
			continue
		}
		for uid := range s.groupMem[g.ID] {
			out = append(out, s.users[uid].IDNumber)
		}
	}
	sort.Strings(out)
	return out
}

// AddCompletion records an activity completion of user (idnumber) in course
// (idnumber).
func (s *Server) AddCompletion(course, user string, c Completion) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.keyByIDNumbers(course, user)
	if err != nil {
		return err
	}
	s.completions[k] = append(s.completions[k], c)
	return nil
}

// AddGrade records a grade of user (idnumber) in course (idnumber).
func (s *Server) AddGrade(course, user string, g GradeItem) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.keyByIDNumbers(course, user)
	if err != nil {
		return err
	}
	s.grades[k] = append(s.grades[k], g)
	return nil
}

func (s *Server) keyByIDNumbers(course, user string) (userKey, error) {
	u := s.userByIDNumber(user)
	if u == nil {
		return userKey{}, fmt.Errorf("no user %q", user)
	}
	for _, c := range s.courses {
		if c.IDNumber == course {
			return userKey{c.ID, u.ID}, nil
		}
	}
	return userKey{}, fmt.Errorf("no course %q", course)
}

// exception is Moodle's error body, sent with HTTP 200.
type exception struct {
	Exception string `json:"exception"`
	ErrorCode string `json:"errorcode"`
	Message   string `json:"message"`
	DebugInfo string `json:"debuginfo,omitempty"`
}

func (e *exception) Error() string { return e.ErrorCode + ": " + e.Message }

func invalidParam(debug string) *exception {
	return &exception{Exception: "invalid_parameter_exception", ErrorCode: "invalidparameter", Message: "Invalid parameter value detected", DebugInfo: debug}
}

func missingRecord(table string) *exception {
	return &exception{Exception: "dml_missing_record_exception", ErrorCode: "invalidrecord", Message: "Can't find data record in database table " + table + "."}
}

func moodleErr(code, msg string) *exception {
	return &exception{Exception: "moodle_exception", ErrorCode: code, Message: msg}
}

type handler func(s *Server, p *node) (any, error)

type function struct {
	write bool
	fn    handler
}

// functionTable is the external functions the fake implements; write says
// whether the function changes state.
func functionTable() map[string]function {
	return map[string]function{
		"core_webservice_get_site_info":                    {false, (*Server).siteInfo},
		"core_user_get_users_by_field":                     {false, (*Server).getUsersByField},
		"core_user_create_users":                           {true, (*Server).createUsers},
		"core_user_update_users":                           {true, (*Server).updateUsers},
		"core_user_delete_users":                           {true, (*Server).deleteUsers},
		"core_course_get_categories":                       {false, (*Server).getCategories},
		"core_course_create_categories":                    {true, (*Server).createCategories},
		"core_course_update_categories":                    {true, (*Server).updateCategories},
		"core_course_get_courses_by_field":                 {false, (*Server).getCoursesByField},
		"core_course_create_courses":                       {true, (*Server).createCourses},
		"core_course_update_courses":                       {true, (*Server).updateCourses},
		"core_enrol_get_enrolled_users":                    {false, (*Server).getEnrolledUsers},
		"enrol_manual_enrol_users":                         {true, (*Server).enrolUsers},
		"enrol_manual_unenrol_users":                       {true, (*Server).unenrolUsers},
		"core_cohort_get_cohorts":                          {false, (*Server).getCohorts},
		"core_cohort_create_cohorts":                       {true, (*Server).createCohorts},
		"core_cohort_get_cohort_members":                   {false, (*Server).getCohortMembers},
		"core_cohort_add_cohort_members":                   {true, (*Server).addCohortMembers},
		"core_cohort_delete_cohort_members":                {true, (*Server).deleteCohortMembers},
		"core_group_get_course_groups":                     {false, (*Server).getCourseGroups},
		"core_group_create_groups":                         {true, (*Server).createGroups},
		"core_group_get_group_members":                     {false, (*Server).getGroupMembers},
		"core_group_add_group_members":                     {true, (*Server).addGroupMembers},
		"core_group_delete_group_members":                  {true, (*Server).deleteGroupMembers},
		"core_completion_get_activities_completion_status": {false, (*Server).completionStatus},
		"gradereport_user_get_grade_items":                 {false, (*Server).gradeItems},
	}
}

// ServeHTTP implements webservice/rest/server.php.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Intercept(w, r, "<html><body>Service unavailable</body></html>") {
		return
	}
	if r.URL.Path != "/webservice/rest/server.php" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	limit := s.maxInputVars
	s.mu.Unlock()
	vars, err := parseVars(r.URL.RawQuery, 0)
	if err != nil {
		http.Error(w, "bad query", http.StatusBadRequest)
		return
	}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			return
		}
		// PHP only parses urlencoded and multipart bodies into $_POST; a
		// JSON body is ignored.
		if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			post, err := parseVars(string(body), 0)
			if err != nil {
				http.Error(w, "bad body", http.StatusBadRequest)
				return
			}
			// array_merge($_GET, $_POST): POST wins.
			vars = append(vars, post...)
		}
	}
	if limit > 0 && len(vars) > limit {
		vars = vars[:limit]
	}
	tree := buildTree(vars)
	format := tree.opt("moodlewsrestformat", "xml")
	res, werr := s.call(tree, len(vars))
	if werr != nil && !s.debugOn() {
		e := *werr
		e.DebugInfo = ""
		werr = &e
	}
	if format != "json" {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		if werr != nil {
			fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<EXCEPTION class=\"%s\">\n<ERRORCODE>%s</ERRORCODE>\n<MESSAGE>%s</MESSAGE>\n</EXCEPTION>\n", werr.Exception, werr.ErrorCode, werr.Message)
			return
		}
		_, _ = io.WriteString(w, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<RESPONSE>\n</RESPONSE>\n")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if werr != nil {
		_ = json.NewEncoder(w).Encode(werr)
		return
	}
	_ = json.NewEncoder(w).Encode(res)
}

func (s *Server) debugOn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.debug
}

func (s *Server) call(tree *node, nvars int) (any, *exception) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if nvars > s.lastVars {
		s.lastVars = nvars
	}
	if tree.opt("wstoken", "") != s.token {
		return nil, &exception{Exception: "moodle_exception", ErrorCode: "invalidtoken", Message: "Invalid token - token not found"}
	}
	name := tree.opt("wsfunction", "")
	f, ok := s.fns[name]
	if !ok {
		return nil, &exception{Exception: "dml_missing_record_exception", ErrorCode: "invalidrecord", Message: "Can't find data record in database table external_functions."}
	}
	if s.functions != nil && !s.functions[name] {
		return nil, &exception{Exception: "webservice_access_exception", ErrorCode: "accessexception", Message: "Access control exception"}
	}
	s.calls[name]++
	if f.write {
		s.writes++
	}
	// Every write function validates all its rows before it changes
	// anything, so an exception leaves no partial write, like Moodle's
	// start_delegated_transaction.
	res, err := f.fn(s, tree)
	if err != nil {
		var e *exception
		if errors.As(err, &e) {
			return nil, e
		}
		var pe *paramError
		if errors.As(err, &pe) {
			return nil, invalidParam(pe.debug)
		}
		return nil, &exception{Exception: "coding_exception", ErrorCode: "codingerror", Message: err.Error()}
	}
	return res, nil
}

func (s *Server) newID() int {
	s.nextID++
	return s.nextID
}

func (s *Server) siteInfo(_ *node) (any, error) {
	names := make([]string, 0, len(s.fns))
	for n := range s.fns {
		if s.functions == nil || s.functions[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	fs := make([]map[string]string, len(names))
	for i, n := range names {
		fs[i] = map[string]string{"name": n, "version": "2022112800"}
	}
	return map[string]any{
		"sitename": "Fake Moodle", "username": "wsuser", "userid": 2, "siteurl": "http://moodle.invalid",
		"release": "4.1 (Build: 20221128)", "version": "2022112800", "functions": fs,
	}, nil
}

package kolibrifake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/passportbridge/passport/connectors/connectortest/fault"
)

// Facility is a Kolibri facility with its dataset settings.
type Facility struct {
	ID                            string `json:"id"`
	Name                          string `json:"name"`
	LearnerCanLoginWithNoPassword bool   `json:"-"`
}

// User is a facility user.
type User struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	FullName  string `json:"full_name"`
	Facility  string `json:"facility"`
	IDNumber  string `json:"id_number"`
	Gender    string `json:"gender"`
	BirthYear string `json:"birth_year"`
	Password  string `json:"-"`
	Superuser bool   `json:"is_superuser"`
}

// Collection is a classroom or learner group.
type Collection struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
	Kind   string `json:"-"` // classroom, learnergroup
}

// Membership puts a user in a collection.
type Membership struct {
	ID         string `json:"id"`
	Collection string `json:"collection"`
	User       string `json:"user"`
}

// Role gives a user a role on a collection.
type Role struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Collection string `json:"collection"`
	User       string `json:"user"`
}

// Admin credentials of the device superuser New creates.
const (
	AdminUsername = "admin"
	AdminPassword = "camp-admin-pass"
)

// Server is a fake Kolibri device. Use New, then serve it with httptest.
type Server struct {
	fault.Injector // FailNext, FailAfter, Stall

	mu          sync.Mutex
	facilities  map[string]*Facility
	users       map[string]*User
	collections map[string]*Collection
	memberships map[string]*Membership
	roles       map[string]*Role
	sessions    map[string]string // session id -> user id
	csrf        map[string]bool

	defaultFacility string
	writes          int
	refuse          map[string]string // id_number -> message
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// New returns a device with one facility ("Default Facility", which lets
// learners log in without a password) and a superuser.
func New() *Server {
	s := &Server{
		facilities: map[string]*Facility{}, users: map[string]*User{}, collections: map[string]*Collection{},
		memberships: map[string]*Membership{}, roles: map[string]*Role{}, sessions: map[string]string{},
		csrf: map[string]bool{}, refuse: map[string]string{},
	}
	f := &Facility{ID: newID(), Name: "Default Facility", LearnerCanLoginWithNoPassword: true}
	s.facilities[f.ID] = f
	s.defaultFacility = f.ID
	admin := &User{ID: newID(), Username: AdminUsername, FullName: "Device Admin", Facility: f.ID, Password: AdminPassword, Superuser: true, Gender: "NOT_SPECIFIED", BirthYear: "NOT_SPECIFIED"}
	s.users[admin.ID] = admin
	return s
}

// DefaultFacility returns the id of the facility New created.
func (s *Server) DefaultFacility() string { return s.defaultFacility }

// SetNoPasswordLogin sets learner_can_login_with_no_password on every facility.
func (s *Server) SetNoPasswordLogin(v bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.facilities {
		f.LearnerCanLoginWithNoPassword = v
	}
}

// Refuse makes every write touching the user with that id_number fail with
// a 400 carrying message.
func (s *Server) Refuse(idNumber, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse[idNumber] = message
}

// ExpireSessions logs every session out (SESSION_COOKIE_AGE passed).
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = map[string]string{}
}

// Writes counts unsafe-method requests (POST, PATCH, PUT, DELETE) other
// than session login and logout.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// Facilities returns the facilities by name.
func (s *Server) Facilities() map[string]Facility {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Facility{}
	for _, f := range s.facilities {
		out[f.Name] = *f
	}
	return out
}

// UserByIDNumber returns the user with that id_number.
func (s *Server) UserByIDNumber(idn string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if idn != "" && u.IDNumber == idn {
			return *u, true
		}
	}
	return User{}, false
}

// UserCount is the number of users with an id_number.
func (s *Server) UserCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, u := range s.users {
		if u.IDNumber != "" {
			n++
		}
	}
	return n
}

// Classroom returns the classroom with that name in the facility named
// facility.
func (s *Server) Classroom(facility, name string) (Collection, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.collections {
		if c.Kind == "classroom" && c.Name == name && s.facilities[c.Parent] != nil && s.facilities[c.Parent].Name == facility {
			return *c, true
		}
	}
	return Collection{}, false
}

// MemberOf returns the names of the collections the user with that
// id_number belongs to, and the names of those it coaches.
func (s *Server) MemberOf(idn string) (member, coach []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var uid string
	for _, u := range s.users {
		if u.IDNumber == idn {
			uid = u.ID
		}
	}
	for _, m := range s.memberships {
		if m.User == uid {
			member = append(member, s.collections[m.Collection].Name)
		}
	}
	for _, r := range s.roles {
		if r.User == uid && r.Kind == "coach" {
			if c := s.collections[r.Collection]; c != nil {
				coach = append(coach, c.Name)
			}
		}
	}
	sort.Strings(member)
	sort.Strings(coach)
	return member, coach
}

// apiError is one entry of Kolibri's error list.
type apiError struct {
	ID       string         `json:"id"`
	Metadata map[string]any `json:"metadata"`
}

type httpError struct {
	status int
	errs   []apiError
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %v", e.status, e.errs) }

func errList(status int, id, field, msg string) *httpError {
	md := map[string]any{}
	if field != "" {
		md["field"] = field
	}
	if msg != "" {
		md["message"] = msg
	}
	return &httpError{status: status, errs: []apiError{{ID: id, Metadata: md}}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP implements the facility API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if s.Intercept(w, r, "<h1>Server Error</h1>") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	status, v, err := s.route(w, r, body)
	if err != nil {
		he, ok := err.(*httpError) //nolint:errorlint // fake: route returns it unwrapped
		if !ok {
			he = errList(http.StatusBadRequest, "INVALID", "", err.Error())
		}
		writeJSON(w, he.status, he.errs)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) csrfCookie(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("kolibri_csrftoken"); err == nil && s.csrf[c.Value] {
		return
	}
	tok := newID() + newID()
	s.csrf[tok] = true
	http.SetCookie(w, &http.Cookie{Name: "kolibri_csrftoken", Value: tok, Path: "/", SameSite: http.SameSiteLaxMode}) //nolint:gosec // Django sends the CSRF cookie readable by scripts and over plain HTTP on LAN devices
}

func (s *Server) currentUser(r *http.Request) *User {
	c, err := r.Cookie("kolibri")
	if err != nil {
		return nil
	}
	uid, ok := s.sessions[c.Value]
	if !ok {
		return nil
	}
	return s.users[uid]
}

func sessionJSON(u *User) map[string]any {
	if u == nil {
		return map[string]any{"id": "current", "user_id": nil, "username": "", "full_name": "", "facility_id": nil, "kind": []string{"anonymous"}}
	}
	kind := []string{"learner"}
	if u.Superuser {
		kind = []string{"superuser", "admin"}
	}
	return map[string]any{
		"id": "current", "user_id": u.ID, "username": u.Username, "full_name": u.FullName,
		"facility_id": u.Facility, "kind": kind, "can_manage_content": u.Superuser, "server_time": time.Now().UTC().Format(time.RFC3339),
	}
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) (int, any, error) {
	path := r.URL.Path
	if !strings.HasPrefix(path, "/api/auth/") {
		return 0, nil, errList(http.StatusNotFound, "NOT_FOUND", "", "")
	}
	rest := strings.Trim(strings.TrimPrefix(path, "/api/auth/"), "/")
	parts := strings.Split(rest, "/")
	unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions

	if parts[0] == "session" {
		s.csrfCookie(w, r)
		return s.session(w, r, parts, body)
	}
	u := s.currentUser(r)
	if u == nil {
		return 0, nil, errList(http.StatusForbidden, "NOT_AUTHENTICATED", "", "Authentication credentials were not provided.")
	}
	if unsafe {
		c, err := r.Cookie("kolibri_csrftoken")
		if err != nil || !s.csrf[c.Value] || r.Header.Get("X-CSRFToken") != c.Value {
			return 0, nil, errList(http.StatusForbidden, "PERMISSION_DENIED", "", "CSRF Failed: CSRF token missing or incorrect.")
		}
		s.writes++
	}
	if !u.Superuser {
		return 0, nil, errList(http.StatusForbidden, "PERMISSION_DENIED", "", "You do not have permission to perform this action.")
	}
	switch parts[0] {
	case "facility":
		return s.facility(r, parts, body)
	case "facilitydataset":
		return s.dataset(r)
	case "facilityuser":
		return s.facilityUser(r, parts, body)
	case "classroom", "learnergroup":
		return s.collection(r, parts, body)
	case "membership":
		return s.membership(r, parts, body)
	case "role":
		return s.role(r, parts, body)
	}
	return 0, nil, errList(http.StatusNotFound, "NOT_FOUND", "", "")
}

func (s *Server) session(w http.ResponseWriter, r *http.Request, parts []string, body []byte) (int, any, error) {
	switch {
	case len(parts) == 1 && r.Method == http.MethodPost:
		var in struct {
			Username string `json:"username"`
			Password string `json:"password"`
			Facility string `json:"facility"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "JSON parse error")
		}
		if in.Password == "" {
			return 0, nil, errList(http.StatusBadRequest, "MISSING_PASSWORD", "password", "")
		}
		fac := in.Facility
		if fac == "" {
			fac = s.defaultFacility
		}
		for _, u := range s.users {
			if strings.EqualFold(u.Username, in.Username) && u.Facility == fac {
				if u.Password != in.Password {
					return 0, nil, errList(http.StatusUnauthorized, "INVALID_CREDENTIALS", "", "")
				}
				sid := newID()
				s.sessions[sid] = u.ID
				http.SetCookie(w, &http.Cookie{Name: "kolibri", Value: sid, Path: "/", HttpOnly: true, MaxAge: 1200, SameSite: http.SameSiteLaxMode}) //nolint:gosec // Kolibri devices serve plain HTTP on camp LANs; Secure would drop the cookie
				return http.StatusOK, sessionJSON(u), nil
			}
		}
		return 0, nil, errList(http.StatusBadRequest, "NOT_FOUND", "username", "")
	case len(parts) == 2 && parts[1] == "current" && r.Method == http.MethodGet:
		return http.StatusOK, sessionJSON(s.currentUser(r)), nil
	case len(parts) == 2 && parts[1] == "current" && r.Method == http.MethodDelete:
		if c, err := r.Cookie("kolibri"); err == nil {
			delete(s.sessions, c.Value)
		}
		return http.StatusOK, map[string]any{}, nil
	}
	return 0, nil, errList(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "", "")
}

func (s *Server) facility(r *http.Request, parts []string, body []byte) (int, any, error) {
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		out := []map[string]any{}
		ids := sortedKeys(s.facilities)
		for _, id := range ids {
			f := s.facilities[id]
			out = append(out, map[string]any{
				"id": f.ID, "name": f.Name, "num_classrooms": 0, "num_users": 0,
				"last_successful_sync": nil, "last_failed_sync": nil, "dataset": map[string]any{"learner_can_login_with_no_password": f.LearnerCanLoginWithNoPassword},
			})
		}
		return http.StatusOK, out, nil
	case len(parts) == 2 && parts[1] == "create_facility" && r.Method == http.MethodPost:
		var in struct {
			Name   string `json:"name"`
			Preset string `json:"preset"`
		}
		if err := json.Unmarshal(body, &in); err != nil || strings.TrimSpace(in.Name) == "" {
			return 0, nil, errList(http.StatusBadRequest, "REQUIRED", "name", "This field is required.")
		}
		if len(in.Name) > 100 {
			return 0, nil, errList(http.StatusBadRequest, "MAX_LENGTH", "name", "Ensure this field has no more than 100 characters.")
		}
		f := &Facility{ID: newID(), Name: in.Name, LearnerCanLoginWithNoPassword: in.Preset == "informal"}
		s.facilities[f.ID] = f
		return http.StatusOK, map[string]any{"id": f.ID, "name": f.Name}, nil
	}
	return 0, nil, errList(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "", "")
}

func (s *Server) dataset(r *http.Request) (int, any, error) {
	fid := r.URL.Query().Get("facility_id")
	out := []map[string]any{}
	for _, id := range sortedKeys(s.facilities) {
		f := s.facilities[id]
		if fid == "" || fid == id {
			out = append(out, map[string]any{"id": "ds" + f.ID[2:], "learner_can_login_with_no_password": f.LearnerCanLoginWithNoPassword, "learner_can_sign_up": false})
		}
	}
	return http.StatusOK, out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// validUsername applies Kolibri's rule: no whitespace or punctuation except
// the underscore, at most 125 characters.
func validUsername(u string) bool {
	if u == "" || len([]rune(u)) > 125 {
		return false
	}
	for _, c := range u {
		if unicode.IsSpace(c) || (c != '_' && (unicode.IsPunct(c) || unicode.IsSymbol(c))) {
			return false
		}
	}
	return true
}

type userIn struct {
	Username  *string `json:"username"`
	FullName  *string `json:"full_name"`
	Password  *string `json:"password"`
	Facility  *string `json:"facility"`
	IDNumber  *string `json:"id_number"`
	Gender    *string `json:"gender"`
	BirthYear *string `json:"birth_year"`
}

func (s *Server) checkUser(in userIn, self *User) error {
	fac := s.defaultFacility
	if self != nil {
		fac = self.Facility
	}
	if in.Facility != nil {
		fac = *in.Facility
		if s.facilities[fac] == nil {
			return errList(http.StatusBadRequest, "DOES_NOT_EXIST", "facility", "Invalid pk - object does not exist.")
		}
	}
	idn := ""
	if self != nil {
		idn = self.IDNumber
	}
	if in.IDNumber != nil {
		idn = *in.IDNumber
		if len(idn) > 64 {
			return errList(http.StatusBadRequest, "MAX_LENGTH", "id_number", "Ensure this field has no more than 64 characters.")
		}
	}
	if msg, ok := s.refuse[idn]; ok && idn != "" {
		return errList(http.StatusBadRequest, "INVALID", "", msg)
	}
	if self == nil && in.Username == nil {
		return errList(http.StatusBadRequest, "REQUIRED", "username", "This field is required.")
	}
	if in.Username != nil {
		if !validUsername(*in.Username) {
			return errList(http.StatusBadRequest, "INVALID", "username", "Enter a valid username. This value may contain only letters, numbers, and underscores.")
		}
		for _, o := range s.users {
			if (self == nil || o.ID != self.ID) && o.Facility == fac && strings.EqualFold(o.Username, *in.Username) {
				return errList(http.StatusBadRequest, "USERNAME_ALREADY_EXISTS", "username", "An account with that username already exists.")
			}
		}
	}
	if in.FullName != nil && len([]rune(*in.FullName)) > 120 {
		return errList(http.StatusBadRequest, "MAX_LENGTH", "full_name", "Ensure this field has no more than 120 characters.")
	}
	if in.Password != nil && *in.Password == "NOT_SPECIFIED" && !s.facilities[fac].LearnerCanLoginWithNoPassword {
		return errList(http.StatusBadRequest, "INVALID", "password", "Password is required for this facility.")
	}
	if self == nil && in.Password == nil {
		return errList(http.StatusBadRequest, "REQUIRED", "password", "This field is required.")
	}
	if in.Gender != nil {
		switch *in.Gender {
		case "MALE", "FEMALE", "NOT_SPECIFIED", "DEFERRED", "":
		default:
			return errList(http.StatusBadRequest, "INVALID_CHOICE", "gender", "\""+*in.Gender+"\" is not a valid choice.")
		}
	}
	return nil
}

func apply(u *User, in userIn) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.Username, in.Username)
	set(&u.FullName, in.FullName)
	set(&u.Password, in.Password)
	set(&u.Facility, in.Facility)
	set(&u.IDNumber, in.IDNumber)
	set(&u.Gender, in.Gender)
	set(&u.BirthYear, in.BirthYear)
}

func (s *Server) userJSON(u *User) map[string]any {
	roles := []map[string]any{}
	for _, id := range sortedKeys(s.roles) {
		r := s.roles[id]
		if r.User == u.ID {
			roles = append(roles, map[string]any{"id": r.ID, "kind": r.Kind, "collection": r.Collection})
		}
	}
	return map[string]any{
		"id": u.ID, "username": u.Username, "full_name": u.FullName, "facility": u.Facility,
		"roles": roles, "is_superuser": u.Superuser, "id_number": u.IDNumber, "gender": u.Gender,
		"birth_year": u.BirthYear, "extra_demographics": nil, "date_joined": "2026-01-01T00:00:00Z",
	}
}

func (s *Server) inCollection(uid, coll string) bool {
	if c := s.collections[coll]; c == nil {
		if f := s.facilities[coll]; f != nil {
			return s.users[uid] != nil && s.users[uid].Facility == coll
		}
		return false
	}
	for _, m := range s.memberships {
		if m.User == uid && m.Collection == coll {
			return true
		}
	}
	return false
}

func (s *Server) facilityUser(r *http.Request, parts []string, body []byte) (int, any, error) {
	q := r.URL.Query()
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		out := []map[string]any{}
		for _, id := range sortedKeys(s.users) {
			u := s.users[id]
			if m := q.Get("member_of"); m != "" && !s.inCollection(u.ID, m) {
				continue
			}
			out = append(out, s.userJSON(u))
		}
		return http.StatusOK, out, nil
	case len(parts) == 1 && r.Method == http.MethodPost:
		var in userIn
		if err := json.Unmarshal(body, &in); err != nil {
			return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "JSON parse error")
		}
		if err := s.checkUser(in, nil); err != nil {
			return 0, nil, err
		}
		u := &User{ID: newID(), Facility: s.defaultFacility, Gender: "NOT_SPECIFIED", BirthYear: "NOT_SPECIFIED"}
		apply(u, in)
		s.users[u.ID] = u
		return http.StatusCreated, s.userJSON(u), nil
	case len(parts) == 2:
		u := s.users[parts[1]]
		if u == nil {
			return 0, nil, errList(http.StatusNotFound, "NOT_FOUND", "", "")
		}
		switch r.Method {
		case http.MethodGet:
			return http.StatusOK, s.userJSON(u), nil
		case http.MethodPatch, http.MethodPut:
			var in userIn
			if err := json.Unmarshal(body, &in); err != nil {
				return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "JSON parse error")
			}
			if err := s.checkUser(in, u); err != nil {
				return 0, nil, err
			}
			apply(u, in)
			return http.StatusOK, s.userJSON(u), nil
		case http.MethodDelete:
			if msg, ok := s.refuse[u.IDNumber]; ok {
				return 0, nil, errList(http.StatusBadRequest, "INVALID", "", msg)
			}
			delete(s.users, u.ID)
			for id, m := range s.memberships {
				if m.User == u.ID {
					delete(s.memberships, id)
				}
			}
			for id, ro := range s.roles {
				if ro.User == u.ID {
					delete(s.roles, id)
				}
			}
			return http.StatusNoContent, nil, nil
		}
	}
	return 0, nil, errList(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "", "")
}

func (s *Server) collection(r *http.Request, parts []string, body []byte) (int, any, error) {
	kind := parts[0]
	parentOK := func(p string) bool {
		if kind == "classroom" {
			return s.facilities[p] != nil
		}
		c := s.collections[p]
		return c != nil && c.Kind == "classroom"
	}
	view := func(c *Collection) map[string]any {
		v := map[string]any{"id": c.ID, "name": c.Name, "parent": c.Parent}
		if kind == "learnergroup" {
			ids := []string{}
			for _, m := range s.memberships {
				if m.Collection == c.ID {
					ids = append(ids, m.User)
				}
			}
			sort.Strings(ids)
			v["user_ids"] = ids
		}
		return v
	}
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		out := []map[string]any{}
		for _, id := range sortedKeys(s.collections) {
			c := s.collections[id]
			if c.Kind == kind && (r.URL.Query().Get("parent") == "" || r.URL.Query().Get("parent") == c.Parent) {
				out = append(out, view(c))
			}
		}
		return http.StatusOK, out, nil
	case len(parts) == 1 && r.Method == http.MethodPost:
		var in struct {
			Name   string `json:"name"`
			Parent string `json:"parent"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "JSON parse error")
		}
		if strings.TrimSpace(in.Name) == "" {
			return 0, nil, errList(http.StatusBadRequest, "REQUIRED", "name", "This field is required.")
		}
		if len([]rune(in.Name)) > 100 {
			return 0, nil, errList(http.StatusBadRequest, "MAX_LENGTH", "name", "Ensure this field has no more than 100 characters.")
		}
		if !parentOK(in.Parent) {
			return 0, nil, errList(http.StatusBadRequest, "DOES_NOT_EXIST", "parent", "Invalid pk - object does not exist.")
		}
		for _, o := range s.collections {
			if o.Kind == kind && o.Parent == in.Parent && o.Name == in.Name {
				return 0, nil, errList(http.StatusBadRequest, "UNIQUE", "", "The fields parent, name must make a unique set.")
			}
		}
		c := &Collection{ID: newID(), Name: in.Name, Parent: in.Parent, Kind: kind}
		s.collections[c.ID] = c
		return http.StatusCreated, view(c), nil
	case len(parts) == 2 && r.Method == http.MethodPatch:
		c := s.collections[parts[1]]
		if c == nil || c.Kind != kind {
			return 0, nil, errList(http.StatusNotFound, "NOT_FOUND", "", "")
		}
		var in struct {
			Name *string `json:"name"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "JSON parse error")
		}
		if in.Name != nil {
			c.Name = *in.Name
		}
		return http.StatusOK, view(c), nil
	}
	return 0, nil, errList(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "", "")
}

// list decodes a single object or a list (the bulk form).
func list[T any](body []byte) ([]T, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var out []T
		err := json.Unmarshal(body, &out)
		return out, err
	}
	var one T
	err := json.Unmarshal(body, &one)
	return []T{one}, err
}

func (s *Server) refusedUser(uid string) error {
	if u := s.users[uid]; u != nil {
		if msg, ok := s.refuse[u.IDNumber]; ok {
			return errList(http.StatusBadRequest, "INVALID", "", msg)
		}
	}
	return nil
}

func (s *Server) membership(r *http.Request, parts []string, body []byte) (int, any, error) {
	q := r.URL.Query()
	match := func(m *Membership) bool {
		if v := q.Get("user"); v != "" && m.User != v {
			return false
		}
		if v := q.Get("collection"); v != "" && m.Collection != v {
			return false
		}
		if v := q.Get("user_ids"); v != "" && !contains(strings.Split(v, ","), m.User) {
			return false
		}
		return true
	}
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		out := []Membership{}
		for _, id := range sortedKeys(s.memberships) {
			if m := s.memberships[id]; match(m) {
				out = append(out, *m)
			}
		}
		return http.StatusOK, out, nil
	case len(parts) == 1 && r.Method == http.MethodPost:
		in, err := list[Membership](body)
		if err != nil {
			return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "JSON parse error")
		}
		// Validate every row before creating any (bulk create is atomic).
		seen := map[[2]string]bool{}
		for _, m := range in {
			c := s.collections[m.Collection]
			if c == nil {
				return 0, nil, errList(http.StatusBadRequest, "DOES_NOT_EXIST", "collection", "Invalid pk - object does not exist.")
			}
			if s.users[m.User] == nil {
				return 0, nil, errList(http.StatusBadRequest, "DOES_NOT_EXIST", "user", "Invalid pk - object does not exist.")
			}
			if err := s.refusedUser(m.User); err != nil {
				return 0, nil, err
			}
			if c.Kind == "learnergroup" && !s.inCollection(m.User, c.Parent) {
				return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "User must be a member of the parent classroom.")
			}
			k := [2]string{m.User, m.Collection}
			if seen[k] || s.inCollection(m.User, m.Collection) {
				return 0, nil, errList(http.StatusBadRequest, "UNIQUE", "", "The fields user, collection must make a unique set.")
			}
			seen[k] = true
		}
		out := make([]Membership, 0, len(in))
		for _, m := range in {
			m.ID = newID()
			s.memberships[m.ID] = &m
			out = append(out, m)
		}
		return http.StatusCreated, out, nil
	case len(parts) == 1 && r.Method == http.MethodDelete:
		if q.Get("user") == "" && q.Get("collection") == "" && q.Get("user_ids") == "" {
			return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "A filter is required for bulk delete.")
		}
		for id, m := range s.memberships {
			if match(m) {
				delete(s.memberships, id)
			}
		}
		return http.StatusNoContent, nil, nil
	case len(parts) == 2 && r.Method == http.MethodDelete:
		if s.memberships[parts[1]] == nil {
			return 0, nil, errList(http.StatusNotFound, "NOT_FOUND", "", "")
		}
		delete(s.memberships, parts[1])
		return http.StatusNoContent, nil, nil
	}
	return 0, nil, errList(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "", "")
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (s *Server) role(r *http.Request, parts []string, body []byte) (int, any, error) {
	q := r.URL.Query()
	match := func(ro *Role) bool {
		for k, v := range map[string]string{"user": ro.User, "collection": ro.Collection, "kind": ro.Kind} {
			if f := q.Get(k); f != "" && f != v {
				return false
			}
		}
		if v := q.Get("user_ids"); v != "" && !contains(strings.Split(v, ","), ro.User) {
			return false
		}
		return true
	}
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		out := []Role{}
		for _, id := range sortedKeys(s.roles) {
			if ro := s.roles[id]; match(ro) {
				out = append(out, *ro)
			}
		}
		return http.StatusOK, out, nil
	case len(parts) == 1 && r.Method == http.MethodPost:
		in, err := list[Role](body)
		if err != nil {
			return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "JSON parse error")
		}
		seen := map[[3]string]bool{}
		for _, ro := range in {
			switch ro.Kind {
			case "admin", "coach", "classroom assignable coach":
			default:
				return 0, nil, errList(http.StatusBadRequest, "INVALID_CHOICE", "kind", "\""+ro.Kind+"\" is not a valid choice.")
			}
			if s.collections[ro.Collection] == nil && s.facilities[ro.Collection] == nil {
				return 0, nil, errList(http.StatusBadRequest, "DOES_NOT_EXIST", "collection", "Invalid pk - object does not exist.")
			}
			if s.users[ro.User] == nil {
				return 0, nil, errList(http.StatusBadRequest, "DOES_NOT_EXIST", "user", "Invalid pk - object does not exist.")
			}
			if err := s.refusedUser(ro.User); err != nil {
				return 0, nil, err
			}
			k := [3]string{ro.User, ro.Collection, ro.Kind}
			dup := seen[k]
			for _, o := range s.roles {
				if o.User == ro.User && o.Collection == ro.Collection && o.Kind == ro.Kind {
					dup = true
				}
			}
			if dup {
				return 0, nil, errList(http.StatusBadRequest, "UNIQUE", "", "The fields user, collection, kind must make a unique set.")
			}
			seen[k] = true
		}
		out := make([]Role, 0, len(in))
		for _, ro := range in {
			ro.ID = newID()
			s.roles[ro.ID] = &ro
			out = append(out, ro)
		}
		return http.StatusCreated, out, nil
	case len(parts) == 1 && r.Method == http.MethodDelete:
		if q.Get("user") == "" && q.Get("collection") == "" && q.Get("user_ids") == "" {
			return 0, nil, errList(http.StatusBadRequest, "INVALID", "", "A filter is required for bulk delete.")
		}
		for id, ro := range s.roles {
			if match(ro) {
				delete(s.roles, id)
			}
		}
		return http.StatusNoContent, nil, nil
	}
	return 0, nil, errList(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "", "")
}

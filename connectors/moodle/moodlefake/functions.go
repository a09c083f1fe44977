package moodlefake

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	usernameBad = regexp.MustCompile(`[^-.@_a-z0-9]`)
	emailOK     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

func (s *Server) refused(idnumber string) error {
	if msg, ok := s.refuse[idnumber]; ok && idnumber != "" {
		return invalidParam(msg)
	}
	return nil
}

func userJSON(u *User) map[string]any {
	return map[string]any{
		"id": u.ID, "username": u.Username, "firstname": u.Firstname, "lastname": u.Lastname,
		"fullname": u.Firstname + " " + u.Lastname, "email": u.Email, "idnumber": u.IDNumber,
		"auth": u.Auth, "suspended": u.Suspended, "confirmed": true, "lang": "en",
		"theme": "", "timezone": "99", "mailformat": 1, "department": "", "institution": "",
		"firstaccess": 0, "lastaccess": 0, "description": "", "descriptionformat": 1,
		"profileimageurlsmall": "", "profileimageurl": "",
	}
}

func (s *Server) getUsersByField(p *node) (any, error) {
	field, err := p.str("field")
	if err != nil {
		return nil, err
	}
	vals, err := p.get("values").list("values")
	if err != nil {
		return nil, err
	}
	if field != "id" && field != "idnumber" && field != "username" && field != "email" {
		return nil, invalidParam("field => Invalid parameter value detected")
	}
	want := map[string]bool{}
	for _, v := range vals {
		want[v.val] = true
	}
	out := []map[string]any{}
	ids := make([]int, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		u := s.users[id]
		if u.Deleted {
			continue
		}
		var v string
		switch field {
		case "id":
			v = strconv.Itoa(u.ID)
		case "idnumber":
			v = u.IDNumber
		case "username":
			v = u.Username
		case "email":
			v = u.Email
		}
		if v != "" && want[v] {
			out = append(out, userJSON(u))
		}
	}
	return out, nil
}

func (s *Server) liveByUsername(name string) *User {
	for _, u := range s.users {
		if !u.Deleted && u.Username == name {
			return u
		}
	}
	return nil
}

func (s *Server) liveByEmail(email string, except int) *User {
	for _, u := range s.users {
		if !u.Deleted && u.ID != except && strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}

func (s *Server) createUsers(p *node) (any, error) {
	rows, err := p.get("users").list("users")
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, invalidParam("users => Invalid parameter value detected: Missing required key in single structure: users")
	}
	batchNames, batchEmails := map[string]bool{}, map[string]bool{}
	created := make([]*User, 0, len(rows))
	for i, r := range rows {
		u := &User{Auth: r.opt("auth", "manual"), IDNumber: r.opt("idnumber", "")}
		for _, f := range []struct {
			k string
			v *string
		}{{"username", &u.Username}, {"firstname", &u.Firstname}, {"lastname", &u.Lastname}, {"email", &u.Email}} {
			if *f.v, err = r.str(f.k); err != nil {
				return nil, invalidParam(fmt.Sprintf("users => Invalid parameter value detected: %d => %s", i, err.Error()))
			}
		}
		if err := s.refused(u.IDNumber); err != nil {
			return nil, err
		}
		if strings.TrimSpace(u.Username) == "" || strings.TrimSpace(u.Firstname) == "" || strings.TrimSpace(u.Lastname) == "" {
			return nil, invalidParam("Invalid parameter value detected: empty username, firstname or lastname")
		}
		if u.Username != usernameBad.ReplaceAllString(strings.ToLower(u.Username), "") {
			return nil, invalidParam("The username must be in lower case and contain only allowed characters: " + u.Username)
		}
		if s.liveByUsername(u.Username) != nil || batchNames[u.Username] {
			return nil, invalidParam("Username already exists: " + u.Username)
		}
		if !emailOK.MatchString(u.Email) {
			return nil, invalidParam("Email address is invalid: " + u.Email)
		}
		if s.liveByEmail(u.Email, 0) != nil || batchEmails[strings.ToLower(u.Email)] {
			return nil, invalidParam("Email address already exists: " + u.Email)
		}
		if u.Auth == "manual" && r.opt("password", "") == "" && r.opt("createpassword", "0") != "1" {
			return nil, invalidParam("Invalid password: you must provide a password, or set createpassword.")
		}
		batchNames[u.Username] = true
		batchEmails[strings.ToLower(u.Email)] = true
		created = append(created, u)
	}
	out := make([]map[string]any, len(created))
	for i, u := range created {
		u.ID = s.newID()
		s.users[u.ID] = u
		out[i] = map[string]any{"id": u.ID, "username": u.Username}
	}
	return out, nil
}

func (s *Server) updateUsers(p *node) (any, error) {
	rows, err := p.get("users").list("users")
	if err != nil {
		return nil, err
	}
	type upd struct {
		u *User
		r *node
	}
	var todo []upd
	for _, r := range rows {
		id, err := r.integer("id")
		if err != nil {
			return nil, err
		}
		u, ok := s.users[id]
		// Missing, deleted and admin users are skipped silently.
		if !ok || u.Deleted || id == 2 {
			continue
		}
		if err := s.refused(u.IDNumber); err != nil {
			return nil, err
		}
		if r.has("idnumber") {
			if err := s.refused(r.opt("idnumber", "")); err != nil {
				return nil, err
			}
		}
		if r.has("username") {
			n := r.opt("username", "")
			if n != usernameBad.ReplaceAllString(strings.ToLower(n), "") || n == "" {
				return nil, invalidParam("Invalid username: " + n)
			}
		}
		todo = append(todo, upd{u, r})
	}
	for _, t := range todo {
		u, r := t.u, t.r
		if r.has("username") {
			n := r.opt("username", "")
			if o := s.liveByUsername(n); o != nil && o.ID != u.ID {
				continue // duplicate username: skipped silently
			}
			u.Username = n
		}
		if r.has("email") {
			e := r.opt("email", "")
			if !emailOK.MatchString(e) || s.liveByEmail(e, u.ID) != nil {
				continue // invalid or duplicate email: skipped silently
			}
			u.Email = e
		}
		if r.has("firstname") {
			u.Firstname = r.opt("firstname", "")
		}
		if r.has("lastname") {
			u.Lastname = r.opt("lastname", "")
		}
		if r.has("idnumber") {
			u.IDNumber = r.opt("idnumber", "")
		}
		if r.has("auth") {
			u.Auth = r.opt("auth", "")
		}
		if r.has("suspended") {
			u.Suspended = r.opt("suspended", "0") == "1"
		}
	}
	return nil, nil
}

func (s *Server) deleteUsers(p *node) (any, error) {
	ids, err := p.get("userids").list("userids")
	if err != nil {
		return nil, err
	}
	var del []*User
	for _, n := range ids {
		id, err := strconv.Atoi(n.val)
		if err != nil {
			return nil, invalidParam("userids => Invalid parameter value detected")
		}
		u, ok := s.users[id]
		if !ok || u.Deleted {
			return nil, missingRecord("user")
		}
		if id == 2 {
			return nil, moodleErr("useradminodelete", "Admin users can not be deleted")
		}
		if err := s.refused(u.IDNumber); err != nil {
			return nil, err
		}
		del = append(del, u)
	}
	for _, u := range del {
		// delete_user() keeps the row, renames it and clears its idnumber.
		u.Deleted = true
		u.Username = fmt.Sprintf("%s.%d", u.Email, u.ID)
		u.Email = ""
		u.IDNumber = ""
		for k := range s.enrolments {
			if k.user == u.ID {
				delete(s.enrolments, k)
			}
		}
		for _, m := range s.cohortMem {
			delete(m, u.ID)
		}
		for _, m := range s.groupMem {
			delete(m, u.ID)
		}
	}
	return nil, nil
}

func catJSON(c *Category) map[string]any {
	return map[string]any{
		"id": c.ID, "name": c.Name, "idnumber": c.IDNumber, "parent": c.Parent,
		"description": "", "descriptionformat": 1, "sortorder": c.ID, "coursecount": 0, "visible": 1,
		"visibleold": 1, "timemodified": 0, "depth": 1, "path": "/" + strconv.Itoa(c.ID), "theme": "",
	}
}

func (s *Server) getCategories(p *node) (any, error) {
	crit, err := p.get("criteria").list("criteria")
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	ids := make([]int, 0, len(s.categories))
	for id := range s.categories {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		c := s.categories[id]
		ok := true
		for _, cr := range crit {
			k, v := cr.opt("key", ""), cr.opt("value", "")
			switch k {
			case "id":
				ok = ok && strconv.Itoa(c.ID) == v
			case "idnumber":
				ok = ok && c.IDNumber == v
			case "name":
				ok = ok && c.Name == v
			case "parent":
				ok = ok && strconv.Itoa(c.Parent) == v
			default:
				return nil, invalidParam("criteria => Invalid parameter value detected: key " + k)
			}
		}
		if ok {
			out = append(out, catJSON(c))
		}
	}
	return out, nil
}

func (s *Server) catByIDNumber(idn string) *Category {
	for _, c := range s.categories {
		if idn != "" && c.IDNumber == idn {
			return c
		}
	}
	return nil
}

func (s *Server) createCategories(p *node) (any, error) {
	rows, err := p.get("categories").list("categories")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var add []*Category
	for _, r := range rows {
		name, err := r.str("name")
		if err != nil {
			return nil, err
		}
		parent, err := r.optInt("parent", 0)
		if err != nil {
			return nil, err
		}
		if _, ok := s.categories[parent]; parent != 0 && !ok {
			return nil, missingRecord("course_categories")
		}
		idn := r.opt("idnumber", "")
		if idn != "" && (s.catByIDNumber(idn) != nil || seen[idn]) {
			return nil, moodleErr("categoryidnumbertaken", "ID number is already used for another category")
		}
		seen[idn] = true
		add = append(add, &Category{Name: name, IDNumber: idn, Parent: parent})
	}
	out := make([]map[string]any, len(add))
	for i, c := range add {
		c.ID = s.newID()
		s.categories[c.ID] = c
		out[i] = map[string]any{"id": c.ID, "name": c.Name}
	}
	return out, nil
}

func (s *Server) updateCategories(p *node) (any, error) {
	rows, err := p.get("categories").list("categories")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		id, err := r.integer("id")
		if err != nil {
			return nil, err
		}
		if _, ok := s.categories[id]; !ok {
			return nil, missingRecord("course_categories")
		}
	}
	for _, r := range rows {
		id, _ := r.integer("id")
		c := s.categories[id]
		if r.has("name") {
			c.Name = r.opt("name", "")
		}
		if r.has("parent") {
			c.Parent, _ = r.optInt("parent", 0)
		}
	}
	return nil, nil
}

func courseJSON(c *Course) map[string]any {
	return map[string]any{
		"id": c.ID, "fullname": c.Fullname, "displayname": c.Fullname, "shortname": c.Shortname,
		"categoryid": c.CategoryID, "categoryname": "", "idnumber": c.IDNumber, "visible": c.Visible,
		"summary": "", "summaryformat": 1, "format": "topics", "startdate": 0, "enddate": 0,
		"showgrades": true, "newsitems": 5, "maxbytes": 0, "showreports": 0, "groupmode": 0,
		"groupmodeforce": 0, "defaultgroupingid": 0, "enablecompletion": 1, "completionnotify": 0,
		"lang": "", "theme": "", "marker": 0, "legacyfiles": 0, "calendartype": "", "timecreated": 0,
		"timemodified": 0, "requested": 0, "cacherev": 0, "filters": []any{}, "courseformatoptions": []any{},
	}
}

func (s *Server) getCoursesByField(p *node) (any, error) {
	field, value := p.opt("field", ""), p.opt("value", "")
	ids := make([]int, 0, len(s.courses))
	for id := range s.courses {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	want := map[string]bool{}
	if field == "ids" {
		for _, v := range strings.Split(value, ",") {
			want[strings.TrimSpace(v)] = true
		}
	}
	out := []map[string]any{}
	for _, id := range ids {
		c := s.courses[id]
		var ok bool
		switch field {
		case "":
			ok = true
		case "id":
			ok = strconv.Itoa(c.ID) == value
		case "ids":
			ok = want[strconv.Itoa(c.ID)]
		case "shortname":
			ok = c.Shortname == value
		case "idnumber":
			ok = c.IDNumber == value && value != ""
		case "category":
			ok = strconv.Itoa(c.CategoryID) == value
		default:
			return nil, invalidParam("field => Invalid parameter value detected")
		}
		if ok {
			out = append(out, courseJSON(c))
		}
	}
	return map[string]any{"courses": out, "warnings": []any{}}, nil
}

func (s *Server) createCourses(p *node) (any, error) {
	rows, err := p.get("courses").list("courses")
	if err != nil {
		return nil, err
	}
	short, idns := map[string]bool{}, map[string]bool{}
	var add []*Course
	for _, r := range rows {
		c := &Course{Visible: 1}
		if c.Fullname, err = r.str("fullname"); err != nil {
			return nil, err
		}
		if c.Shortname, err = r.str("shortname"); err != nil {
			return nil, err
		}
		if c.CategoryID, err = r.integer("categoryid"); err != nil {
			return nil, err
		}
		c.IDNumber = r.opt("idnumber", "")
		if c.Visible, err = r.optInt("visible", 1); err != nil {
			return nil, err
		}
		if _, ok := s.categories[c.CategoryID]; !ok {
			return nil, missingRecord("course_categories")
		}
		if short[c.Shortname] {
			return nil, moodleErr("shortnametaken", "Short name is already used for another course ("+c.Shortname+")")
		}
		for _, o := range s.courses {
			if o.Shortname == c.Shortname {
				return nil, moodleErr("shortnametaken", "Short name is already used for another course ("+o.Fullname+")")
			}
			if c.IDNumber != "" && o.IDNumber == c.IDNumber {
				return nil, moodleErr("courseidnumbertaken", "ID number is already used for another course ("+o.Fullname+")")
			}
		}
		if c.IDNumber != "" && idns[c.IDNumber] {
			return nil, moodleErr("courseidnumbertaken", "ID number is already used for another course ("+c.Fullname+")")
		}
		short[c.Shortname], idns[c.IDNumber] = true, true
		add = append(add, c)
	}
	out := make([]map[string]any, len(add))
	for i, c := range add {
		c.ID = s.newID()
		s.courses[c.ID] = c
		out[i] = map[string]any{"id": c.ID, "shortname": c.Shortname}
	}
	return out, nil
}

func (s *Server) updateCourses(p *node) (any, error) {
	rows, err := p.get("courses").list("courses")
	if err != nil {
		return nil, err
	}
	warnings := []map[string]any{}
	for _, r := range rows {
		id, err := r.integer("id")
		if err != nil {
			return nil, err
		}
		c, ok := s.courses[id]
		if !ok {
			warnings = append(warnings, map[string]any{"item": "course", "itemid": id, "warningcode": "errorcourseupdate", "message": "Course not found"})
			continue
		}
		if r.has("categoryid") {
			cat, _ := r.optInt("categoryid", 0)
			if _, ok := s.categories[cat]; !ok {
				warnings = append(warnings, map[string]any{"item": "course", "itemid": id, "warningcode": "errorcourseupdate", "message": "Category not found"})
				continue
			}
			c.CategoryID = cat
		}
		if r.has("fullname") {
			c.Fullname = r.opt("fullname", "")
		}
		if r.has("visible") {
			c.Visible, _ = r.optInt("visible", 1)
		}
	}
	return map[string]any{"warnings": warnings}, nil
}

var roleShort = map[int]string{1: "manager", 2: "coursecreator", 3: "editingteacher", 4: "teacher", 5: "student", 6: "guest", 7: "user", 8: "frontpage"}

func (s *Server) getEnrolledUsers(p *node) (any, error) {
	cid, err := p.integer("courseid")
	if err != nil {
		return nil, err
	}
	if _, ok := s.courses[cid]; !ok {
		return nil, missingRecord("course")
	}
	var uids []int
	for k := range s.enrolments {
		if k.course == cid {
			uids = append(uids, k.user)
		}
	}
	sort.Ints(uids)
	out := make([]map[string]any, 0, len(uids))
	for _, uid := range uids {
		u := s.users[uid]
		var roles []map[string]any
		rids := make([]int, 0)
		for r := range s.enrolments[userKey{cid, uid}] {
			rids = append(rids, r)
		}
		sort.Ints(rids)
		for _, r := range rids {
			roles = append(roles, map[string]any{"roleid": r, "name": "", "shortname": roleShort[r], "sortorder": 0})
		}
		out = append(out, map[string]any{
			"id": u.ID, "username": u.Username, "fullname": u.Firstname + " " + u.Lastname,
			"idnumber": u.IDNumber, "email": u.Email, "roles": roles,
		})
	}
	return out, nil
}

type enrolRow struct{ course, user, role int }

func (s *Server) enrolRows(p *node, needRole bool) ([]enrolRow, error) {
	rows, err := p.get("enrolments").list("enrolments")
	if err != nil {
		return nil, err
	}
	out := make([]enrolRow, 0, len(rows))
	for _, r := range rows {
		var e enrolRow
		if needRole {
			if e.role, err = r.integer("roleid"); err != nil {
				return nil, err
			}
		} else if e.role, err = r.optInt("roleid", 0); err != nil {
			return nil, err
		}
		if e.user, err = r.integer("userid"); err != nil {
			return nil, err
		}
		if e.course, err = r.integer("courseid"); err != nil {
			return nil, err
		}
		c, ok := s.courses[e.course]
		if !ok {
			return nil, missingRecord("course")
		}
		u, ok := s.users[e.user]
		if !ok || u.Deleted {
			return nil, missingRecord("user")
		}
		if err := s.refused(u.IDNumber); err != nil {
			return nil, err
		}
		if c.NoManualInstance {
			return nil, moodleErr("wsnoinstance", "Manual enrolment plugin instance doesn't exist or is disabled for the course (id = "+strconv.Itoa(c.ID)+")")
		}
		if needRole && !s.assignable[e.role] {
			return nil, moodleErr("wsusercannotassign", "You don't have the permission to assign this role ("+strconv.Itoa(e.role)+") to this user ("+strconv.Itoa(e.user)+") in this course("+strconv.Itoa(e.course)+").")
		}
		out = append(out, e)
	}
	return out, nil
}

func (s *Server) enrolUsers(p *node) (any, error) {
	rows, err := s.enrolRows(p, true)
	if err != nil {
		return nil, err
	}
	for _, e := range rows {
		k := userKey{e.course, e.user}
		if s.enrolments[k] == nil {
			s.enrolments[k] = map[int]bool{}
		}
		s.enrolments[k][e.role] = true
	}
	return nil, nil
}

func (s *Server) unenrolUsers(p *node) (any, error) {
	rows, err := s.enrolRows(p, false)
	if err != nil {
		return nil, err
	}
	for _, e := range rows {
		k := userKey{e.course, e.user}
		delete(s.enrolments, k)
		for gid, m := range s.groupMem {
			if s.groups[gid].CourseID == e.course {
				delete(m, e.user)
			}
		}
	}
	return nil, nil
}

func cohortJSON(c *Cohort) map[string]any {
	return map[string]any{
		"id": c.ID, "name": c.Name, "idnumber": c.IDNumber, "description": "",
		"descriptionformat": 1, "visible": true, "theme": "",
	}
}

func (s *Server) getCohorts(p *node) (any, error) {
	ids, err := p.get("cohortids").list("cohortids")
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	if len(ids) == 0 {
		all := make([]int, 0, len(s.cohorts))
		for id := range s.cohorts {
			all = append(all, id)
		}
		sort.Ints(all)
		for _, id := range all {
			out = append(out, cohortJSON(s.cohorts[id]))
		}
		return out, nil
	}
	for _, n := range ids {
		id, _ := strconv.Atoi(n.val)
		c, ok := s.cohorts[id]
		if !ok {
			return nil, missingRecord("cohort")
		}
		out = append(out, cohortJSON(c))
	}
	return out, nil
}

func (s *Server) cohortByIDNumber(idn string) *Cohort {
	for _, c := range s.cohorts {
		if c.IDNumber == idn {
			return c
		}
	}
	return nil
}

func (s *Server) createCohorts(p *node) (any, error) {
	rows, err := p.get("cohorts").list("cohorts")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var add []*Cohort
	for _, r := range rows {
		ct := r.get("categorytype")
		if ct == nil {
			return nil, invalidParam("cohorts => Missing required key in single structure: categorytype")
		}
		typ, err := ct.str("type")
		if err != nil {
			return nil, err
		}
		val := ct.opt("value", "")
		ctx := 1
		switch typ {
		case "system":
		case "id":
			id, _ := strconv.Atoi(val)
			if _, ok := s.categories[id]; !ok {
				return nil, missingRecord("course_categories")
			}
			ctx = id
		case "idnumber":
			c := s.catByIDNumber(val)
			if c == nil {
				return nil, missingRecord("course_categories")
			}
			ctx = c.ID
		default:
			return nil, invalidParam("categorytype => Invalid parameter value detected")
		}
		c := &Cohort{ContextID: ctx}
		if c.Name, err = r.str("name"); err != nil {
			return nil, err
		}
		if c.IDNumber, err = r.str("idnumber"); err != nil {
			return nil, err
		}
		if s.cohortByIDNumber(c.IDNumber) != nil || seen[c.IDNumber] {
			return nil, invalidParam("record already exists: idnumber=" + c.IDNumber)
		}
		seen[c.IDNumber] = true
		add = append(add, c)
	}
	out := make([]map[string]any, len(add))
	for i, c := range add {
		c.ID = s.newID()
		s.cohorts[c.ID] = c
		s.cohortMem[c.ID] = map[int]bool{}
		out[i] = cohortJSON(c)
	}
	return out, nil
}

func (s *Server) getCohortMembers(p *node) (any, error) {
	ids, err := p.get("cohortids").list("cohortids")
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, n := range ids {
		id, _ := strconv.Atoi(n.val)
		if _, ok := s.cohorts[id]; !ok {
			continue
		}
		uids := []int{}
		for u := range s.cohortMem[id] {
			uids = append(uids, u)
		}
		sort.Ints(uids)
		out = append(out, map[string]any{"cohortid": id, "userids": uids})
	}
	return out, nil
}

func (s *Server) addCohortMembers(p *node) (any, error) {
	rows, err := p.get("members").list("members")
	if err != nil {
		return nil, err
	}
	warnings := []map[string]any{}
	for _, r := range rows {
		ct, ut := r.get("cohorttype"), r.get("usertype")
		if ct == nil || ut == nil {
			return nil, invalidParam("members => Missing required key in single structure")
		}
		var co *Cohort
		cv := ct.opt("value", "")
		switch ct.opt("type", "") {
		case "id":
			id, _ := strconv.Atoi(cv)
			co = s.cohorts[id]
		case "idnumber":
			co = s.cohortByIDNumber(cv)
		default:
			return nil, invalidParam("cohorttype => Invalid parameter value detected")
		}
		if co == nil {
			warnings = append(warnings, map[string]any{"item": "cohort", "itemid": cv, "warningcode": "1", "message": "Cohort not found"})
			continue
		}
		var u *User
		uv := ut.opt("value", "")
		switch ut.opt("type", "") {
		case "id":
			id, _ := strconv.Atoi(uv)
			if x, ok := s.users[id]; ok && !x.Deleted {
				u = x
			}
		case "idnumber":
			u = s.userByIDNumber(uv)
		case "username":
			u = s.liveByUsername(uv)
		default:
			return nil, invalidParam("usertype => Invalid parameter value detected")
		}
		if u == nil {
			warnings = append(warnings, map[string]any{"item": "user", "itemid": uv, "warningcode": "1", "message": "User not found"})
			continue
		}
		s.cohortMem[co.ID][u.ID] = true
	}
	return map[string]any{"warnings": warnings}, nil
}

func (s *Server) deleteCohortMembers(p *node) (any, error) {
	rows, err := p.get("members").list("members")
	if err != nil {
		return nil, err
	}
	type cm struct{ c, u int }
	var del []cm
	for _, r := range rows {
		c, err := r.integer("cohortid")
		if err != nil {
			return nil, err
		}
		u, err := r.integer("userid")
		if err != nil {
			return nil, err
		}
		if _, ok := s.cohorts[c]; !ok {
			return nil, missingRecord("cohort")
		}
		del = append(del, cm{c, u})
	}
	for _, d := range del {
		delete(s.cohortMem[d.c], d.u)
	}
	return nil, nil
}

func groupJSON(g *Group) map[string]any {
	return map[string]any{
		"id": g.ID, "courseid": g.CourseID, "name": g.Name, "idnumber": g.IDNumber,
		"description": "", "descriptionformat": 1, "enrolmentkey": "",
	}
}

func (s *Server) getCourseGroups(p *node) (any, error) {
	cid, err := p.integer("courseid")
	if err != nil {
		return nil, err
	}
	if _, ok := s.courses[cid]; !ok {
		return nil, missingRecord("course")
	}
	out := []map[string]any{}
	ids := []int{}
	for id, g := range s.groups {
		if g.CourseID == cid {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	for _, id := range ids {
		out = append(out, groupJSON(s.groups[id]))
	}
	return out, nil
}

func (s *Server) createGroups(p *node) (any, error) {
	rows, err := p.get("groups").list("groups")
	if err != nil {
		return nil, err
	}
	type key struct {
		c int
		n string
	}
	seen := map[key]bool{}
	var add []*Group
	for _, r := range rows {
		g := &Group{}
		if g.CourseID, err = r.integer("courseid"); err != nil {
			return nil, err
		}
		if g.Name, err = r.str("name"); err != nil {
			return nil, err
		}
		if _, err = r.str("description"); err != nil {
			return nil, err
		}
		g.IDNumber = r.opt("idnumber", "")
		if _, ok := s.courses[g.CourseID]; !ok {
			return nil, missingRecord("course")
		}
		for _, o := range s.groups {
			if o.CourseID == g.CourseID && o.Name == g.Name {
				return nil, invalidParam("Group with the same name already exists in the course")
			}
		}
		if seen[key{g.CourseID, g.Name}] {
			return nil, invalidParam("Group with the same name already exists in the course")
		}
		seen[key{g.CourseID, g.Name}] = true
		add = append(add, g)
	}
	out := make([]map[string]any, len(add))
	for i, g := range add {
		g.ID = s.newID()
		s.groups[g.ID] = g
		s.groupMem[g.ID] = map[int]bool{}
		out[i] = groupJSON(g)
	}
	return out, nil
}

func (s *Server) getGroupMembers(p *node) (any, error) {
	ids, err := p.get("groupids").list("groupids")
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, n := range ids {
		id, _ := strconv.Atoi(n.val)
		if _, ok := s.groups[id]; !ok {
			return nil, missingRecord("groups")
		}
		uids := []int{}
		for u := range s.groupMem[id] {
			uids = append(uids, u)
		}
		sort.Ints(uids)
		out = append(out, map[string]any{"groupid": id, "userids": uids})
	}
	return out, nil
}

func (s *Server) addGroupMembers(p *node) (any, error) {
	rows, err := p.get("members").list("members")
	if err != nil {
		return nil, err
	}
	type gm struct{ g, u int }
	var add []gm
	for _, r := range rows {
		g, err := r.integer("groupid")
		if err != nil {
			return nil, err
		}
		u, err := r.integer("userid")
		if err != nil {
			return nil, err
		}
		grp, ok := s.groups[g]
		if !ok {
			return nil, missingRecord("groups")
		}
		us, ok := s.users[u]
		if !ok || us.Deleted {
			return nil, missingRecord("user")
		}
		if err := s.refused(us.IDNumber); err != nil {
			return nil, err
		}
		if _, ok := s.enrolments[userKey{grp.CourseID, u}]; !ok {
			return nil, invalidParam("Only enrolled users may be members of groups")
		}
		add = append(add, gm{g, u})
	}
	for _, a := range add {
		s.groupMem[a.g][a.u] = true
	}
	return nil, nil
}

func (s *Server) deleteGroupMembers(p *node) (any, error) {
	rows, err := p.get("members").list("members")
	if err != nil {
		return nil, err
	}
	type gm struct{ g, u int }
	var del []gm
	for _, r := range rows {
		g, err := r.integer("groupid")
		if err != nil {
			return nil, err
		}
		u, err := r.integer("userid")
		if err != nil {
			return nil, err
		}
		if _, ok := s.groups[g]; !ok {
			return nil, missingRecord("groups")
		}
		del = append(del, gm{g, u})
	}
	for _, d := range del {
		delete(s.groupMem[d.g], d.u)
	}
	return nil, nil
}

func (s *Server) completionStatus(p *node) (any, error) {
	cid, err := p.integer("courseid")
	if err != nil {
		return nil, err
	}
	uid, err := p.integer("userid")
	if err != nil {
		return nil, err
	}
	if _, ok := s.courses[cid]; !ok {
		return nil, missingRecord("course")
	}
	st := s.completions[userKey{cid, uid}]
	if st == nil {
		st = []Completion{}
	}
	return map[string]any{"statuses": st, "warnings": []any{}}, nil
}

func (s *Server) gradeItems(p *node) (any, error) {
	cid, err := p.integer("courseid")
	if err != nil {
		return nil, err
	}
	uid, err := p.optInt("userid", 0)
	if err != nil {
		return nil, err
	}
	c, ok := s.courses[cid]
	if !ok {
		return nil, missingRecord("course")
	}
	var uids []int
	for k := range s.enrolments {
		if k.course == cid && (uid == 0 || k.user == uid) {
			uids = append(uids, k.user)
		}
	}
	sort.Ints(uids)
	out := []map[string]any{}
	for _, u := range uids {
		items := s.grades[userKey{cid, u}]
		if items == nil {
			items = []GradeItem{}
		}
		us := s.users[u]
		out = append(out, map[string]any{
			"courseid": cid, "courseidnumber": c.IDNumber, "userid": u,
			"userfullname": us.Firstname + " " + us.Lastname, "useridnumber": us.IDNumber, "maxdepth": 2, "gradeitems": items,
		})
	}
	return map[string]any{"usergrades": out, "warnings": []any{}}, nil
}

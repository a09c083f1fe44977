package moodle

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/passportbridge/passport/connectors"
)

// statementChunk is how many statements go to the sink at once.
const statementChunk = 500

// PullProgress reads activity completion and grades of the courses made
// from roster classes (those with an idnumber) and sends them as xAPI
// statements about the learners (matched by idnumber = sourcedId). The
// cursor is the unix time of the newest completion or grade seen.
func (c *Connector) PullProgress(ctx context.Context, cursor string, sink connectors.StatementSink) (string, error) {
	var since int64
	if cursor != "" {
		v, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil {
			return "", fmt.Errorf("moodle progress cursor %q: %w", cursor, err)
		}
		since = v
	}
	var all struct {
		Courses []mCourse `json:"courses"`
	}
	if err := c.cl.call(ctx, "core_course_get_courses_by_field", false, newForm(), &all); err != nil {
		return "", err
	}
	high := since
	var batch []connectors.Statement
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := sink.SaveStatements(ctx, batch); err != nil {
			return fmt.Errorf("save progress statements: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	add := func(s connectors.Statement, at int64) error {
		batch = append(batch, s)
		high = max(high, at)
		if len(batch) >= statementChunk {
			return flush()
		}
		return nil
	}
	for _, course := range all.Courses {
		if course.IDNumber == "" {
			continue
		}
		if c.pulls("grades") {
			if err := c.gradeStatements(ctx, course, since, add); err != nil {
				return "", err
			}
		}
		if c.pulls("completion") {
			if err := c.completionStatements(ctx, course, since, add); err != nil {
				return "", err
			}
		}
	}
	if err := flush(); err != nil {
		return "", err
	}
	return strconv.FormatInt(high, 10), nil
}

func (c *Connector) courseActivity(course mCourse) connectors.Activity {
	return connectors.Activity{
		ObjectType: "Activity", ID: c.root + "/course/view.php?id=" + strconv.Itoa(course.ID),
		Definition: &connectors.ActivityDefinition{Name: map[string]string{"und": course.Fullname}, Type: "http://adlnet.gov/expapi/activities/course"},
	}
}

func (c *Connector) moduleActivity(modname string, cmid int, name string) connectors.Activity {
	a := connectors.Activity{ObjectType: "Activity", ID: c.root + "/mod/" + modname + "/view.php?id=" + strconv.Itoa(cmid)}
	def := &connectors.ActivityDefinition{Type: "http://adlnet.gov/expapi/activities/module"}
	if name != "" {
		def.Name = map[string]string{"und": name}
	}
	a.Definition = def
	return a
}

func (c *Connector) context(course mCourse) *connectors.Context {
	return &connectors.Context{Platform: "Moodle", Extensions: map[string]any{
		"https://passportbridge.org/xapi/extensions/class": course.IDNumber,
	}}
}

func (c *Connector) gradeStatements(ctx context.Context, course mCourse, since int64, add func(connectors.Statement, int64) error) error {
	f := newForm()
	f.set("courseid", strconv.Itoa(course.ID))
	f.set("userid", "0")
	var out struct {
		UserGrades []struct {
			UserIDNumber string `json:"useridnumber"`
			UserID       int    `json:"userid"`
			GradeItems   []struct {
				ID              int      `json:"id"`
				ItemName        string   `json:"itemname"`
				ItemType        string   `json:"itemtype"`
				ItemModule      string   `json:"itemmodule"`
				CMID            int      `json:"cmid"`
				GradeRaw        *float64 `json:"graderaw"`
				GradeMin        float64  `json:"grademin"`
				GradeMax        float64  `json:"grademax"`
				GradeDateGraded int64    `json:"gradedategraded"`
			} `json:"gradeitems"`
		} `json:"usergrades"`
	}
	if err := c.cl.call(ctx, "gradereport_user_get_grade_items", false, f, &out); err != nil {
		return err
	}
	for _, ug := range out.UserGrades {
		if ug.UserIDNumber == "" {
			continue
		}
		for _, gi := range ug.GradeItems {
			if gi.GradeRaw == nil || gi.GradeDateGraded == 0 || gi.GradeDateGraded < since {
				continue
			}
			obj := c.courseActivity(course)
			if gi.ItemType == "mod" && gi.CMID > 0 {
				obj = c.moduleActivity(gi.ItemModule, gi.CMID, gi.ItemName)
			}
			st := connectors.Statement{
				ID:        connectors.StatementID("moodle", c.root, "grade", strconv.Itoa(gi.ID), strconv.Itoa(ug.UserID), strconv.FormatInt(gi.GradeDateGraded, 10)),
				Actor:     connectors.LearnerAgent(c.cfg.ActorHomePage, ug.UserIDNumber),
				Verb:      connectors.VerbScored,
				Object:    obj,
				Result:    &connectors.Result{Score: connectors.NewScore(*gi.GradeRaw, gi.GradeMin, gi.GradeMax)},
				Context:   c.context(course),
				Timestamp: time.Unix(gi.GradeDateGraded, 0).UTC(),
			}
			if err := add(st, gi.GradeDateGraded); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Connector) completionStatements(ctx context.Context, course mCourse, since int64, add func(connectors.Statement, int64) error) error {
	f := newForm()
	f.set("courseid", strconv.Itoa(course.ID))
	var users []struct {
		ID       int    `json:"id"`
		IDNumber string `json:"idnumber"`
	}
	if err := c.cl.call(ctx, "core_enrol_get_enrolled_users", false, f, &users); err != nil {
		return err
	}
	for _, u := range users {
		if u.IDNumber == "" {
			continue
		}
		f := newForm()
		f.set("courseid", strconv.Itoa(course.ID))
		f.set("userid", strconv.Itoa(u.ID))
		var out struct {
			Statuses []struct {
				CMID          int    `json:"cmid"`
				Modname       string `json:"modname"`
				State         int    `json:"state"`
				TimeCompleted int64  `json:"timecompleted"`
			} `json:"statuses"`
		}
		if err := c.cl.call(ctx, "core_completion_get_activities_completion_status", false, f, &out); err != nil {
			if e, ok := asException(err); ok && !e.Fatal() {
				// e.g. the user is not visible to the token's user:
				// skip this learner, keep the others.
				c.logger.WarnContext(ctx, "moodle completion unavailable", "connector", c.id, "course", course.ID, "error", e.Error())
				continue
			}
			return err
		}
		for _, s := range out.Statuses {
			if s.State == 0 || s.TimeCompleted == 0 || s.TimeCompleted < since {
				continue
			}
			verb, res := connectors.VerbCompleted, &connectors.Result{Completion: ptr(true)}
			switch s.State {
			case 2:
				verb, res.Success = connectors.VerbPassed, ptr(true)
			case 3:
				verb, res.Success = connectors.VerbFailed, ptr(false)
			}
			st := connectors.Statement{
				ID:        connectors.StatementID("moodle", c.root, "completion", strconv.Itoa(s.CMID), strconv.Itoa(u.ID), strconv.Itoa(s.State), strconv.FormatInt(s.TimeCompleted, 10)),
				Actor:     connectors.LearnerAgent(c.cfg.ActorHomePage, u.IDNumber),
				Verb:      verb,
				Object:    c.moduleActivity(s.Modname, s.CMID, ""),
				Result:    res,
				Context:   c.context(course),
				Timestamp: time.Unix(s.TimeCompleted, 0).UTC(),
			}
			if err := add(st, s.TimeCompleted); err != nil {
				return err
			}
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

package kolibri

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/passportbridge/passport/connectors"
)

// Summary log columns (kolibri/core/logger/csv_export.py).
const (
	colFacility  = "facility name"
	colUsername  = "username"
	colChannel   = "channel id"
	colContent   = "content id"
	colTitle     = "content title"
	colLast      = "time of last interaction"
	colCompleted = "time of completion"
	colSpent     = "time spent (sec)"
	colProgress  = "progress (0-1)"
	colKind      = "content kind"
)

// progressExtension is cmi5's progress result extension (0-100).
const progressExtension = "https://w3id.org/xapi/cmi5/result/extensions/progress"

// LogRow is one row of a summary log export.
type LogRow struct {
	Facility, Username, Channel, Content, Title, Kind string
	Last, Completed                                   time.Time
	Spent, Progress                                   float64
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// ParseSummaryLog reads a summary (or session) log CSV, locating columns
// by their header names. Rows it cannot read are returned as errors with
// their line, and skipped.
func ParseSummaryLog(r io.Reader) ([]LogRow, []error, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{colFacility, colUsername, colChannel, colContent, colLast, colProgress} {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("not a kolibri log export: no %q column", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []LogRow
	var bad []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			bad = append(bad, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		row := LogRow{
			Facility: get(rec, colFacility), Username: get(rec, colUsername), Channel: get(rec, colChannel),
			Content: get(rec, colContent), Title: get(rec, colTitle), Kind: get(rec, colKind),
		}
		var perr error
		if row.Last, perr = parseTime(get(rec, colLast)); perr == nil {
			row.Completed, perr = parseTime(get(rec, colCompleted))
		}
		if perr == nil && get(rec, colSpent) != "" {
			row.Spent, perr = strconv.ParseFloat(get(rec, colSpent), 64)
		}
		if perr == nil && get(rec, colProgress) != "" {
			row.Progress, perr = strconv.ParseFloat(get(rec, colProgress), 64)
		}
		if perr == nil && (row.Username == "" || row.Content == "" || row.Last.IsZero()) {
			perr = errors.New("username, content id and time of last interaction are required")
		}
		if perr == nil && (row.Progress < 0 || row.Progress > 1) {
			perr = fmt.Errorf("progress %v is outside 0-1", row.Progress)
		}
		if perr != nil {
			bad = append(bad, fmt.Errorf("line %d: %w", line, perr))
			continue
		}
		rows = append(rows, row)
	}
	return rows, bad, nil
}

// Statement converts a log row into an xAPI statement about the learner
// with sourcedId actor; ok is false for rows with no progress.
func Statement(row LogRow, homePage, actor string) (connectors.Statement, bool) {
	if row.Progress <= 0 && row.Completed.IsZero() {
		return connectors.Statement{}, false
	}
	typ := "http://adlnet.gov/expapi/activities/media"
	if row.Kind == "exercise" {
		typ = "http://adlnet.gov/expapi/activities/assessment"
	}
	obj := connectors.Activity{
		ObjectType: "Activity", ID: "kolibri://" + row.Channel + "/" + row.Content,
		Definition: &connectors.ActivityDefinition{Type: typ},
	}
	if row.Title != "" {
		obj.Definition.Name = map[string]string{"und": row.Title}
	}
	res := &connectors.Result{Duration: connectors.Duration(row.Spent)}
	verb, at := connectors.VerbProgressed, row.Last
	done := row.Progress >= 1 || !row.Completed.IsZero()
	if done {
		t := true
		res.Completion = &t
		verb = connectors.VerbCompleted
		if row.Kind == "exercise" {
			verb = connectors.VerbMastered
			res.Success = &t
		}
		if !row.Completed.IsZero() {
			at = row.Completed
		}
	} else {
		res.Extensions = map[string]any{progressExtension: int(row.Progress * 100)}
	}
	return connectors.Statement{
		ID:        connectors.StatementID("kolibri", row.Facility, row.Username, row.Channel, row.Content, verb.ID, at.Format(time.RFC3339Nano)),
		Actor:     connectors.LearnerAgent(homePage, actor),
		Verb:      verb,
		Object:    obj,
		Result:    res,
		Context:   &connectors.Context{Platform: "Kolibri"},
		Timestamp: at,
	}, true
}

// PullProgress reads the summary log CSVs in logs_dir and sends a
// statement per learner and content with progress after the cursor (the
// RFC 3339 time of the newest interaction already sent). Learners are
// joined by facility and username: through the API when a url is set,
// else through bulkexportusers CSVs in logs_dir.
func (c *Connector) PullProgress(ctx context.Context, cursor string, sink connectors.StatementSink) (string, error) {
	if c.cfg.LogsDir == "" {
		return cursor, nil
	}
	var since time.Time
	if cursor != "" {
		t, err := time.Parse(time.RFC3339Nano, cursor)
		if err != nil {
			return "", fmt.Errorf("kolibri progress cursor %q: %w", cursor, err)
		}
		since = t
	}
	logs, users, err := c.readLogsDir()
	if err != nil {
		return "", err
	}
	ids, err := c.userIDs(ctx, users)
	if err != nil {
		return "", err
	}
	high := since
	var batch []connectors.Statement
	for _, row := range logs {
		if row.Last.Before(since) {
			continue
		}
		sid, ok := ids[strings.ToLower(row.Facility)+"\x00"+strings.ToLower(row.Username)]
		if !ok {
			sid, ok = ids["\x00"+strings.ToLower(row.Username)]
		}
		if !ok {
			continue // not a roster learner
		}
		st, ok := Statement(row, c.home, sid)
		if !ok {
			continue
		}
		batch = append(batch, st)
		if row.Last.After(high) {
			high = row.Last
		}
		if len(batch) >= 500 {
			if err := sink.SaveStatements(ctx, batch); err != nil {
				return "", fmt.Errorf("save progress statements: %w", err)
			}
			batch = nil
		}
	}
	if len(batch) > 0 {
		if err := sink.SaveStatements(ctx, batch); err != nil {
			return "", fmt.Errorf("save progress statements: %w", err)
		}
	}
	if high.IsZero() {
		return cursor, nil
	}
	return high.Format(time.RFC3339Nano), nil
}

// readLogsDir reads every CSV in logs_dir: summary logs, and user exports
// (bulkexportusers: username -> identifier).
func (c *Connector) readLogsDir() ([]LogRow, map[string]string, error) {
	paths, err := filepath.Glob(filepath.Join(c.cfg.LogsDir, "*.csv"))
	if err != nil {
		return nil, nil, fmt.Errorf("logs_dir: %w", err)
	}
	sort.Strings(paths)
	var logs []LogRow
	users := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, fmt.Errorf("logs_dir: %w", err)
		}
		head, _, _ := strings.Cut(string(b), "\n")
		if strings.Contains(head, "(USERNAME)") && strings.Contains(head, "(IDENTIFIER)") {
			if err := readUsers(b, users); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", filepath.Base(p), err)
			}
			continue
		}
		rows, bad, err := ParseSummaryLog(strings.NewReader(string(b)))
		if err != nil {
			c.logger.Warn("kolibri log file skipped", "connector", c.id, "file", filepath.Base(p), "err", err)
			continue
		}
		for _, e := range bad {
			c.logger.Warn("kolibri log row skipped", "connector", c.id, "file", filepath.Base(p), "err", e)
		}
		logs = append(logs, rows...)
	}
	sort.SliceStable(logs, func(i, j int) bool { return logs[i].Last.Before(logs[j].Last) })
	return logs, users, nil
}

func readUsers(b []byte, into map[string]string) error {
	cr := csv.NewReader(strings.NewReader(string(b)))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	ui, ii := -1, -1
	for i, h := range recs[0] {
		switch {
		case strings.Contains(h, "(USERNAME)"):
			ui = i
		case strings.Contains(h, "(IDENTIFIER)"):
			ii = i
		}
	}
	for _, r := range recs[1:] {
		if ui < len(r) && ii < len(r) && r[ii] != "" {
			into[strings.ToLower(r[ui])] = r[ii]
		}
	}
	return nil
}

// userIDs maps "facility name NUL username" (lowercased) to sourcedIds
// through the API, plus "NUL username" from user exports.
func (c *Connector) userIDs(ctx context.Context, fromFiles map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for u, id := range fromFiles {
		out["\x00"+u] = id
	}
	if c.root == "" {
		return out, nil
	}
	var facs []kFacility
	if err := c.cl.do(ctx, "GET", "/api/auth/facility/", nil, &facs); err != nil {
		return nil, err
	}
	for _, f := range facs {
		var us []kUser
		if err := c.cl.do(ctx, "GET", "/api/auth/facilityuser/?member_of="+url.QueryEscape(f.ID), nil, &us); err != nil {
			return nil, err
		}
		for _, u := range us {
			if u.IDNumber != "" {
				out[strings.ToLower(f.Name)+"\x00"+strings.ToLower(u.Username)] = u.IDNumber
			}
		}
	}
	return out, nil
}

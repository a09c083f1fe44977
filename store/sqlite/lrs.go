package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/store"
)

var _ lrs.Store = (*Store)(nil)

// SaveStatements implements lrs.StatementStore in one group-committed write.
// Every step works on the whole batch with one SQL statement, so a batch of
// 50 costs a handful of statement executions, not hundreds.
func (s *Store) SaveStatements(ctx context.Context, tenant string, now time.Time, ss []*lrs.Statement, parts []lrs.Part) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return saveStatements(ctx, tx, tenant, now, ss, parts, s.segShift)
	})
	if err != nil {
		return fmt.Errorf("save statements: %w", err)
	}
	return nil
}

// defaultSegShift sets the segment size: statement rows rowid >> segShift
// share a segment (schema_lrs.go, version 4). 4,096 rows keep the newest
// segment's index pages few enough to stay hot during ingest, and a query
// for a rare learner over a million statements walks about 250 segments.
// Tests use smaller segments to cross many boundaries.
const defaultSegShift = 12

// maxRows bounds the rows of one multi-row INSERT or IN list (well under
// SQLite's limit on bound parameters).
const maxRows = 400

// placeholders returns "(?, ?, ...)" repeated rows times, comma-separated.
func placeholders(cols, rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// insertRows runs one multi-row INSERT per chunk of rows.
func insertRows(ctx context.Context, tx *sql.Tx, head, tail string, cols int, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), maxRows)
		args := make([]any, 0, n*cols)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, head+placeholders(cols, n)+tail, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// lookup runs "SELECT k, v ... WHERE tenant = ? AND col IN (...)" over keys
// in chunks and returns v by k.
func lookup(ctx context.Context, tx *sql.Tx, q, tenant string, keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for len(keys) > 0 {
		n := min(len(keys), maxRows)
		args := make([]any, 0, n+1)
		args = append(args, tenant)
		for _, k := range keys[:n] {
			args = append(args, k)
		}
		rows, err := tx.QueryContext(ctx, q+"("+strings.TrimSuffix(strings.Repeat("?, ", n), ", ")+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			var v []byte
			if err := rows.Scan(&k, &v); err != nil {
				_ = rows.Close()
				return nil, err
			}
			out[k] = v
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		keys = keys[n:]
	}
	return out, nil
}

func saveStatements(ctx context.Context, tx *sql.Tx, tenant string, now time.Time, ss []*lrs.Statement, parts []lrs.Part, segShift int64) error {
	var maxStored sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(stored) FROM lrs_statements WHERE tenant = ?`, tenant).Scan(&maxStored); err != nil {
		return fmt.Errorf("read last stored: %w", err)
	}
	base := nanos(now)
	if maxStored.Valid && maxStored.Int64 >= base {
		base = maxStored.Int64 + 1
	}
	// Rows get explicit, increasing rowids so that their segment is known
	// before the insert; a new row's segment is never older than any stored.
	var lastRow int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM lrs_statements`).Scan(&lastRow); err != nil {
		return fmt.Errorf("read last row: %w", err)
	}
	ids := make([]string, len(ss))
	for i, st := range ss {
		ids[i] = st.ID.String()
	}
	existing, err := lookup(ctx, tx, `SELECT id, hash FROM lrs_statements WHERE tenant = ? AND id IN `, tenant, ids)
	if err != nil {
		return fmt.Errorf("read statements: %w", err)
	}
	voidedBy, err := lookup(ctx, tx, `SELECT void_target, id FROM lrs_statements WHERE void_target <> '' AND tenant = ? AND void_target IN `, tenant, ids)
	if err != nil {
		return fmt.Errorf("read voiding statements: %w", err)
	}
	var (
		stmtRows, agentRows, activityRows [][]any
		defs                              = map[string][]byte{}
		defIDs                            []string
		voidTargets                       []any
		segs                              [][]any // (tenant, seg) rows for lrs_segments
		lastSeg                           int64
	)
	for i, st := range ss {
		id := ids[i]
		if h, ok := existing[id]; ok {
			if string(h) != st.Hash {
				return fmt.Errorf("statement %s: %w", id, store.ErrConflict)
			}
			continue // the same statement again: a no-op
		}
		stored := base + int64(i)
		lastRow++
		seg := lastRow >> segShift
		if len(segs) == 0 || seg != lastSeg {
			segs = append(segs, []any{tenant, seg})
			lastSeg = seg
		}
		voidTarget, voided, refTarget := "", 0, ""
		if st.RefTarget != nil {
			refTarget = st.RefTarget.String()
		}
		if st.VoidTarget != nil {
			voidTarget = st.VoidTarget.String()
			voidTargets = append(voidTargets, voidTarget)
		} else if _, ok := voidedBy[id]; ok {
			voided = 1
		}
		atts := make([]string, 0, len(st.Attachments))
		for _, a := range st.Attachments {
			atts = append(atts, strings.ToLower(a.SHA2))
		}
		attsJSON, _ := json.Marshal(atts)
		stmtRows = append(stmtRows, []any{
			lastRow, seg, tenant, id, stored, st.Hash, st.VerbID, st.Registration,
			st.Authority, voidTarget, refTarget, voided, string(attsJSON), st.WithStored(time.Unix(0, stored)),
		})
		for _, k := range st.RelatedAgents {
			direct := 0
			if slices.Contains(st.Agents, k) {
				direct = 1
			}
			agentRows = append(agentRows, []any{tenant, seg, k, stored, id, direct})
		}
		for _, a := range st.RelatedActivities {
			direct := 0
			if a == st.Activity {
				direct = 1
			}
			activityRows = append(activityRows, []any{tenant, seg, a, stored, id, direct})
		}
		for aid, def := range st.Definitions {
			if prev, ok := defs[aid]; ok {
				def = lrs.MergeDefinition(prev, def)
			} else {
				defIDs = append(defIDs, aid)
			}
			defs[aid] = def
		}
	}
	if err := insertRows(ctx, tx, `INSERT INTO lrs_statements
		(rowid, seg, tenant, id, stored, hash, verb, registration, authority, void_target, ref_target, voided, atts, raw) VALUES `, "", 14, stmtRows); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("insert statements: %w", store.ErrConflict)
		}
		return fmt.Errorf("insert statements: %w", err)
	}
	if err := insertRows(ctx, tx, `INSERT OR IGNORE INTO lrs_segments (tenant, seg) VALUES `, "", 2, segs); err != nil {
		return fmt.Errorf("insert segments: %w", err)
	}
	if err := insertRows(ctx, tx, `INSERT INTO lrs_statement_agents (tenant, seg, key, stored, id, direct) VALUES `, "", 6, agentRows); err != nil {
		return fmt.Errorf("insert statement agents: %w", err)
	}
	if err := insertRows(ctx, tx, `INSERT INTO lrs_statement_activities (tenant, seg, activity, stored, id, direct) VALUES `, "", 6, activityRows); err != nil {
		return fmt.Errorf("insert statement activities: %w", err)
	}
	if len(defIDs) > 0 {
		prevDefs, err := lookup(ctx, tx, `SELECT id, definition FROM lrs_activities WHERE tenant = ? AND id IN `, tenant, defIDs)
		if err != nil {
			return fmt.Errorf("read activities: %w", err)
		}
		var defRows [][]any
		for _, aid := range defIDs {
			def := defs[aid]
			if prev, ok := prevDefs[aid]; ok {
				def = lrs.MergeDefinition(prev, def)
				if bytes.Equal(def, prev) {
					continue // nothing new: keep the page clean
				}
			}
			defRows = append(defRows, []any{tenant, aid, def})
		}
		if err := insertRows(ctx, tx, `INSERT INTO lrs_activities (tenant, id, definition) VALUES `,
			` ON CONFLICT (tenant, id) DO UPDATE SET definition = excluded.definition`, 3, defRows); err != nil {
			return fmt.Errorf("write activities: %w", err)
		}
	}
	for len(voidTargets) > 0 {
		n := min(len(voidTargets), maxRows)
		args := append([]any{tenant}, voidTargets[:n]...)
		ph := strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
		q := `UPDATE lrs_statements SET voided = 1 WHERE tenant = ? AND void_target = '' AND id IN (` + ph + `)` //nolint:gosec // only "?" placeholders are concatenated
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("void statements: %w", err)
		}
		voidTargets = voidTargets[n:]
	}
	for _, p := range parts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lrs_attachments (tenant, sha2, content_type, data)
			VALUES (?, ?, ?, ?) ON CONFLICT (tenant, sha2) DO NOTHING`, tenant, p.SHA2, p.ContentType, p.Data); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
	}
	return nil
}

func scanStatement(sc interface{ Scan(...any) error }) (lrs.StoredStatement, error) {
	var (
		id     string
		stored int64
		atts   string
		raw    []byte
	)
	if err := sc.Scan(&id, &stored, &atts, &raw); err != nil {
		return lrs.StoredStatement{}, err
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return lrs.StoredStatement{}, fmt.Errorf("stored statement id: %w", err)
	}
	out := lrs.StoredStatement{ID: u, Stored: fromNanos(stored), JSON: raw}
	if err := json.Unmarshal([]byte(atts), &out.Attachments); err != nil {
		return lrs.StoredStatement{}, fmt.Errorf("stored attachments: %w", err)
	}
	return out, nil
}

// Statement implements lrs.StatementStore.
func (s *Store) Statement(ctx context.Context, tenant string, id uuid.UUID, voided bool) (lrs.StoredStatement, error) {
	v := 0
	if voided {
		v = 1
	}
	row := s.db.QueryRowContext(ctx, `SELECT id, stored, atts, raw FROM lrs_statements
		WHERE tenant = ? AND id = ? AND voided = ?`, tenant, id.String(), v)
	st, err := scanStatement(row)
	if errors.Is(err, sql.ErrNoRows) {
		return lrs.StoredStatement{}, store.ErrNotFound
	}
	if err != nil {
		return lrs.StoredStatement{}, fmt.Errorf("read statement: %w", err)
	}
	return st, nil
}

// QueryStatements implements lrs.StatementStore. A page merges two
// sources: the statements that match the filters themselves (driven by the
// most selective index), and the statements whose StatementRef object
// targets, directly or through a chain of StatementRefs, a statement that
// matches them (Communication 2.1.3); time, order and cursor apply to the
// returned statements.
func (s *Store) QueryStatements(ctx context.Context, tenant string, q lrs.Query) (lrs.Page, error) {
	if q.Limit < 1 || q.Limit > lrs.MaxLimit {
		q.Limit = lrs.MaxLimit
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return lrs.Page{}, fmt.Errorf("query statements: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var page lrs.Page
	var maxStored sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(stored) FROM lrs_statements WHERE tenant = ?`, tenant).Scan(&maxStored); err != nil {
		return lrs.Page{}, fmt.Errorf("query statements: consistent-through: %w", err)
	}
	page.ConsistentThrough = time.Unix(0, maxStored.Int64).UTC()

	direct, err := queryRows(ctx, tx, directQuery(tenant, q))
	if err != nil {
		return lrs.Page{}, fmt.Errorf("query statements: %w", err)
	}
	rows := direct
	if hasFilters(q) {
		viaRefs, err := queryRows(ctx, tx, refQuery(tenant, q))
		if err != nil {
			return lrs.Page{}, fmt.Errorf("query statements via references: %w", err)
		}
		rows = mergeRows(direct, viaRefs, q.Ascending)
	}
	page.Statements = rows
	if len(page.Statements) > q.Limit {
		page.Statements = page.Statements[:q.Limit]
		last := page.Statements[q.Limit-1]
		page.More = &lrs.Cursor{Stored: last.Stored, ID: last.ID}
	}
	return page, nil
}

// hasFilters reports whether q has a filter that StatementRef targets can
// satisfy (every parameter but the time and sequence ones).
func hasFilters(q lrs.Query) bool {
	return q.Agent != "" || q.Activity != "" || q.Verb != "" || q.Registration != ""
}

type sqlQuery struct {
	text string
	args []any
}

func queryRows(ctx context.Context, tx *sql.Tx, sq sqlQuery) ([]lrs.StoredStatement, error) {
	rows, err := tx.QueryContext(ctx, sq.text, sq.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lrs.StoredStatement
	for rows.Next() {
		st, err := scanStatement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// mergeRows merges two ordered pages, dropping duplicates.
func mergeRows(a, b []lrs.StoredStatement, asc bool) []lrs.StoredStatement {
	seen := make(map[uuid.UUID]bool, len(a)+len(b))
	out := make([]lrs.StoredStatement, 0, len(a)+len(b))
	for _, st := range append(append([]lrs.StoredStatement{}, a...), b...) {
		if !seen[st.ID] {
			seen[st.ID] = true
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(x, y lrs.StoredStatement) int {
		c := x.Stored.Compare(y.Stored)
		if c == 0 {
			c = strings.Compare(x.ID.String(), y.ID.String())
		}
		if !asc {
			c = -c
		}
		return c
	})
	return out
}

// windowSQL adds the time, cursor, authority and voided conditions on the
// returned statement (alias a over columns stored/id of alias sc).
func windowSQL(q lrs.Query, stmt, storedCol, idCol string, where []string, args []any) ([]string, []any) {
	if !q.IncludeVoided {
		where = append(where, stmt+".voided = 0")
	}
	if q.Authority != "" {
		where = append(where, stmt+".authority = ?")
		args = append(args, q.Authority)
	}
	if !q.Since.IsZero() {
		where = append(where, storedCol+" > ?")
		args = append(args, nanos(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, storedCol+" <= ?")
		args = append(args, nanos(q.Until))
	}
	if q.After != nil {
		cmp := "<"
		if q.Ascending {
			cmp = ">"
		}
		where = append(where, fmt.Sprintf("(%s, %s) %s (?, ?)", storedCol, idCol, cmp))
		args = append(args, nanos(q.After.Stored), q.After.ID.String())
	}
	return where, args
}

// orderSQL orders by segment (when the query walks segments, segCol is
// not empty), then stored time and id (when idCol is not empty: stored is
// unique within a tenant, so the id only helps when an index holds it),
// and fetches one row beyond the page.
func orderSQL(q lrs.Query, segCol, storedCol, idCol string) string {
	dir := "DESC"
	if q.Ascending {
		dir = "ASC"
	}
	order := storedCol + " " + dir
	if idCol != "" {
		order += ", " + idCol + " " + dir
	}
	if segCol != "" {
		order = segCol + " " + dir + ", " + order
	}
	return fmt.Sprintf(" ORDER BY %s LIMIT %d", order, q.Limit+1)
}

// segmentSQL bounds the walked segments (alias g) by the query's time
// window and cursor: each bound is the segment of the nearest statement
// inside it, and when there is none the bound is NULL and so is the page.
// The stored conditions of windowSQL still decide; these only skip
// segments that cannot match.
func segmentSQL(tenant string, q lrs.Query, where []string, args []any) ([]string, []any) {
	first := `(SELECT seg FROM lrs_statements WHERE tenant = ? AND stored %s ? ORDER BY stored LIMIT 1)`
	last := `(SELECT seg FROM lrs_statements WHERE tenant = ? AND stored %s ? ORDER BY stored DESC LIMIT 1)`
	if !q.Since.IsZero() {
		where = append(where, "g.seg >= "+fmt.Sprintf(first, ">"))
		args = append(args, tenant, nanos(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, "g.seg <= "+fmt.Sprintf(last, "<="))
		args = append(args, tenant, nanos(q.Until))
	}
	if q.After != nil {
		if q.Ascending {
			where = append(where, "g.seg >= "+fmt.Sprintf(first, ">="))
		} else {
			where = append(where, "g.seg <= "+fmt.Sprintf(last, "<="))
		}
		args = append(args, tenant, nanos(q.After.Stored))
	}
	return where, args
}

// filterSQL returns the filter conditions on statement alias t as EXISTS
// and column tests (used for StatementRef targets).
func filterSQL(q lrs.Query, t string) ([]string, []any) {
	var where []string
	var args []any
	if q.Agent != "" {
		c := `EXISTS (SELECT 1 FROM lrs_statement_agents fa WHERE fa.tenant = ` + t + `.tenant AND fa.seg = ` + t + `.seg AND fa.key = ? AND fa.stored = ` + t + `.stored AND fa.id = ` + t + `.id`
		if !q.RelatedAgents {
			c += ` AND fa.direct = 1`
		}
		where = append(where, c+")")
		args = append(args, q.Agent)
	}
	if q.Activity != "" {
		c := `EXISTS (SELECT 1 FROM lrs_statement_activities fc WHERE fc.tenant = ` + t + `.tenant AND fc.seg = ` + t + `.seg AND fc.activity = ? AND fc.stored = ` + t + `.stored AND fc.id = ` + t + `.id`
		if !q.RelatedActivities {
			c += ` AND fc.direct = 1`
		}
		where = append(where, c+")")
		args = append(args, q.Activity)
	}
	if q.Verb != "" {
		where = append(where, t+".verb = ?")
		args = append(args, q.Verb)
	}
	if q.Registration != "" {
		where = append(where, t+".registration = ?")
		args = append(args, q.Registration)
	}
	return where, args
}

// directQuery selects the statements matching q themselves, driven from
// the most selective index. The agent, activity and registration indexes
// are keyed by segment first, so those queries walk the tenant's segments
// in query order (g, forced outermost by CROSS JOIN) and seek the key in
// each: rows come out in order and LIMIT stops the walk early.
func directQuery(tenant string, q lrs.Query) sqlQuery {
	const (
		walk   = `lrs_segments g CROSS JOIN `
		byRow  = ` JOIN lrs_statements s ON s.tenant = d.tenant AND s.id = d.id`
		onSegs = ` ON d.tenant = g.tenant AND d.seg = g.seg`
	)
	var (
		from      = `lrs_statements s`
		segCol    = ""
		storedCol = "s.stored"
		idCol     = "s.id"
		sortIDCol = "s.id"
		where     = []string{"s.tenant = ?"}
		args      = []any{tenant}
	)
	rest := q
	switch {
	case q.Agent != "":
		from = walk + `lrs_statement_agents d` + onSegs + byRow
		where = append(where, "d.key = ?")
		args = append(args, q.Agent)
		if !q.RelatedAgents {
			where = append(where, "d.direct = 1")
		}
		segCol, storedCol, idCol, sortIDCol = "g.seg", "d.stored", "d.id", "d.id"
		rest.Agent = ""
	case q.Activity != "":
		from = walk + `lrs_statement_activities d` + onSegs + byRow
		where = append(where, "d.activity = ?")
		args = append(args, q.Activity)
		if !q.RelatedActivities {
			where = append(where, "d.direct = 1")
		}
		segCol, storedCol, idCol, sortIDCol = "g.seg", "d.stored", "d.id", "d.id"
		rest.Activity = ""
	case q.Authority != "":
		// Every statement has a related-agent row for its authority; the
		// authority condition itself stays on s (windowSQL).
		from = walk + `lrs_statement_agents d` + onSegs + byRow
		where = append(where, "d.key = ?")
		args = append(args, q.Authority)
		segCol, storedCol, idCol, sortIDCol = "g.seg", "d.stored", "d.id", "d.id"
	case q.Registration != "":
		// The registration index ends with stored, not id.
		from = walk + `lrs_statements s ON s.tenant = g.tenant AND s.seg = g.seg`
		segCol, sortIDCol = "g.seg", ""
	}
	if segCol != "" {
		where = append(where, "g.tenant = ?")
		args = append(args, tenant)
		where, args = segmentSQL(tenant, q, where, args)
	}
	fw, fa := filterSQL(rest, "s")
	where, args = append(where, fw...), append(args, fa...)
	where, args = windowSQL(q, "s", storedCol, idCol, where, args)
	return sqlQuery{
		text: `SELECT s.id, s.stored, s.atts, s.raw FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") + orderSQL(q, segCol, storedCol, sortIDCol),
		args: args,
	}
}

// refQuery selects the statements whose StatementRef chain reaches a
// statement matching q's filters. It is driven from the (usually few)
// statements with a StatementRef object, never from the whole tenant: the
// CROSS JOIN keeps SQLite from scanning the stored index instead.
func refQuery(tenant string, q lrs.Query) sqlQuery {
	where, args := windowSQL(q, "r", "r.stored", "r.id", []string{"r.tenant = ?", "r.ref_target <> ''"}, []any{tenant})
	fw, fa := filterSQL(q, "t")
	args = append(args, tenant, tenant)
	args = append(args, fa...)
	args = append(args, tenant)
	text := `WITH RECURSIVE chain(rid, tid) AS (
			SELECT r.id, r.ref_target FROM lrs_statements r WHERE ` + strings.Join(where, " AND ") + `
			UNION
			SELECT c.rid, t.ref_target FROM chain c CROSS JOIN lrs_statements t ON t.tenant = ? AND t.id = c.tid WHERE t.ref_target <> ''
		)
		SELECT r.id, r.stored, r.atts, r.raw FROM (
			SELECT DISTINCT c.rid AS rid FROM chain c CROSS JOIN lrs_statements t ON t.tenant = ? AND t.id = c.tid WHERE ` + strings.Join(fw, " AND ") + `
		) m CROSS JOIN lrs_statements r ON r.tenant = ? AND r.id = m.rid` + orderSQL(q, "", "r.stored", "r.id")
	return sqlQuery{text: text, args: args}
}

// Attachments implements lrs.StatementStore.
func (s *Store) Attachments(ctx context.Context, tenant string, sha2 []string) ([]lrs.Part, error) {
	var out []lrs.Part
	seen := map[string]bool{}
	for _, h := range sha2 {
		h = strings.ToLower(h)
		if seen[h] {
			continue
		}
		seen[h] = true
		var p lrs.Part
		err := s.db.QueryRowContext(ctx, `SELECT sha2, content_type, data FROM lrs_attachments WHERE tenant = ? AND sha2 = ?`,
			tenant, h).Scan(&p.SHA2, &p.ContentType, &p.Data)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read attachment: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// ActivityDefinition implements lrs.StatementStore.
func (s *Store) ActivityDefinition(ctx context.Context, tenant, activityID string) ([]byte, error) {
	var def []byte
	err := s.db.QueryRowContext(ctx, `SELECT definition FROM lrs_activities WHERE tenant = ? AND id = ?`,
		tenant, activityID).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read activity: %w", err)
	}
	return def, nil
}

func docArgs(tenant string, k lrs.DocumentKey) []any {
	return []any{tenant, string(k.Kind), k.ActivityID, k.Agent, k.Registration}
}

const docWhere = `tenant = ? AND kind = ? AND activity = ? AND agent = ? AND registration = ?`

func scanDocument(sc interface{ Scan(...any) error }, k lrs.DocumentKey) (lrs.Document, error) {
	d := lrs.Document{Key: k}
	var updated int64
	if err := sc.Scan(&d.Key.ID, &d.ContentType, &d.Content, &d.ETag, &updated); err != nil {
		return lrs.Document{}, err
	}
	d.Updated = fromNanos(updated)
	return d, nil
}

// PutDocument implements lrs.DocumentStore: the precondition is checked
// and the document written in the same transaction.
func (s *Store) PutDocument(ctx context.Context, tenant string, now time.Time, w lrs.Write) (lrs.Document, error) {
	var out lrs.Document
	k := w.Doc.Key
	err := s.write(ctx, func(tx *sql.Tx) error {
		var cur *lrs.Document
		row := tx.QueryRowContext(ctx, `SELECT doc_id, content_type, content, etag, updated FROM lrs_documents
			WHERE `+docWhere+` AND doc_id = ?`, append(docArgs(tenant, k), k.ID)...)
		d, err := scanDocument(row, k)
		switch {
		case err == nil:
			cur = &d
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read document: %w", err)
		}
		nd, err := lrs.Apply(w, cur, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lrs_documents
			(tenant, kind, activity, agent, registration, doc_id, content_type, content, etag, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, kind, activity, agent, registration, doc_id) DO UPDATE SET
			content_type = excluded.content_type, content = excluded.content, etag = excluded.etag, updated = excluded.updated`,
			append(docArgs(tenant, k), k.ID, nd.ContentType, nd.Content, nd.ETag, nanos(nd.Updated))...); err != nil {
			return fmt.Errorf("write document: %w", err)
		}
		out = nd
		return nil
	})
	if err != nil {
		return lrs.Document{}, fmt.Errorf("put document: %w", err)
	}
	return out, nil
}

// Document implements lrs.DocumentStore.
func (s *Store) Document(ctx context.Context, tenant string, k lrs.DocumentKey) (lrs.Document, error) {
	row := s.db.QueryRowContext(ctx, `SELECT doc_id, content_type, content, etag, updated FROM lrs_documents
		WHERE `+docWhere+` AND doc_id = ?`, append(docArgs(tenant, k), k.ID)...)
	d, err := scanDocument(row, k)
	if errors.Is(err, sql.ErrNoRows) {
		return lrs.Document{}, store.ErrNotFound
	}
	if err != nil {
		return lrs.Document{}, fmt.Errorf("read document: %w", err)
	}
	return d, nil
}

// DocumentIDs implements lrs.DocumentStore.
func (s *Store) DocumentIDs(ctx context.Context, tenant string, k lrs.DocumentKey, since time.Time) ([]string, error) {
	q := `SELECT doc_id FROM lrs_documents WHERE ` + docWhere
	args := docArgs(tenant, k)
	if !since.IsZero() {
		q += ` AND updated > ?`
		args = append(args, nanos(since))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY doc_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return ids, nil
}

// DeleteDocument implements lrs.DocumentStore.
func (s *Store) DeleteDocument(ctx context.Context, tenant string, k lrs.DocumentKey, p lrs.Precondition) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, `SELECT doc_id, content_type, content, etag, updated FROM lrs_documents
			WHERE `+docWhere+` AND doc_id = ?`, append(docArgs(tenant, k), k.ID)...)
		d, err := scanDocument(row, k)
		var cur *lrs.Document
		switch {
		case err == nil:
			cur = &d
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read document: %w", err)
		}
		if err := p.Check(cur); err != nil {
			return err
		}
		if cur == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_documents WHERE `+docWhere+` AND doc_id = ?`,
			append(docArgs(tenant, k), k.ID)...); err != nil {
			return fmt.Errorf("delete document: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete document: %w", err)
	}
	return nil
}

// DeleteDocuments implements lrs.DocumentStore.
func (s *Store) DeleteDocuments(ctx context.Context, tenant string, k lrs.DocumentKey) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM lrs_documents WHERE `+docWhere, docArgs(tenant, k)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete documents: %w", err)
	}
	return nil
}

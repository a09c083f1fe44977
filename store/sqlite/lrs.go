package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/store"
)

var _ lrs.Store = (*Store)(nil)

// SaveStatements implements lrs.StatementStore in one group-committed write.
func (s *Store) SaveStatements(ctx context.Context, tenant string, now time.Time, ss []*lrs.Statement, parts []lrs.Part) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var maxStored sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(stored) FROM lrs_statements WHERE tenant = ?`, tenant).Scan(&maxStored); err != nil {
			return fmt.Errorf("read last stored: %w", err)
		}
		base := nanos(now)
		if maxStored.Valid && maxStored.Int64 >= base {
			base = maxStored.Int64 + 1
		}
		prep := func(q string) (*sql.Stmt, error) { return tx.PrepareContext(ctx, q) }
		stExisting, err := prep(`SELECT hash FROM lrs_statements WHERE tenant = ? AND id = ?`)
		if err != nil {
			return err
		}
		defer stExisting.Close()
		stVoidedBy, err := prep(`SELECT 1 FROM lrs_statements WHERE tenant = ? AND void_target = ? LIMIT 1`)
		if err != nil {
			return err
		}
		defer stVoidedBy.Close()
		stInsert, err := prep(`INSERT INTO lrs_statements
			(tenant, id, stored, hash, verb, registration, authority, void_target, voided, atts, raw)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stInsert.Close()
		stAgent, err := prep(`INSERT INTO lrs_statement_agents (tenant, key, stored, id, direct) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stAgent.Close()
		stActivity, err := prep(`INSERT INTO lrs_statement_activities (tenant, activity, stored, id, direct) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stActivity.Close()
		stDefGet, err := prep(`SELECT definition FROM lrs_activities WHERE tenant = ? AND id = ?`)
		if err != nil {
			return err
		}
		defer stDefGet.Close()
		stDefPut, err := prep(`INSERT INTO lrs_activities (tenant, id, definition) VALUES (?, ?, ?)
			ON CONFLICT (tenant, id) DO UPDATE SET definition = excluded.definition`)
		if err != nil {
			return err
		}
		defer stDefPut.Close()
		stVoid, err := prep(`UPDATE lrs_statements SET voided = 1 WHERE tenant = ? AND id = ? AND void_target = ''`)
		if err != nil {
			return err
		}
		defer stVoid.Close()

		for i, st := range ss {
			id := st.ID.String()
			var hash string
			switch err := stExisting.QueryRowContext(ctx, tenant, id).Scan(&hash); {
			case err == nil:
				if hash != st.Hash {
					return fmt.Errorf("statement %s: %w", id, store.ErrConflict)
				}
				continue // the same statement again: a no-op
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("read statement: %w", err)
			}
			stored := base + int64(i)
			voidTarget, voided := "", 0
			if st.VoidTarget != nil {
				voidTarget = st.VoidTarget.String()
			} else {
				var one int
				switch err := stVoidedBy.QueryRowContext(ctx, tenant, id).Scan(&one); {
				case err == nil:
					voided = 1
				case !errors.Is(err, sql.ErrNoRows):
					return fmt.Errorf("read voiding statement: %w", err)
				}
			}
			atts := make([]string, 0, len(st.Attachments))
			for _, a := range st.Attachments {
				atts = append(atts, strings.ToLower(a.SHA2))
			}
			attsJSON, _ := json.Marshal(atts)
			raw := st.WithStored(time.Unix(0, stored))
			if _, err := stInsert.ExecContext(ctx, tenant, id, stored, st.Hash, st.VerbID, st.Registration,
				st.Authority, voidTarget, voided, string(attsJSON), raw); err != nil {
				if isUniqueViolation(err) {
					return fmt.Errorf("statement %s: %w", id, store.ErrConflict)
				}
				return fmt.Errorf("insert statement: %w", err)
			}
			for _, k := range st.RelatedAgents {
				direct := 0
				for _, d := range st.Agents {
					if d == k {
						direct = 1
					}
				}
				if _, err := stAgent.ExecContext(ctx, tenant, k, stored, id, direct); err != nil {
					return fmt.Errorf("insert statement agent: %w", err)
				}
			}
			for _, a := range st.RelatedActivities {
				direct := 0
				if a == st.Activity {
					direct = 1
				}
				if _, err := stActivity.ExecContext(ctx, tenant, a, stored, id, direct); err != nil {
					return fmt.Errorf("insert statement activity: %w", err)
				}
			}
			for aid, def := range st.Definitions {
				var prev []byte
				switch err := stDefGet.QueryRowContext(ctx, tenant, aid).Scan(&prev); {
				case err == nil:
					def = lrs.MergeDefinition(prev, def)
				case !errors.Is(err, sql.ErrNoRows):
					return fmt.Errorf("read activity: %w", err)
				}
				if _, err := stDefPut.ExecContext(ctx, tenant, aid, def); err != nil {
					return fmt.Errorf("write activity: %w", err)
				}
			}
			if st.VoidTarget != nil {
				if _, err := stVoid.ExecContext(ctx, tenant, voidTarget); err != nil {
					return fmt.Errorf("void statement: %w", err)
				}
			}
		}
		for _, p := range parts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO lrs_attachments (tenant, sha2, content_type, data)
				VALUES (?, ?, ?, ?) ON CONFLICT (tenant, sha2) DO NOTHING`, tenant, p.SHA2, p.ContentType, p.Data); err != nil {
				return fmt.Errorf("insert attachment: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save statements: %w", err)
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

// QueryStatements implements lrs.StatementStore.
func (s *Store) QueryStatements(ctx context.Context, tenant string, q lrs.Query) (lrs.Page, error) {
	if q.Limit < 1 || q.Limit > lrs.MaxLimit {
		q.Limit = lrs.MaxLimit
	}
	var (
		from  string
		order = "s.stored, s.id"
		where = []string{"s.tenant = ?", "s.voided = 0"}
		args  = []any{tenant}
	)
	// Drive the query from the most selective index table available.
	switch {
	case q.Agent != "":
		from = `lrs_statement_agents d JOIN lrs_statements s ON s.tenant = d.tenant AND s.id = d.id`
		where = append(where, "d.tenant = ?", "d.key = ?")
		args = append(args, tenant, q.Agent)
		if !q.RelatedAgents {
			where = append(where, "d.direct = 1")
		}
		order = "d.stored, d.id"
	case q.Activity != "":
		from = `lrs_statement_activities d JOIN lrs_statements s ON s.tenant = d.tenant AND s.id = d.id`
		where = append(where, "d.tenant = ?", "d.activity = ?")
		args = append(args, tenant, q.Activity)
		if !q.RelatedActivities {
			where = append(where, "d.direct = 1")
		}
		order = "d.stored, d.id"
	default:
		from = `lrs_statements s`
	}
	if q.Agent != "" && q.Activity != "" {
		cond := `EXISTS (SELECT 1 FROM lrs_statement_activities a WHERE a.tenant = s.tenant AND a.activity = ? AND a.stored = s.stored AND a.id = s.id`
		if !q.RelatedActivities {
			cond += ` AND a.direct = 1`
		}
		where = append(where, cond+")")
		args = append(args, q.Activity)
	}
	if q.Verb != "" {
		where = append(where, "s.verb = ?")
		args = append(args, q.Verb)
	}
	if q.Registration != "" {
		where = append(where, "s.registration = ?")
		args = append(args, q.Registration)
	}
	if q.Authority != "" {
		where = append(where, "s.authority = ?")
		args = append(args, q.Authority)
	}
	storedCol := strings.SplitN(order, ",", 2)[0]
	idCol := strings.TrimSpace(strings.SplitN(order, ",", 2)[1])
	if !q.Since.IsZero() {
		where = append(where, storedCol+" > ?")
		args = append(args, nanos(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, storedCol+" <= ?")
		args = append(args, nanos(q.Until))
	}
	dir := "DESC"
	cmp := "<"
	if q.Ascending {
		dir, cmp = "ASC", ">"
	}
	if q.After != nil {
		where = append(where, fmt.Sprintf("(%s, %s) %s (?, ?)", storedCol, idCol, cmp))
		args = append(args, nanos(q.After.Stored), q.After.ID.String())
	}
	sqlText := fmt.Sprintf(`SELECT s.id, s.stored, s.atts, s.raw FROM %s WHERE %s ORDER BY %s %s, %s %s LIMIT %d`,
		from, strings.Join(where, " AND "), storedCol, dir, idCol, dir, q.Limit+1)

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
	rows, err := tx.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return lrs.Page{}, fmt.Errorf("query statements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		st, err := scanStatement(rows)
		if err != nil {
			return lrs.Page{}, fmt.Errorf("query statements: %w", err)
		}
		page.Statements = append(page.Statements, st)
	}
	if err := rows.Err(); err != nil {
		return lrs.Page{}, fmt.Errorf("query statements: %w", err)
	}
	if len(page.Statements) > q.Limit {
		page.Statements = page.Statements[:q.Limit]
		last := page.Statements[q.Limit-1]
		page.More = &lrs.Cursor{Stored: last.Stored, ID: last.ID}
	}
	return page, nil
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

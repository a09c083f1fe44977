package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
)

// EraseAgent implements lrs.ErasureStore in one write.
func (s *Store) EraseAgent(ctx context.Context, tenant, agentKey string, e lrs.Erasure) (lrs.Erasure, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		e.Statements, e.Documents, e.Attachments = 0, 0, 0
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.stored, s.atts, s.raw FROM lrs_statement_agents d
			JOIN lrs_statements s ON s.tenant = d.tenant AND s.id = d.id
			WHERE d.tenant = ? AND d.key = ? AND d.direct = 1`, tenant, agentKey)
		if err != nil {
			return fmt.Errorf("find statements: %w", err)
		}
		type victim struct {
			id     string
			stored int64
			atts   []string
			raw    []byte
		}
		var victims []victim
		for rows.Next() {
			var v victim
			var atts string
			if err := rows.Scan(&v.id, &v.stored, &atts, &v.raw); err != nil {
				_ = rows.Close()
				return fmt.Errorf("find statements: %w", err)
			}
			_ = json.Unmarshal([]byte(atts), &v.atts)
			victims = append(victims, v)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("find statements: %w", err)
		}
		hashes := map[string]bool{}
		for _, v := range victims {
			if st, ok := lrs.IndexKeys(v.raw); ok {
				for _, k := range st.RelatedAgents {
					if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_statement_agents WHERE tenant = ? AND key = ? AND stored = ? AND id = ?`, tenant, k, v.stored, v.id); err != nil {
						return fmt.Errorf("erase statement agents: %w", err)
					}
				}
				for _, a := range st.RelatedActivities {
					if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_statement_activities WHERE tenant = ? AND activity = ? AND stored = ? AND id = ?`, tenant, a, v.stored, v.id); err != nil {
						return fmt.Errorf("erase statement activities: %w", err)
					}
				}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM lrs_statements WHERE tenant = ? AND id = ?`, tenant, v.id); err != nil {
				return fmt.Errorf("erase statement: %w", err)
			}
			e.Statements++
			for _, h := range v.atts {
				hashes[h] = true
			}
		}
		for h := range hashes {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM lrs_statements WHERE tenant = ? AND atts LIKE ? LIMIT 1`,
				tenant, "%"+strings.ToLower(h)+"%").Scan(&one)
			if err == nil {
				continue // still used by another statement
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM lrs_attachments WHERE tenant = ? AND sha2 = ?`, tenant, h)
			if err != nil {
				return fmt.Errorf("erase attachment: %w", err)
			}
			n, _ := res.RowsAffected()
			e.Attachments += int(n)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM lrs_documents WHERE tenant = ? AND agent = ? AND kind IN (?, ?)`,
			tenant, agentKey, string(lrs.KindState), string(lrs.KindAgentProfile))
		if err != nil {
			return fmt.Errorf("erase documents: %w", err)
		}
		n, _ := res.RowsAffected()
		e.Documents = int(n)
		if _, err := tx.ExecContext(ctx, `INSERT INTO lrs_erasures (tenant, id, at, by, statements, documents, attachments)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, tenant, e.ID.String(), nanos(e.At), e.By, e.Statements, e.Documents, e.Attachments); err != nil {
			return fmt.Errorf("record erasure: %w", err)
		}
		return nil
	})
	if err != nil {
		return lrs.Erasure{}, fmt.Errorf("erase agent: %w", err)
	}
	e.Tenant = tenant
	return e, nil
}

// Erasures implements lrs.ErasureStore.
func (s *Store) Erasures(ctx context.Context, tenant string) ([]lrs.Erasure, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, by, statements, documents, attachments FROM lrs_erasures
		WHERE tenant = ? ORDER BY at, id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list erasures: %w", err)
	}
	defer rows.Close()
	var out []lrs.Erasure
	for rows.Next() {
		e := lrs.Erasure{Tenant: tenant}
		var id string
		var at int64
		if err := rows.Scan(&id, &at, &e.By, &e.Statements, &e.Documents, &e.Attachments); err != nil {
			return nil, fmt.Errorf("list erasures: %w", err)
		}
		e.ID, err = uuid.Parse(id)
		if err != nil {
			return nil, fmt.Errorf("list erasures: %w", err)
		}
		e.At = fromNanos(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

package forward

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
)

// exportPage is how many statements Export holds in memory at once.
const exportPage = 500

// lastID sorts after every statement id, so that a cursor at (t, lastID)
// starts strictly after time t.
var lastID = uuid.Max

// Export writes tenant's statements stored after since (when not zero)
// and at or before until (when not zero) to w as JSON lines: one stored
// statement per line, exactly as stored, ascending by (stored, id),
// voided statements included. It pages through the store, so memory stays
// bounded whatever the size of the log, and returns how many it wrote.
func Export(ctx context.Context, s LogStore, tenant string, since, until time.Time, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var after *lrs.Cursor
	if !since.IsZero() {
		after = &lrs.Cursor{Stored: since, ID: lastID}
	}
	n := 0
	for {
		page, err := s.StatementLog(ctx, tenant, after, until, exportPage)
		if err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		for _, st := range page {
			if _, err := bw.Write(st.JSON); err != nil {
				return n, fmt.Errorf("export: %w", err)
			}
			if err := bw.WriteByte('\n'); err != nil {
				return n, fmt.Errorf("export: %w", err)
			}
			n++
		}
		if len(page) < exportPage {
			break
		}
		last := page[len(page)-1]
		after = &lrs.Cursor{Stored: last.Stored, ID: last.ID}
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

// SinceCursor returns the cursor that makes forwarding start again with
// the statements stored after t (from the start when t is zero).
func SinceCursor(t time.Time) *lrs.Cursor {
	if t.IsZero() {
		return nil
	}
	return &lrs.Cursor{Stored: t, ID: lastID}
}

package forward

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/passportbridge/passport/lrs"
)

// Export writes every statement of tenant stored after since (all when
// zero), voided ones included, as JSON lines in stored order. It holds one
// page in memory at a time and returns how many statements it wrote.
func Export(ctx context.Context, s lrs.StatementStore, tenant string, since time.Time, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	q := lrs.Query{Limit: lrs.MaxLimit, Ascending: true, Since: since, IncludeVoided: true}
	n := 0
	for {
		page, err := s.QueryStatements(ctx, tenant, q)
		if err != nil {
			return n, fmt.Errorf("export statements: %w", err)
		}
		for _, st := range page.Statements {
			if _, err := bw.Write(st.JSON); err != nil {
				return n, fmt.Errorf("export statements: %w", err)
			}
			if err := bw.WriteByte('\n'); err != nil {
				return n, fmt.Errorf("export statements: %w", err)
			}
			n++
		}
		if page.More == nil {
			break
		}
		q.After = page.More
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export statements: %w", err)
	}
	return n, nil
}

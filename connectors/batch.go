package connectors

import "context"

// Bisect writes rows in batches of at most n. Targets that apply a batch
// all or nothing refuse a whole batch for one bad row; when refused says
// the error is such a refusal (returning the target's message), the batch
// is split in two and retried until each refused row is alone, and fail is
// called with that row and the message. Any other error (transport, auth,
// cancelled context) stops Bisect and is returned.
func Bisect[T any](ctx context.Context, rows []T, n int, write func(ctx context.Context, rows []T) error,
	refused func(error) (string, bool), fail func(row T, reason string),
) error {
	n = max(n, 1)
	for len(rows) > 0 {
		k := min(n, len(rows))
		if err := bisectOne(ctx, rows[:k], write, refused, fail); err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}

func bisectOne[T any](ctx context.Context, rows []T, write func(ctx context.Context, rows []T) error,
	refused func(error) (string, bool), fail func(row T, reason string),
) error {
	if len(rows) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := write(ctx, rows)
	if err == nil {
		return nil
	}
	msg, ok := refused(err)
	if !ok {
		return err
	}
	if len(rows) == 1 {
		fail(rows[0], msg)
		return nil
	}
	h := len(rows) / 2
	if err := bisectOne(ctx, rows[:h], write, refused, fail); err != nil {
		return err
	}
	return bisectOne(ctx, rows[h:], write, refused, fail)
}

package forward

// Store is what forwarding, export and erasure keep: per-rule cursors, dead
// letters and erasure audit records.
type Store interface {
	Progress
	Eraser
}

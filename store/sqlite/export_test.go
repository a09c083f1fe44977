package sqlite

// SetSegmentShift makes s put 1<<shift statement rows in a segment, so that
// tests cross many segment boundaries with few statements.
func SetSegmentShift(s *Store, shift int64) { s.segShift = shift }

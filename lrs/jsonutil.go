package lrs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// decodeJSON decodes exactly one JSON value with numbers kept as
// json.Number; trailing data is an error.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// encodeJSON renders v canonically: object keys sorted, no HTML escaping,
// no trailing newline.
func encodeJSON(v any) ([]byte, error) {
	return appendCanonical(make([]byte, 0, 1024), v)
}

func fmtSscan(s string, f *float64) (int, error) { return fmt.Sscan(s, f) }

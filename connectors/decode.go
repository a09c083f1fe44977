package connectors

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

var unknownFieldRE = regexp.MustCompile(`field (\S+) not found in type \S+`)

// DecodeConfig decodes a connector's config block into dst (a pointer to
// the type's Config struct), strictly: a key dst does not declare is an
// error naming the key.
func DecodeConfig(raw map[string]any, dst any) error {
	var buf bytes.Buffer
	if raw != nil {
		if err := yaml.NewEncoder(&buf).Encode(raw); err != nil {
			return fmt.Errorf("encode config: %w", err)
		}
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs := make([]string, 0, len(te.Errors))
			for _, m := range te.Errors {
				if sub := unknownFieldRE.FindStringSubmatch(m); sub != nil {
					msgs = append(msgs, fmt.Sprintf("unknown key %q", sub[1]))
					continue
				}
				// Drop the line numbers of the re-encoded block: they point
				// nowhere in the user's file.
				if i := strings.Index(m, ": "); i >= 0 && strings.HasPrefix(m, "line ") {
					m = m[i+2:]
				}
				msgs = append(msgs, m)
			}
			return errors.New(strings.Join(msgs, "; "))
		}
		return fmt.Errorf("decode config: %w", err)
	}
	return nil
}

package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// File is the YAML configuration file named by --config: connectors,
// forwarding rules and tenants. Each part is defined beside the code that
// owns it (connectors.go, forwarding.go) and decoded strictly.
type File struct {
	Connectors []ConnectorSpec `yaml:"connectors"`
	Forwarding []ForwardRule   `yaml:"forwarding"`
}

// LoadFile reads and strictly decodes the config file at path; an empty path
// gives the zero File. Unknown keys are errors that name the key and line.
func LoadFile(path string) (File, error) {
	if path == "" {
		return File{}, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return File{}, &UsageError{Msg: fmt.Sprintf("--config %s: %v", path, errors.Unwrap(err))}
	}
	f, err := ParseFile(raw)
	if err != nil {
		return File{}, &UsageError{Msg: fmt.Sprintf("--config %s: %v", path, err)}
	}
	return f, nil
}

// ParseFile strictly decodes a config file's bytes.
func ParseFile(raw []byte) (File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			return File{}, errors.New(te.Errors[0])
		}
		return File{}, err
	}
	return f, nil
}

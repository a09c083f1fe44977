package connectors

import (
	"fmt"
	"os"
	"strings"
)

// Secret reads a secret of a connector's config block: the value set
// directly (by tests and embedders), else the environment variable named by
// env, else the contents of file. name is the key stem the errors name
// ("token" for token_env and token_file). Having none is an error only when
// required.
func Secret(direct, env, file, name string, required bool) (string, error) {
	switch {
	case direct != "":
		return direct, nil
	case env != "":
		v := strings.TrimSpace(os.Getenv(env))
		if v == "" {
			return "", fmt.Errorf("%s_env: %s is not set", name, env)
		}
		return v, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_file: %w", name, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("%s_file: %s is empty", name, file)
		}
		return v, nil
	case required:
		return "", fmt.Errorf("%s_env or %s_file: one is required", name, name)
	}
	return "", nil
}

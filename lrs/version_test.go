package lrs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/passportbridge/passport/lrs"
)

func TestAboutVersions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		v    lrs.Version
		want []string
	}{
		{"Comm 2.8 a 1.0.x client sees 1.0.x only", lrs.V1, []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3"}},
		{"Comm 2.8 a 2.0 client sees every version", lrs.V2, []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"}},
		{"Comm 2.8 no version header sees every version", 0, []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, lrs.AboutVersions(tc.v))
		})
	}
}

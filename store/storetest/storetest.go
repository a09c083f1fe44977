package storetest

import (
	"testing"

	"github.com/passportbridge/passport/store/backend"
)

// Factory opens a fresh, empty store for one test; it registers its own cleanup.
type Factory func(t *testing.T) backend.Store

// subTest is one named contract test, run against a fresh store.
type subTest struct {
	name string
	fn   func(t *testing.T, s backend.Store)
}

// Run runs the whole contract suite against stores made by newStore: the
// core tests, then each domain's, every test on a fresh store.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	groups := []struct {
		name  string
		tests []subTest
	}{
		{"core", coreTests},
		{"lrs", lrsTests},
		{"lti", ltiTests},
		{"oneroster", onerosterTests},
		{"connectors", connectorsTests},
		{"forward", forwardTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, st := range g.tests {
				t.Run(st.name, func(t *testing.T) {
					t.Parallel()
					st.fn(t, newStore(t))
				})
			}
		})
	}
}

package storetest

import (
	"testing"

	"github.com/passportbridge/passport/store/backend"
)

// Factory opens a fresh, empty store for one test; it registers its own cleanup.
type Factory func(t *testing.T) backend.Store

type subTest struct {
	name string
	fn   func(t *testing.T, s backend.Store)
}

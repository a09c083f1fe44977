package httperr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"

	"github.com/passportbridge/passport/store"
)

type fieldError struct{ field string }

func (e fieldError) Error() string   { return "bad " + e.field }
func (e fieldError) HTTPStatus() int { return http.StatusBadRequest }

func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want Resolved
	}{
		{"typed", New(http.StatusForbidden, "no scope"), Resolved{Status: 403, Message: "no scope"}},
		{"typed with code", New(400, "bad filter").WithCode("invalid_filter_field"), Resolved{Status: 400, Message: "bad filter", Code: "invalid_filter_field"}},
		{"wrapped cause hidden", fmt.Errorf("handler: %w", Wrap(502, "upstream failed", errors.New("dial 10.0.0.1: refused"))), Resolved{Status: 502, Message: "upstream failed"}},
		{"domain status", fmt.Errorf("save: %w", fieldError{"actor"}), Resolved{Status: 400, Message: "bad actor"}},
		{"not found", fmt.Errorf("get: %w", store.ErrNotFound), Resolved{Status: 404, Message: "not found"}},
		{"conflict", store.ErrConflict, Resolved{Status: 409, Message: "conflict with an existing record"}},
		{"precondition", store.ErrPrecondition, Resolved{Status: 412, Message: "precondition failed"}},
		{"fiber", fiber.ErrRequestEntityTooLarge, Resolved{Status: 413, Message: "Request Entity Too Large"}},
		{"unknown hidden", errors.New("sql: database is locked at /srv/passport.db"), Resolved{Status: 500, Message: "internal error"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, Resolve(tc.err))
		})
	}
}

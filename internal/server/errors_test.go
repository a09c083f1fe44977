package server

import (
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/httperr"
)

// TestImsxStatus maps every status the OneRoster provider can answer to its
// imsx codeMajor, severity and codeMinor (oneroster.md §1.4).
func TestImsxStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		status       int
		code         string
		major, minor string
	}{
		{"400 default", http.StatusBadRequest, "", "failure", "invaliddata"},
		{"400 invalid filter field", http.StatusBadRequest, "invalid_filter_field", "failure", "invalid_filter_field"},
		{"400 invalid selection field", http.StatusBadRequest, "invalid_selection_field", "failure", "invalid_selection_field"},
		{"400 invalid sort field", http.StatusBadRequest, "invalid_sort_field", "failure", "invalid_sort_field"},
		{"400 invaliddata", http.StatusBadRequest, "invaliddata", "failure", "invaliddata"},
		{"401 default", http.StatusUnauthorized, "", "failure", "unauthorisedrequest"},
		{"401 from httpauth", http.StatusUnauthorized, "unauthorized", "failure", "unauthorisedrequest"},
		{"403", http.StatusForbidden, "forbidden", "failure", "forbidden"},
		{"404 store", http.StatusNotFound, "", "failure", "unknownobject"},
		{"404 unknownobject", http.StatusNotFound, "unknownobject", "failure", "unknownobject"},
		{"405 is a client error", http.StatusMethodNotAllowed, "", "unsupported", "invaliddata"},
		{"409", http.StatusConflict, "", "failure", "invaliddata"},
		{"412", http.StatusPreconditionFailed, "", "failure", "invaliddata"},
		{"413", http.StatusRequestEntityTooLarge, "", "failure", "invaliddata"},
		{"415", http.StatusUnsupportedMediaType, "", "failure", "invaliddata"},
		{"422", http.StatusUnprocessableEntity, "", "failure", "invaliddata"},
		{"other 4xx", http.StatusRequestTimeout, "", "failure", "invaliddata"},
		{"429", http.StatusTooManyRequests, "server_busy", "failure", "server_busy"},
		{"429 without code", http.StatusTooManyRequests, "", "failure", "server_busy"},
		{"500", http.StatusInternalServerError, "", "failure", "internal_server_error"},
		{"501", http.StatusNotImplemented, "", "unsupported", "invaliddata"},
		{"503 with an OAuth code", http.StatusServiceUnavailable, "temporarily_unavailable", "failure", "server_busy"},
		{"502", http.StatusBadGateway, "", "failure", "internal_server_error"},
		{"a code outside the vocabulary", http.StatusBadRequest, "invalid_scope", "failure", "invaliddata"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httperr.Resolved{Status: tc.status, Message: "msg", Code: tc.code}
			for _, path := range []string{"/ims/oneroster/v1p1/users", "/ims/oneroster/rostering/v1p2/users"} {
				body := imsxStatus(r, path).(fiber.Map)
				if set, ok := body["statusInfoSet"]; ok {
					require.Equal(t, "/ims/oneroster/v1p1/users", path, "only 1.1 wraps in statusInfoSet")
					infos := set.([]fiber.Map)
					require.Len(t, infos, 1)
					body = infos[0]
				} else {
					require.Equal(t, "/ims/oneroster/rostering/v1p2/users", path, "1.1 wraps in statusInfoSet")
				}
				assert.Equal(t, tc.major, body["imsx_codeMajor"])
				assert.Equal(t, "error", body["imsx_severity"])
				assert.Equal(t, "msg", body["imsx_description"])
				field := body["imsx_CodeMinor"].(fiber.Map)["imsx_codeMinorField"].([]fiber.Map)
				require.Len(t, field, 1)
				assert.Equal(t, "TargetEndSystem", field[0]["imsx_codeMinorFieldName"])
				assert.Equal(t, tc.minor, field[0]["imsx_codeMinorFieldValue"])
			}
		})
	}
}

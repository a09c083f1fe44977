package lrs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
)

// TestADLDataFixes pins the validation rules the mirrored ADL Data checks
// (conformance/xapi/adl_data.go) found missing, with the field each error
// names, under both versions.
func TestADLDataFixes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		body  string
		field string
	}{
		{"ADL languages.js: verb display an empty map", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v","display":{}},"object":{"id":"http://example.com/a"}}`, "verb.display"},
		{"ADL languages.js: activity name an empty map", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a","definition":{"name":{}}}}`, "object.definition.name"},
		{"ADL languages.js: attachment description an empty map", withExtra(`,"attachments":[{"usageType":"http://e.com/u","display":{"en":"a"},"description":{},"contentType":"text/plain","length":1,"sha2":"495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a","fileUrl":"http://e.com/f"}]`), "attachments[0].description"},
	}
	for _, v := range []lrs.Version{lrs.V1, lrs.V2} {
		for _, tc := range cases {
			t.Run(v.StatementVersion()+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				_, err := lrs.ParseStatements([]byte(tc.body), v, true)
				var ve *lrs.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.field, ve.Field, "reason: %s", ve.Reason)
			})
		}
	}
}

// TestADLTimestampRFC3339 pins that 2.0 takes RFC 3339's space separator
// (ADL v2_0 configs/timestamps.js) and 1.0.3 keeps ISO 8601's "T".
func TestADLTimestampRFC3339(t *testing.T) {
	t.Parallel()
	body := withExtra(`,"timestamp":"2008-09-15 15:53:00.601+02:00"`)
	ms, err := lrs.ParseStatements([]byte(body), lrs.V2, true)
	require.NoError(t, err)
	assert.Equal(t, "2008-09-15T13:53:00.601Z", ms[0]["timestamp"])
	ms, err = lrs.ParseStatements([]byte(withExtra(`,"timestamp":"2008-09-15t15:53:00.601z"`)), lrs.V2, true)
	require.NoError(t, err)
	assert.Equal(t, "2008-09-15T15:53:00.601Z", ms[0]["timestamp"])
	_, err = lrs.ParseStatements([]byte(body), lrs.V1, true)
	var ve *lrs.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "timestamp", ve.Field)
	_, err = lrs.ParseStatements([]byte(withExtra(`,"timestamp":"2008-09-15 15:53:00.601-00:00"`)), lrs.V2, true)
	require.ErrorAs(t, err, &ve, "-00:00 stays refused under 2.0")
}

// TestADLAuthorityGroup pins that a Group authority is anonymous with two
// members (ADL configs/authorities.js, XAPI-00098).
func TestADLAuthorityGroup(t *testing.T) {
	t.Parallel()
	two := `"member":[{"mbox":"mailto:a@example.com"},{"mbox":"mailto:b@example.com"}]`
	for _, v := range []lrs.Version{lrs.V1, lrs.V2} {
		_, err := lrs.ParseStatements([]byte(withExtra(`,"authority":{"objectType":"Group",`+two+`}`)), v, true)
		require.NoError(t, err)
		_, err = lrs.ParseStatements([]byte(withExtra(`,"authority":{"objectType":"Group","openid":"http://id.example.com/g",`+two+`}`)), v, true)
		var ve *lrs.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "authority.openid", ve.Field)
	}
}

// TestADLStatementVersion pins the accepted statement versions (ADL
// configs/version.js, XAPI-00101: "1.0" or "1.0.x"; 2.0 adds "2.0.x").
func TestADLStatementVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version string
		v1, v2  bool
	}{
		{"1.0", true, true},
		{"1.0.0", true, true},
		{"1.0.9", true, true},
		{"2.0.0", false, true},
		{"2.0", false, true},
		{"1.1.0", false, false},
		{"0.9.9", false, false},
		{"1.0.", false, false},
		{"should fail", false, false},
	}
	for _, tc := range cases {
		for v, want := range map[lrs.Version]bool{lrs.V1: tc.v1, lrs.V2: tc.v2} {
			_, err := lrs.ParseStatements([]byte(withExtra(`,"version":"`+tc.version+`"`)), v, true)
			assert.Equal(t, want, err == nil, "version %q under %s: %v", tc.version, v.StatementVersion(), err)
		}
	}
}

// TestADLEmptyContextActivities pins that an empty contextActivities object
// is refused under 1.0.x (ADL 1.0.3 configs/contexts.js) and accepted under
// 2.0, whose text and suite have no such rule.
func TestADLEmptyContextActivities(t *testing.T) {
	t.Parallel()
	body := withExtra(`,"context":{"contextActivities":{}}`)
	tests := []struct {
		v      lrs.Version
		refuse bool
	}{{lrs.V1, true}, {lrs.V2, false}}
	for _, tc := range tests {
		t.Run(tc.v.StatementVersion(), func(t *testing.T) {
			t.Parallel()
			_, err := lrs.ParseStatements([]byte(body), tc.v, true)
			if !tc.refuse {
				assert.NoError(t, err)
				return
			}
			var ve *lrs.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "context.contextActivities", ve.Field)
		})
	}
}

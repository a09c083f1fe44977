package lrs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
)

const okStmt = `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}%s}`

func withExtra(extra string) string { return strings.Replace(okStmt, "%s", extra, 1) }

func TestParseStatementsRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		body  string
		v     lrs.Version
		field string
	}{
		{"not JSON", `{`, lrs.V1, "body"},
		{"trailing data", `{} {}`, lrs.V1, "body"},
		{"array of nothing", `[]`, lrs.V1, "body"},
		{"null statement", `null`, lrs.V1, "statement"},
		{"null property", withExtra(`,"result":null`), lrs.V1, "result"},
		{"null in language map", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v","display":{"en":null}},"object":{"id":"http://example.com/a"}}`, lrs.V1, "verb.display.en"},
		{"unknown top-level", withExtra(`,"extra":1`), lrs.V1, "extra"},
		{"contextAgents under 1.0.3", withExtra(`,"context":{"contextAgents":[]}`), lrs.V1, "context.contextAgents"},
		{"relevantTypes empty", withExtra(`,"context":{"contextAgents":[{"objectType":"contextAgent","agent":{"mbox":"mailto:b@example.com"},"relevantTypes":[]}]}`), lrs.V2, "context.contextAgents[0].relevantTypes"},
		{"contextAgent is a group", withExtra(`,"context":{"contextAgents":[{"objectType":"contextAgent","agent":{"objectType":"Group","mbox":"mailto:b@example.com"}}]}`), lrs.V2, "context.contextAgents[0].agent"},
		{"contextGroup not a group", withExtra(`,"context":{"contextGroups":[{"objectType":"contextGroup","group":{"mbox":"mailto:b@example.com"}}]}`), lrs.V2, "context.contextGroups[0].group"},
		{"timestamp -0000", withExtra(`,"timestamp":"2008-09-15T15:53:00.601-0000"`), lrs.V1, "timestamp"},
		{"timestamp -00", withExtra(`,"timestamp":"2008-09-15T15:53:00.601-00"`), lrs.V1, "timestamp"},
		{"timestamp Feb 30", withExtra(`,"timestamp":"2015-02-30T00:00:00Z"`), lrs.V1, "timestamp"},
		{"substatement timestamp", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"timestamp":"x"}}`, lrs.V1, "object.timestamp"},
		{"substatement stored", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"stored":"2015-01-01T00:00:00Z"}}`, lrs.V1, "object.stored"},
		{"statement version 1.1.0", withExtra(`,"version":"1.1.0"`), lrs.V1, "version"},
		{"statement version 2.0.0 under 1.0.3", withExtra(`,"version":"2.0.0"`), lrs.V1, "version"},
		{"interaction components without type", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a","definition":{"choices":[{"id":"a"}]}}}`, lrs.V1, "object.definition.interactionType"},
		{"second statement of batch", `[` + withExtra("") + `,{"actor":{},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"}}]`, lrs.V1, "statements[1].actor"},
		{"uuid of another variant", withExtra(`,"id":"fd41c918-b88b-4b20-c0a5-a4c32391aaa0"`), lrs.V1, "id"},
		{"score raw below min", withExtra(`,"result":{"score":{"raw":-1,"min":0}}`), lrs.V1, "result.score.raw"},
		{"attachment sha2 not hex", withExtra(`,"attachments":[{"usageType":"http://e.com/u","display":{"en":"a"},"contentType":"text/plain","length":1,"sha2":"zz"}]`), lrs.V1, "attachments[0].sha2"},
		{"attachment negative length", withExtra(`,"attachments":[{"usageType":"http://e.com/u","display":{"en":"a"},"contentType":"text/plain","length":-1,"sha2":"` + strings.Repeat("a", 64) + `"}]`), lrs.V1, "attachments[0].length"},
		{"account name a number", `{"actor":{"account":{"homePage":"http://e.com","name":1}},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`, lrs.V1, "actor.account.name"},
		{"IRI with space", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/a verb"},"object":{"id":"http://example.com/a"}}`, lrs.V1, "verb.id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := lrs.ParseStatements([]byte(tc.body), tc.v, true)
			var ve *lrs.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field, "reason: %s", ve.Reason)
			assert.Equal(t, 400, ve.HTTPStatus())
			assert.True(t, strings.HasPrefix(ve.Error(), tc.field), "message names the field")
		})
	}
}

func TestParseStatementsSingleOnly(t *testing.T) {
	t.Parallel()
	_, err := lrs.ParseStatements([]byte(`[`+withExtra("")+`]`), lrs.V1, false)
	require.Error(t, err)
}

func TestFormats(t *testing.T) {
	t.Parallel()
	ts := []struct {
		in string
		ok bool
	}{
		{"2015-01-01T10:00:00Z", true},
		{"2015-01-01T10:00:00.123456789+05:30", true},
		{"2015-01-01T10:00Z", true},
		{"20150101T100000Z", true},
		{"2015-01-01T10:00:00+0530", true},
		{"2015-01-01T10:00:00", true},
		{"2015-01-01", false},
		{"2015-13-01T00:00:00Z", false},
		{"2015-01-01T24:00:00Z", false},
		{"2015-01-01T10:00:00-00:00", false},
		{"2015-01-01 10:00:00Z", false},
		{"", false},
	}
	for _, tc := range ts {
		_, ok := lrs.ParseTimestamp(tc.in)
		assert.Equal(t, tc.ok, ok, "timestamp %q", tc.in)
	}
	durs := []struct {
		in string
		ok bool
	}{
		{"PT1H30M", true},
		{"P1Y2M3DT4H5M6.7S", true},
		{"P2W", true},
		{"PT0.5S", true},
		{"P1D", true},
		{"P", false},
		{"PT", false},
		{"1H", false},
		{"PT1.5H30M", false},
		{"P1DT", false},
		{"PT-1S", false},
	}
	for _, tc := range durs {
		assert.Equal(t, tc.ok, lrs.IsDuration(tc.in), "duration %q", tc.in)
	}
	tags := []struct {
		in string
		ok bool
	}{
		{"en", true},
		{"en-US", true},
		{"zh-Hant-TW", true},
		{"sl-rozaj-biske", true},
		{"de-CH-1901", true},
		{"x-private", true},
		{"i-klingon", true},
		{"es-419", true},
		{"en-a-bbb-x-a-ccc", true},
		{"und", true},
		{"en_US", false},
		{"", false},
		{"e", false},
		{"en-", false},
		{"toolongtag", false},
		{"de-419-DE", false},
		{"a-DE", false},
	}
	for _, tc := range tags {
		assert.Equal(t, tc.ok, lrs.IsLanguageTag(tc.in), "tag %q", tc.in)
	}
	assert.Equal(t, "2026-01-01T00:00:00.000Z", lrs.FormatTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, "2026-01-01T00:00:00.0001Z", lrs.FormatTime(time.Date(2026, 1, 1, 0, 0, 0, 100000, time.UTC)))
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	for h, want := range map[string]lrs.Version{"1.0": lrs.V1, "1.0.0": lrs.V1, "1.0.3": lrs.V1, "1.0.9": lrs.V1, "2.0": lrs.V2, "2.0.0": lrs.V2, "2.0.1": lrs.V2} {
		v, err := lrs.ParseVersion(h)
		require.NoError(t, err, h)
		assert.Equal(t, want, v, h)
	}
	for _, h := range []string{"", "1.1.0", "0.95", "3.0.0", "1.0.x", " 1.0.3", "2"} {
		_, err := lrs.ParseVersion(h)
		assert.Error(t, err, h)
	}
}

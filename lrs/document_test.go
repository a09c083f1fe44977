package lrs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/store"
)

func TestApply(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cur := &lrs.Document{ContentType: "application/json", Content: []byte(`{"a":1,"b":1}`)}
	cur.ETag = lrs.ETagOf(cur.Content)
	state := lrs.DocumentKey{Kind: lrs.KindState}
	profile := lrs.DocumentKey{Kind: lrs.KindAgentProfile}
	doc := func(k lrs.DocumentKey, ct, body string) lrs.Document {
		return lrs.Document{Key: k, ContentType: ct, Content: []byte(body)}
	}
	cases := []struct {
		name    string
		w       lrs.Write
		current *lrs.Document
		want    string
		err     error
		status  int
	}{
		{"1.0.3 State PUT over existing without precondition replaces", lrs.Write{Version: lrs.V1, Mode: lrs.ModePut, Doc: doc(state, "application/json", `{"c":1}`)}, cur, `{"c":1}`, nil, 0},
		{"2.0 State PUT over existing without precondition is 409", lrs.Write{Version: lrs.V2, Mode: lrs.ModePut, Doc: doc(state, "application/json", `{"c":1}`)}, cur, "", store.ErrConflict, 0},
		{"1.0.3 profile PUT over existing without precondition is 409", lrs.Write{Version: lrs.V1, Mode: lrs.ModePut, Doc: doc(profile, "application/json", `{"c":1}`)}, cur, "", store.ErrConflict, 0},
		{"PUT on a new document needs no precondition", lrs.Write{Version: lrs.V2, Mode: lrs.ModePut, Doc: doc(profile, "text/plain", `x`)}, nil, `x`, nil, 0},
		{"If-Match with the current ETag", lrs.Write{Version: lrs.V2, Mode: lrs.ModePut, Precondition: lrs.ParsePrecondition(cur.ETag, ""), Doc: doc(profile, "text/plain", `x`)}, cur, `x`, nil, 0},
		{"If-Match * on a missing document fails", lrs.Write{Version: lrs.V2, Mode: lrs.ModePut, Precondition: lrs.ParsePrecondition("*", ""), Doc: doc(profile, "text/plain", `x`)}, nil, "", store.ErrPrecondition, 0},
		{"If-None-Match * on an existing document fails", lrs.Write{Version: lrs.V1, Mode: lrs.ModePost, Precondition: lrs.ParsePrecondition("", "*"), Doc: doc(state, "application/json", `{}`)}, cur, "", store.ErrPrecondition, 0},
		{"If-None-Match with another tag passes", lrs.Write{Version: lrs.V1, Mode: lrs.ModePut, Precondition: lrs.ParsePrecondition("", `"other"`), Doc: doc(profile, "text/plain", `x`)}, cur, `x`, nil, 0},
		{"POST merges top-level properties", lrs.Write{Version: lrs.V1, Mode: lrs.ModePost, Doc: doc(state, "application/json; charset=utf-8", `{"b":2,"c":{"d":1}}`)}, cur, `{"a":1,"b":2,"c":{"d":1}}`, nil, 0},
		{"POST of an array onto JSON is 400", lrs.Write{Version: lrs.V1, Mode: lrs.ModePost, Doc: doc(state, "application/json", `[1]`)}, cur, "", nil, 400},
		{"POST of text onto JSON is 400", lrs.Write{Version: lrs.V1, Mode: lrs.ModePost, Doc: doc(state, "text/plain", `x`)}, cur, "", nil, 400},
		{"POST of a JSON non-object as a new document is 400", lrs.Write{Version: lrs.V2, Mode: lrs.ModePost, Doc: doc(state, "application/json", `"s"`)}, nil, "", nil, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := lrs.Apply(tc.w, tc.current, now)
			switch {
			case tc.err != nil:
				require.ErrorIs(t, err, tc.err)
			case tc.status != 0:
				var ve *lrs.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.status, ve.HTTPStatus())
			default:
				require.NoError(t, err)
				if tc.w.Doc.ContentType == "text/plain" {
					assert.Equal(t, tc.want, string(got.Content))
				} else {
					assert.JSONEq(t, tc.want, string(got.Content))
				}
				assert.Equal(t, lrs.ETagOf(got.Content), got.ETag)
				assert.Equal(t, now, got.Updated)
			}
		})
	}
}

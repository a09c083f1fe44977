package xapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testAbout(t *testing.T, c client) {
	res, body := c.anonymous().do(http.MethodGet, "/xapi/about", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	about := decode[map[string]any](t, body)
	versions, _ := about["version"].([]any)
	assert.Contains(t, versions, "1.0.3")
	if c.v2() {
		assert.Contains(t, versions, "2.0.0")
	} else {
		// 1.0.3 allows only 0.9, 0.95 and 1.0.x here (ADL XAPI-00316).
		assert.NotContains(t, versions, "2.0.0")
	}
	assert.NotEmpty(t, res.Header.Get("X-Experience-API-Version"))
	cc := c.anonymous()
	cc.version = ""
	_, body = cc.do(http.MethodGet, "/xapi/about", nil, nil)
	versions, _ = decode[map[string]any](t, body)["version"].([]any)
	assert.Contains(t, versions, "1.0.3", "without a version header every version is listed")
	assert.Contains(t, versions, "2.0.0", "without a version header every version is listed")
}

func testCORS(t *testing.T, c client) {
	t.Run("Comm 1.3 a browser preflight is answered without credentials", func(t *testing.T) {
		res, _ := c.with(t).anonymous().do(http.MethodOptions, "/xapi/statements", nil, nil,
			header("Origin", "https://content.example.org"), header("Access-Control-Request-Method", "POST"))
		assert.Equal(t, http.StatusNoContent, res.StatusCode)
		assert.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"))
		assert.Contains(t, res.Header.Get("Access-Control-Allow-Headers"), "X-Experience-API-Version")
	})
	t.Run("Comm 1.3 cross-origin responses expose the xAPI headers", func(t *testing.T) {
		res, _ := c.with(t).getStatements(url.Values{"limit": {"1"}}, header("Origin", "https://content.example.org"))
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"))
		assert.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), "X-Experience-API-Consistent-Through")
	})
}

func testVersioning(t *testing.T, c client) {
	cases := []struct {
		name   string
		header string
		want   int
	}{
		{"Comm 3.3 missing header is refused", "", http.StatusBadRequest},
		{"Comm 3.3 version 1.1.0 is refused", "1.1.0", http.StatusBadRequest},
		{"Comm 3.3 version 0.95 is refused", "0.95", http.StatusBadRequest},
		{"Comm 3.3 version 3.0.0 is refused", "3.0.0", http.StatusBadRequest},
		{"Comm 3.3 version 1.0 is accepted as 1.0.0", "1.0", http.StatusOK},
		{"Comm 3.3 legacy 1.0.2 is accepted", "1.0.2", http.StatusOK},
		{"Comm 3.3 version 1.0.3", "1.0.3", http.StatusOK},
		{"Comm 3.3 version 2.0.0", "2.0.0", http.StatusOK},
		{"Comm 3.3 patch 2.0.1 is accepted", "2.0.1", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cc := c.with(t)
			cc.version = tc.header
			res, body := cc.getStatements(url.Values{"limit": {"1"}})
			assert.Equal(t, tc.want, res.StatusCode, "%s", body)
			if tc.want == http.StatusOK {
				want := "1.0.3"
				if strings.HasPrefix(tc.header, "2.") {
					want = "2.0.0"
				}
				assert.Equal(t, want, res.Header.Get("X-Experience-API-Version"))
			}
		})
	}
}

func testAuthentication(t *testing.T, c client) {
	mbox := uniq("auth")
	stmt := stmtJSON(mbox, "")
	countFor := func(t *testing.T) int {
		res, body := c.with(t).getStatements(url.Values{"agent": {`{"mbox":"` + mbox + `"}`}})
		require.Equal(t, http.StatusOK, res.StatusCode)
		return len(decode[statementResult](t, body).Statements)
	}
	cases := []struct {
		name string
		cred Cred
		want int
	}{
		{"Comm 4.0 no credentials get 401", Cred{}, http.StatusUnauthorized},
		{"Comm 4.0 a wrong secret gets 401", Cred{Key: c.tg.All.Key, Secret: "wrong"}, http.StatusUnauthorized},
		{"Comm 4.0 an unknown key gets 401", Cred{Key: "nobody", Secret: "x"}, http.StatusUnauthorized},
		{"Comm 4.0 out of scope (state only) gets 403", c.tg.StateOnly, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := c.with(t).as(tc.cred).postStatements(stmt)
			assert.Equal(t, tc.want, res.StatusCode, "%s", body)
			if tc.want == http.StatusUnauthorized {
				assert.NotEmpty(t, res.Header.Get("WWW-Authenticate"))
			}
			assert.Equal(t, 0, countFor(t), "nothing was written")
			res, body = c.with(t).as(tc.cred).getStatements(url.Values{"agent": {`{"mbox":"` + mbox + `"}`}})
			assert.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, res.StatusCode)
			assert.NotContains(t, string(body), mbox, "nothing leaked")
		})
	}
	t.Run("Comm 4.0 write-only credential cannot read", func(t *testing.T) {
		res, _ := c.with(t).as(c.tg.WriteOnly).postStatements(stmt)
		require.Equal(t, http.StatusOK, res.StatusCode)
		res, _ = c.with(t).as(c.tg.WriteOnly).getStatements(nil)
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	})
	t.Run("Comm 4.0 statements/read/mine sees only its own statements", func(t *testing.T) {
		mb := uniq("mine")
		res, body := c.with(t).as(c.tg.MineA).postStatements(stmtJSON(mb, ""))
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		idA := decode[[]string](t, body)[0]
		res, body = c.with(t).as(c.tg.MineB).postStatements(stmtJSON(mb, ""))
		require.Equal(t, http.StatusOK, res.StatusCode)
		idB := decode[[]string](t, body)[0]
		res, body = c.with(t).as(c.tg.MineA).getStatements(url.Values{"agent": {`{"mbox":"` + mb + `"}`}})
		require.Equal(t, http.StatusOK, res.StatusCode)
		got := decode[statementResult](t, body).Statements
		require.Len(t, got, 1)
		assert.Equal(t, idA, got[0]["id"])
		res, _ = c.with(t).as(c.tg.MineA).getStatements(url.Values{"statementId": {idB}})
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
		res, _ = c.with(t).getStatements(url.Values{"statementId": {idB}})
		assert.Equal(t, http.StatusOK, res.StatusCode, "a full reader sees both")
	})
	t.Run("Comm 4.0 authority is the credential", func(t *testing.T) {
		res, body := c.with(t).as(c.tg.MineA).postStatements(stmtJSON(uniq("authority"),
			`"authority":{"objectType":"Agent","mbox":"mailto:forged@example.com"}`))
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		id := decode[[]string](t, body)[0]
		_, body = c.with(t).getStatements(url.Values{"statementId": {id}})
		st := decode[map[string]any](t, body)
		a, _ := st["authority"].(map[string]any)
		acct, _ := a["account"].(map[string]any)
		assert.Equal(t, c.tg.MineA.Key, acct["name"])
	})
	t.Run("product tenant isolation: another tenant sees nothing and gets no 409", func(t *testing.T) {
		id := uuid.NewString()
		res, _ := c.with(t).do(http.MethodPut, "/xapi/statements", url.Values{"statementId": {id}}, []byte(stmtJSON(uniq("iso"), "")))
		require.Equal(t, http.StatusNoContent, res.StatusCode)
		res, _ = c.with(t).as(c.tg.OtherTenant).getStatements(url.Values{"statementId": {id}})
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
		res, _ = c.with(t).as(c.tg.OtherTenant).do(http.MethodPut, "/xapi/statements", url.Values{"statementId": {id}}, []byte(stmtJSON(uniq("other"), "")))
		assert.Equal(t, http.StatusNoContent, res.StatusCode)
	})
}

// invalidStatements must be refused with 400 under both versions.
var invalidStatements = []struct{ name, body string }{
	{"Data 2.2 null value", `{"actor":{"mbox":"mailto:a@example.com","name":null},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.2 unknown property", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"foo":1}`},
	{"Data 2.2 key case", `{"Actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.2 enumerated value case", `{"actor":{"objectType":"agent","mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.2 IRI without scheme", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.2 string where boolean", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"result":{"success":"true"}}`},
	{"Data 2.2 string where number", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"result":{"score":{"raw":"5"}}}`},
	{"Data 2.4.1 id not a UUID", `{"id":"not-a-uuid","actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.2 missing actor", `{"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.2.1 agent without IFI", `{"actor":{"name":"x"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.2.1 agent with two IFIs", `{"actor":{"mbox":"mailto:a@example.com","openid":"http://id.example.com/a"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.2.2 anonymous group without member", `{"actor":{"objectType":"Group"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.2.2 group member is a group", `{"actor":{"objectType":"Group","member":[{"objectType":"Group","mbox":"mailto:g@example.com"}]},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.2.3 mbox without mailto", `{"actor":{"mbox":"a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.2.3 mbox_sha1sum not hex", `{"actor":{"mbox_sha1sum":"xyz"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.2.3 account without homePage", `{"actor":{"account":{"name":"x"}},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.3 verb without id", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"display":{"en":"x"}},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.3 display not a language map", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v","display":{"not a tag":"x"}},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.4 unknown objectType", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"Thing","id":"http://example.com/a"}}`},
	{"Data 2.4.4.1 interaction type invalid", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a","definition":{"interactionType":"essay"}}}`},
	{"Data 2.4.4.1 duplicate interaction component ids", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a","definition":{"interactionType":"choice","choices":[{"id":"a"},{"id":"a"}]}}}`},
	{"Data 2.4.4.3 StatementRef id not a UUID", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"StatementRef","id":"x"}}`},
	{"Data 2.4.4.3 SubStatement with id", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"SubStatement","id":"8f87ccde-bb56-4c2e-ab83-44982ef22df0","actor":{"mbox":"mailto:b@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}}`},
	{"Data 2.4.4.3 nested SubStatement", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:b@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:b@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}}}`},
	{"Data 2.3.2 voiding object is not a StatementRef", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://adlnet.gov/expapi/verbs/voided"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.5.1 scaled above 1", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"result":{"score":{"scaled":1.5}}}`},
	{"Data 2.4.5.1 raw above max", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"result":{"score":{"raw":11,"min":0,"max":10}}}`},
	{"Data 2.4.5.1 max below min", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"result":{"score":{"min":5,"max":1}}}`},
	{"Data 4.6 duration not ISO 8601", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"result":{"duration":"1 hour"}}`},
	{"Data 2.4.6 registration not a UUID", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"context":{"registration":"x"}}`},
	{"Data 2.4.6 revision with an Agent object", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"Agent","mbox":"mailto:b@example.com"},"context":{"revision":"1"}}`},
	{"Data 2.4.6 platform with a StatementRef object", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"StatementRef","id":"8f87ccde-bb56-4c2e-ab83-44982ef22df0"},"context":{"platform":"x"}}`},
	{"Data 2.4.6 team is an Agent", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"context":{"team":{"mbox":"mailto:b@example.com"}}}`},
	{"Data 2.4.6.2 unknown contextActivities key", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"context":{"contextActivities":{"sibling":[{"id":"http://example.com/b"}]}}}`},
	{"Data 2.4.6 language not RFC 5646", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"context":{"language":"en_US"}}`},
	{"Data 4.1 extension key not an IRI", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"result":{"extensions":{"key":1}}}`},
	{"Data 4.5 timestamp not ISO 8601", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"timestamp":"01/011/2015"}`},
	{"Data 4.5 timestamp with -00:00 offset", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"timestamp":"2008-09-15T15:53:00.601-00:00"}`},
	{"Data 2.4.9 authority group of three", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"authority":{"objectType":"Group","member":[{"mbox":"mailto:a@example.com"},{"mbox":"mailto:b@example.com"},{"mbox":"mailto:c@example.com"}]}}`},
	{"Data 2.4.10 version 0.9", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"version":"0.9"}`},
	{"Data 2.4.11 attachment without sha2", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"attachments":[{"usageType":"http://example.com/u","display":{"en":"x"},"contentType":"text/plain","length":1,"fileUrl":"http://example.com/f"}]}`},
	{"Data 2.4.11 attachment length a string", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"attachments":[{"usageType":"http://example.com/u","display":{"en":"x"},"contentType":"text/plain","length":"1","sha2":"` + strings.Repeat("a", 64) + `","fileUrl":"http://example.com/f"}]}`},
}

// validStatements must be accepted under both versions.
var validStatements = []struct{ name, body string }{
	{"Data 2.4.2.2 identified group with members", `{"actor":{"objectType":"Group","account":{"homePage":"http://example.com","name":"team"},"member":[{"mbox":"mailto:a@example.com"}]},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`},
	{"Data 2.4.4.2 agent as object", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"Agent","mbox_sha1sum":"ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}}`},
	{"Data 2.4.4.3 SubStatement", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:b@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"timestamp":"2015-01-01T10:00:00+02:00"}}`},
	{"Data 2.4.4.1 interaction activity", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a","definition":{"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"choice","correctResponsesPattern":["a"],"choices":[{"id":"a","description":{"en-US":"A"}},{"id":"b"}]}}}`},
	{"Data 2.4.5 full result", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"result":{"score":{"scaled":-0.5,"raw":1.5,"min":-2,"max":2},"success":false,"completion":true,"response":"x","duration":"PT1H0.5S","extensions":{"http://example.com/ext":null}}}`},
	{"Data 2.4.6 context", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"context":{"registration":"8f87ccde-bb56-4c2e-ab83-44982ef22df0","instructor":{"openid":"http://id.example.com/t"},"team":{"objectType":"Group","member":[{"mbox":"mailto:b@example.com"}]},"contextActivities":{"parent":{"id":"http://example.com/p"},"grouping":[{"id":"http://example.com/g"}]},"revision":"r1","platform":"p","language":"zh-Hant-TW","statement":{"objectType":"StatementRef","id":"8f87ccde-bb56-4c2e-ab83-44982ef22df0"}}}`},
	{"Data 4.5 timestamp basic format with offset", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"timestamp":"20150101T100000.123456+0530"}`},
	{"Data 2.4.10 version 1.0.0", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"version":"1.0.0"}`},
	{"Data 2.4.11 attachment by fileUrl", `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"attachments":[{"usageType":"http://example.com/u","display":{"en":"x"},"contentType":"text/plain","length":1,"sha2":"` + strings.Repeat("a", 64) + `","fileUrl":"http://example.com/f"}]}`},
}

const contextAgents = `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"},"context":{"contextAgents":[{"objectType":"contextAgent","agent":{"mbox":"mailto:b@example.com"},"relevantTypes":["http://example.com/types/coach"]}],"contextGroups":[{"objectType":"contextGroup","group":{"objectType":"Group","member":[{"mbox":"mailto:c@example.com"}]}}]}}`

func testStatementValidation(t *testing.T, c client) {
	for _, tc := range invalidStatements {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			res, body := c.with(t).postStatements(tc.body)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
		})
	}
	for _, tc := range validStatements {
		t.Run(tc.name+" is accepted", func(t *testing.T) {
			res, body := c.with(t).postStatements(tc.body)
			assert.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		})
	}
	t.Run("Data 2.4.6 contextAgents and contextGroups (2.0 only)", func(t *testing.T) {
		res, body := c.with(t).postStatements(contextAgents)
		if c.v2() {
			assert.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		} else {
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
		}
	})
	t.Run("Data 2.4.6 contextAgent with a wrong objectType is refused", func(t *testing.T) {
		res, _ := c.with(t).postStatements(strings.Replace(contextAgents, `"contextAgent"`, `"Agent"`, 1))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
	t.Run("Data 2.4.10 statement version 2.0.0 only under 2.0", func(t *testing.T) {
		res, _ := c.with(t).postStatements(stmtJSON(uniq("ver"), `"version":"2.0.0"`))
		if c.v2() {
			assert.Equal(t, http.StatusOK, res.StatusCode)
		} else {
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		}
	})
	t.Run("Comm 2.1.2 a batch with one invalid statement stores nothing", func(t *testing.T) {
		mb := uniq("batch")
		res, _ := c.with(t).postStatements("[" + stmtJSON(mb, "") + `,{"actor":{"mbox":"x"}}]`)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		_, body := c.with(t).getStatements(url.Values{"agent": {`{"mbox":"` + mb + `"}`}})
		assert.Empty(t, decode[statementResult](t, body).Statements)
	})
	t.Run("Comm 3.2 error body names the field", func(t *testing.T) {
		res, body := c.with(t).postStatements(`{"actor":{"mbox":"a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a"}}`)
		require.Equal(t, http.StatusBadRequest, res.StatusCode)
		assert.Contains(t, string(body), "actor.mbox")
	})
}

func testStatementResource(t *testing.T, c client) {
	t.Run("Comm 2.1.1 PUT stores; the same again is a no-op; other content is a 409", func(t *testing.T) {
		id := uuid.NewString()
		mb := uniq("put")
		q := url.Values{"statementId": {id}}
		res, body := c.with(t).do(http.MethodPut, "/xapi/statements", q, []byte(stmtJSON(mb, "")))
		require.Equal(t, http.StatusNoContent, res.StatusCode, "%s", body)
		res, _ = c.with(t).do(http.MethodPut, "/xapi/statements", q, []byte(stmtJSON(mb, "")))
		assert.Equal(t, http.StatusNoContent, res.StatusCode)
		res, _ = c.with(t).do(http.MethodPut, "/xapi/statements", q, []byte(stmtJSON(uniq("other"), "")))
		assert.Equal(t, http.StatusConflict, res.StatusCode)
		res, _ = c.with(t).postStatements(stmtJSON(uniq("other"), `"id":"`+id+`"`))
		assert.Equal(t, http.StatusConflict, res.StatusCode)
	})
	t.Run("Comm 2.1.1 PUT without statementId is a 400", func(t *testing.T) {
		res, _ := c.with(t).do(http.MethodPut, "/xapi/statements", nil, []byte(stmtJSON(uniq("p"), "")))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
	t.Run("Comm 2.1.1 PUT with a different id in the body is a 400", func(t *testing.T) {
		res, _ := c.with(t).do(http.MethodPut, "/xapi/statements", url.Values{"statementId": {uuid.NewString()}},
			[]byte(stmtJSON(uniq("p"), `"id":"`+uuid.NewString()+`"`)))
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
	t.Run("Comm 2.1.2 POST returns the ids in order; the LRS sets id, stored, authority, version, timestamp", func(t *testing.T) {
		id := uuid.NewString()
		res, body := c.with(t).postStatements("[" + stmtJSON(uniq("a"), `"id":"`+id+`"`) + "," + stmtJSON(uniq("b"), "") + "]")
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		ids := decode[[]string](t, body)
		require.Len(t, ids, 2)
		assert.Equal(t, id, ids[0])
		res, body = c.with(t).getStatements(url.Values{"statementId": {ids[1]}})
		require.Equal(t, http.StatusOK, res.StatusCode)
		st := decode[map[string]any](t, body)
		assert.Equal(t, ids[1], st["id"])
		for _, k := range []string{"stored", "authority", "version", "timestamp"} {
			assert.Contains(t, st, k)
		}
		want := "1.0.0"
		if c.v2() {
			want = "2.0.0"
		}
		assert.Equal(t, want, st["version"])
		stored, _ := st["stored"].(string)
		assert.True(t, strings.HasSuffix(stored, "Z"), "stored is UTC: %s", stored)
		assert.NotEmpty(t, res.Header.Get("Last-Modified"))
		assert.NotEmpty(t, res.Header.Get("X-Experience-API-Consistent-Through"))
	})
	t.Run("Comm 2.1.2 a batch with two statements of one id is a 400", func(t *testing.T) {
		id := uuid.NewString()
		res, _ := c.with(t).postStatements("[" + stmtJSON(uniq("a"), `"id":"`+id+`"`) + "," + stmtJSON(uniq("b"), `"id":"`+id+`"`) + "]")
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
	t.Run("Data 4.5 timestamps are returned in UTC with milliseconds", func(t *testing.T) {
		res, body := c.with(t).postStatements(stmtJSON(uniq("ts"), `"timestamp":"2015-06-01T12:00:00+02:00"`))
		require.Equal(t, http.StatusOK, res.StatusCode)
		_, body = c.with(t).getStatements(url.Values{"statementId": {decode[[]string](t, body)[0]}})
		st := decode[map[string]any](t, body)
		assert.Equal(t, "2015-06-01T10:00:00.000Z", st["timestamp"])
	})
	t.Run("Comm 2.1.2 contextActivities come back as arrays", func(t *testing.T) {
		res, body := c.with(t).postStatements(stmtJSON(uniq("ca"), `"context":{"contextActivities":{"parent":{"id":"http://example.com/p"}}}`))
		require.Equal(t, http.StatusOK, res.StatusCode)
		_, body = c.with(t).getStatements(url.Values{"statementId": {decode[[]string](t, body)[0]}})
		st := decode[map[string]any](t, body)
		ctx := st["context"].(map[string]any)["contextActivities"].(map[string]any)
		assert.IsType(t, []any{}, ctx["parent"])
	})
	t.Run("Comm 1.1 HEAD answers like GET without a body", func(t *testing.T) {
		res, body := c.with(t).do(http.MethodHead, "/xapi/statements", url.Values{"limit": {"1"}}, nil)
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Empty(t, body)
	})
	t.Run("Comm 2.1.3 unknown statement is a 404", func(t *testing.T) {
		res, _ := c.with(t).getStatements(url.Values{"statementId": {uuid.NewString()}})
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
}

func testVoiding(t *testing.T, c client) {
	mb := uniq("void")
	res, body := c.postStatements(stmtJSON(mb, ""))
	require.Equal(t, http.StatusOK, res.StatusCode)
	target := decode[[]string](t, body)[0]
	res, body = c.postStatements(`{"actor":{"mbox":"` + mb + `"},"verb":{"id":"http://adlnet.gov/expapi/verbs/voided"},"object":{"objectType":"StatementRef","id":"` + target + `"}}`)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	voider := decode[[]string](t, body)[0]
	t.Run("Comm 2.1.4 a voided statement is not found by statementId", func(t *testing.T) {
		res, _ := c.with(t).getStatements(url.Values{"statementId": {target}})
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
	t.Run("Comm 2.1.4 it is found by voidedStatementId", func(t *testing.T) {
		res, body := c.with(t).getStatements(url.Values{"voidedStatementId": {target}})
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, target, decode[map[string]any](t, body)["id"])
	})
	t.Run("Comm 2.1.4 queries leave it out but keep the voiding statement", func(t *testing.T) {
		_, body := c.with(t).getStatements(url.Values{"agent": {`{"mbox":"` + mb + `"}`}})
		got := decode[statementResult](t, body).Statements
		require.Len(t, got, 1)
		assert.Equal(t, voider, got[0]["id"])
	})
	t.Run("Comm 2.1.4 a statement that is not voided is not found by voidedStatementId", func(t *testing.T) {
		res, _ := c.with(t).getStatements(url.Values{"voidedStatementId": {voider}})
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
}

func testQueries(t *testing.T, c client) {
	mb := uniq("query")
	reg := uuid.NewString()
	var batch []string
	for i := range 7 {
		extra := `"context":{"registration":"` + reg + `","contextActivities":{"grouping":[{"id":"http://example.com/course/q"}]}}`
		if i%2 == 1 {
			extra = `"context":{"instructor":{"mbox":"` + mb + `"}}`
		}
		batch = append(batch, stmtJSON(strings.Replace(mb, "mailto:", "mailto:x", 1), extra))
	}
	batch = append(batch, `{"actor":{"mbox":"`+mb+`"},"verb":{"id":"http://example.com/verbs/special"},"object":{"id":"http://example.com/activities/a1"}}`)
	// The agent filter also matches Groups that have the Agent as a member:
	// an anonymous Group actor, an identified Group object and (related
	// only) a context team.
	const groupVerb = "http://example.com/verbs/group"
	member := `"member":[{"mbox":"mailto:someone-else@example.com"},{"mbox":"` + mb + `"}]`
	batch = append(batch,
		`{"actor":{"objectType":"Group",`+member+`},"verb":{"id":"`+groupVerb+`"},"object":{"id":"http://example.com/activities/g"}}`,
		`{"actor":{"mbox":"mailto:teacher-g@example.com"},"verb":{"id":"`+groupVerb+`"},"object":{"objectType":"Group","mbox":"mailto:team-g@example.com",`+member+`}}`,
		`{"actor":{"mbox":"mailto:teacher-g@example.com"},"verb":{"id":"`+groupVerb+`"},"object":{"id":"http://example.com/activities/g"},"context":{"team":{"objectType":"Group",`+member+`}}}`)
	before := time.Now().Add(-time.Second).UTC()
	res, body := c.postStatements("[" + strings.Join(batch, ",") + "]")
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	agentQ := `{"mbox":"` + mb + `"}`
	count := func(t *testing.T, q url.Values) int {
		res, body := c.with(t).getStatements(q)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		return len(decode[statementResult](t, body).Statements)
	}
	cases := []struct {
		name string
		q    url.Values
		want int
	}{
		{"Comm 2.1.3 agent", url.Values{"agent": {agentQ}}, 3},
		{"Comm 2.1.3 related_agents", url.Values{"agent": {agentQ}, "related_agents": {"true"}}, 7},
		{"Comm 2.1.3 agent matches a member of a Group actor or object", url.Values{"agent": {agentQ}, "verb": {groupVerb}}, 2},
		{"Comm 2.1.3 related_agents matches a member of a context team", url.Values{"agent": {agentQ}, "verb": {groupVerb}, "related_agents": {"true"}}, 3},
		{"Comm 2.1.3 verb", url.Values{"agent": {agentQ}, "verb": {"http://example.com/verbs/special"}}, 1},
		{"Comm 2.1.3 registration", url.Values{"registration": {reg}}, 4},
		{"Comm 2.1.3 activity (object only)", url.Values{"activity": {"http://example.com/course/q"}, "registration": {reg}}, 0},
		{"Comm 2.1.3 related_activities", url.Values{"activity": {"http://example.com/course/q"}, "related_activities": {"true"}, "registration": {reg}}, 4},
		{"Comm 2.1.3 since", url.Values{"registration": {reg}, "since": {before.Format(time.RFC3339Nano)}}, 4},
		{"Comm 2.1.3 until", url.Values{"registration": {reg}, "until": {before.Format(time.RFC3339Nano)}}, 0},
		{"Comm 2.1.3 limit", url.Values{"registration": {reg}, "limit": {"2"}}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, count(t, tc.q))
		})
	}
	t.Run("Comm 2.1.3 more pages through everything once", func(t *testing.T) {
		for _, asc := range []string{"false", "true"} {
			seen := map[string]bool{}
			res, body := c.with(t).getStatements(url.Values{"registration": {reg}, "limit": {"3"}, "ascending": {asc}})
			for i := 0; ; i++ {
				require.Less(t, i, 5)
				require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
				r := decode[statementResult](t, body)
				for _, s := range r.Statements {
					id := s["id"].(string)
					assert.False(t, seen[id])
					seen[id] = true
				}
				if r.More == "" {
					break
				}
				u, err := url.Parse(r.More)
				require.NoError(t, err)
				// A write between pages does not disturb paging.
				c.with(t).postStatements(stmtJSON(uniq("noise"), `"context":{"registration":"`+uuid.NewString()+`"}`))
				res, body = c.with(t).do(http.MethodGet, u.Path, u.Query(), nil)
			}
			assert.Len(t, seen, 4)
		}
	})
	t.Run("Comm 2.1.3 format=ids keeps only identifiers", func(t *testing.T) {
		_, body := c.with(t).getStatements(url.Values{"agent": {agentQ}, "verb": {"http://example.com/verbs/special"}, "format": {"ids"}})
		st := decode[statementResult](t, body).Statements[0]
		assert.Equal(t, map[string]any{"id": "http://example.com/verbs/special"}, st["verb"])
		assert.Equal(t, map[string]any{"id": "http://example.com/activities/a1"}, st["object"])
	})
	t.Run("Comm 2.1.3 format=canonical picks one language by Accept-Language", func(t *testing.T) {
		_, body := c.with(t).getStatements(url.Values{"registration": {reg}, "format": {"canonical"}, "limit": {"1"}},
			header("Accept-Language", "fr;q=0.9, de;q=0.1"))
		st := decode[statementResult](t, body).Statements[0]
		assert.Equal(t, map[string]any{"fr": "a vécu"}, st["verb"].(map[string]any)["display"])
		def := st["object"].(map[string]any)["definition"].(map[string]any)
		assert.Equal(t, map[string]any{"fr": "Leçon un"}, def["name"])
	})
	for _, tc := range []struct {
		name string
		q    url.Values
	}{
		{"Comm 2.1.3 statementId with another filter", url.Values{"statementId": {uuid.NewString()}, "verb": {"http://example.com/v"}}},
		{"Comm 2.1.3 unknown parameter", url.Values{"color": {"red"}}},
		{"Comm 2.1.3 agent not JSON", url.Values{"agent": {"bob"}}},
		{"Comm 2.1.3 since not a timestamp", url.Values{"since": {"yesterday"}}},
		{"Comm 2.1.3 format unknown", url.Values{"format": {"full"}}},
		{"Comm 2.1.3 limit negative", url.Values{"limit": {"-1"}}},
		{"Comm 2.1.3 more forged", url.Values{"more": {"abc"}}},
	} {
		t.Run(tc.name+" is a 400", func(t *testing.T) {
			res, _ := c.with(t).getStatements(tc.q)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		})
	}
	t.Run("Comm 2.1.3 statements targeting a matching statement match too", func(t *testing.T) {
		target := uniq("target")
		res, body := c.with(t).postStatements(stmtJSON(target, ""))
		require.Equal(t, http.StatusOK, res.StatusCode)
		tid := decode[[]string](t, body)[0]
		res, body = c.with(t).postStatements(`{"actor":{"mbox":"` + uniq("fan") + `"},"verb":{"id":"http://example.com/verbs/liked"},"object":{"objectType":"StatementRef","id":"` + tid + `"}}`)
		require.Equal(t, http.StatusOK, res.StatusCode)
		rid := decode[[]string](t, body)[0]
		_, body = c.with(t).getStatements(url.Values{"agent": {`{"mbox":"` + target + `"}`}})
		var got []any
		for _, s := range decode[statementResult](t, body).Statements {
			got = append(got, s["id"])
		}
		assert.Equal(t, []any{rid, tid}, got)
	})
	t.Run("Comm 2.1.3 Consistent-Through is a timestamp", func(t *testing.T) {
		res, _ := c.with(t).getStatements(url.Values{"limit": {"1"}})
		_, err := time.Parse(time.RFC3339Nano, res.Header.Get("X-Experience-API-Consistent-Through"))
		assert.NoError(t, err)
	})
}

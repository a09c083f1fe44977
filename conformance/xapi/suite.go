package xapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// Cred is an xAPI client credential (HTTP Basic key and secret).
type Cred struct{ Key, Secret string }

// Target is an LRS under test.
type Target struct {
	// Do sends one request to the LRS (in-process or over the network).
	Do func(*http.Request) (*http.Response, error)
	// Base is the URL prefix of the LRS, e.g. "http://lrs.example" (the
	// resources are under Base + "/xapi/").
	Base string
	// All has every xAPI scope.
	All Cred
	// WriteOnly has statements/write only.
	WriteOnly Cred
	// MineA and MineB have statements/write and statements/read/mine.
	MineA, MineB Cred
	// StateOnly has the state scope only.
	StateOnly Cred
	// OtherTenant has every scope in another tenant.
	OtherTenant Cred
}

// Factory makes a fresh target for one test.
type Factory func(t *testing.T) Target

// client sends requests to a target under one xAPI version.
type client struct {
	t       *testing.T
	tg      Target
	version string
	cred    *Cred
}

type reqOpt func(*http.Request)

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func (c client) as(cr Cred) client { c.cred = &cr; return c }

func (c client) anonymous() client { c.cred = &Cred{}; return c }

// response is what a case sees of an answer: its status and headers (the
// body is returned beside it, already read and closed).
type response struct {
	StatusCode int
	Header     http.Header
}

func (c client) do(method, path string, q url.Values, body []byte, opts ...reqOpt) (*response, []byte) {
	c.t.Helper()
	u := c.tg.Base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	require.NoError(c.t, err)
	if c.version != "" {
		req.Header.Set("X-Experience-API-Version", c.version)
	}
	cr := c.tg.All
	if c.cred != nil {
		cr = *c.cred
	}
	if cr.Key != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cr.Key+":"+cr.Secret)))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	res, err := c.tg.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return &response{StatusCode: res.StatusCode, Header: res.Header}, b
}

func (c client) postStatements(body string, opts ...reqOpt) (*response, []byte) {
	c.t.Helper()
	return c.do(http.MethodPost, "/xapi/statements", nil, []byte(body), opts...)
}

// postID posts one statement, requires a 200 and returns its id.
func (c client) postID(body string) string {
	c.t.Helper()
	res, b := c.postStatements(body)
	require.Equal(c.t, http.StatusOK, res.StatusCode, "%s", b)
	ids := decode[[]string](c.t, b)
	require.Len(c.t, ids, 1)
	return ids[0]
}

func (c client) getStatements(q url.Values, opts ...reqOpt) (*response, []byte) {
	c.t.Helper()
	return c.do(http.MethodGet, "/xapi/statements", q, nil, opts...)
}

// statementResult is the body of a statements query.
type statementResult struct {
	Statements []map[string]any `json:"statements"`
	More       string           `json:"more"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(b, &v), "body: %s", b)
	return v
}

// uniq returns a fresh mailto IRI so cases do not see each other's data.
func uniq(prefix string) string {
	return "mailto:" + prefix + "-" + strings.ReplaceAll(uuid.NewString(), "-", "") + "@example.com"
}

// stmtJSON builds a minimal valid statement for actor mbox.
func stmtJSON(mbox string, extra string) string {
	s := `{"actor":{"objectType":"Agent","mbox":"` + mbox + `"},"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced","display":{"en-US":"experienced","fr":"a vécu"}},"object":{"id":"http://example.com/activities/a1","definition":{"name":{"en-US":"Lesson one","fr":"Leçon un"}}}`
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// Versions are the xAPI versions every case runs under.
var Versions = []string{"1.0.3", "2.0.0"}

// Run runs the whole suite against targets made by newTarget, under each
// version.
func Run(t *testing.T, newTarget Factory) {
	for _, v := range Versions {
		t.Run(v, func(t *testing.T) {
			tg := newTarget(t)
			for _, g := range groups {
				t.Run(g.name, func(t *testing.T) {
					g.fn(t, client{t: t, tg: tg, version: v})
				})
			}
		})
	}
}

type group struct {
	name string
	fn   func(t *testing.T, c client)
}

var groups = []group{
	{"About(Comm 2.8)", testAbout},
	{"Versioning(Comm 3.3)", testVersioning},
	{"CORS(Comm 1.3)", testCORS},
	{"Authentication(Comm 4.0)", testAuthentication},
	{"StatementValidation(Data 2.2-2.4)", testStatementValidation},
	{"StatementResource(Comm 2.1)", testStatementResource},
	{"Voiding(Data 2.3.2)", testVoiding},
	{"Queries(Comm 2.1.3)", testQueries},
	{"Attachments(Data 2.4.11)", testAttachments},
	{"SignedStatements(Data 2.6)", testSignedStatements},
	{"AlternateRequestSyntax(Comm 1.3)", testAlternateSyntax},
	{"Documents(Comm 2.2-2.7)", testDocuments},
	{"Concurrency(Comm 3.1)", testConcurrency},
	{"Encoding(Comm 1.4)", testEncoding},
	{"ADL StatementResource", testADLStatementResource},
	{"ADL ContentTypes", testADLContentTypes},
	{"ADL Documents", testADLDocuments},
	{"ADL Concurrency", testADLConcurrency},
	{"ADL AgentsActivities", testADLAgentsActivities},
	{"ADL HEAD", testADLHead},
	{"ADL ErrorCodes", testADLErrorCodes},
	{"ADL Versioning", testADLVersioning},
	{"ADL NoVersionHeader", testADLNoVersionHeader},
	{"ADL AlternateRequestSyntax 2.0", testADLAlternateSyntax2},
	{"ADL AlternateRequestSyntax 1.0.3", testADLAlternateSyntax103},
	{"ADL AlternateRequestSyntax 1.0.3 document.js", testADLAlternateSyntaxDocumentJS},
	{"ADL About", testADLAbout},
	{"ADL Misc", testADLMisc},
	{"ADLData(Data 2.2-4.6)", testADLData},
	{"ADLDataLifecycle(Data 2.3-2.4.10)", testADLDataLifecycle},
	{"ADL Attachments(Data 2.4.11)", testADLAttachments},
	{"ADL SignedStatements(Data 2.6)", testADLSignedStatements},
	{"ADL Data 1.0.3 configs (contexts, authorities, statementrefs, extensions, durations)", testADLMoreData},
	{"ADL Data 1.0.3 configs (groups, actors, agents, ifis, uuids, languages)", testADLActors},
	{"ADL REST resources (H.Comm 2.1, 2.4-2.6)", testADLRest},
}

func (c client) with(t *testing.T) client { c.t = t; return c }

func (c client) v2() bool { return strings.HasPrefix(c.version, "2.") }

package platform

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/passportbridge/passport/lti"
)

// Faults switch on misbehaviour for one launch.
type Faults struct {
	Expired        bool          // exp and iat an hour in the past
	IatOffset      time.Duration // the platform clock's error (iat ahead or behind)
	MissingKid     bool
	WrongKid       bool
	UnpublishedKey bool // signed by a key the JWKS does not hold
	RotateKey      bool // rotate the platform key just before signing
	BadSignature   bool
	AlgNone        bool
	HS256          bool
	NotJWT         bool
	WrongNonce     bool
	// ReplayLaunch POSTs the same id_token and state a second time after
	// the launch; the second answer is in Result.Replay.
	ReplayLaunch bool
	// NoCookies makes the browser drop every cookie (Safari blocking
	// third-party cookies); with a profile that sends lti_storage_target
	// the launch goes through platform storage.
	NoCookies bool
	// StorageTarget forces lti_storage_target on (or, with "-", off).
	StorageTarget string
	// NoCapabilities makes the course page (CoursePage) leave
	// lti.capabilities unanswered: a platform without platform storage.
	NoCapabilities bool
	// PlatformError makes the platform answer the authentication request
	// with this OIDC error (login_required, …).
	PlatformError string
	// OmitClientID leaves client_id out of login initiation.
	OmitClientID bool
	// TargetLinkURI overrides the login and claim target_link_uri.
	TargetLinkURI string
	// Mutate edits the id_token claims just before signing.
	Mutate func(claims map[string]any)
	// AllowReuse lets the same login_hint authenticate twice.
	AllowReuse bool
	// GetLogin uses GET for login initiation (default POST; Brightspace GET).
	GetLogin bool
}

// User is who launches.
type User struct {
	Sub        string
	Name       string
	GivenName  string
	FamilyName string
	Email      string
	Roles      []string
	SourcedID  string
}

// Role URIs for tests.
const (
	RoleInstructor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
	RoleLearner    = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
)

// Student and Teacher are stock users.
var (
	Student = User{Sub: "student-1", Name: "Amina Yusuf", GivenName: "Amina", FamilyName: "Yusuf", Email: "amina@example.org", Roles: []string{RoleLearner}, SourcedID: "sis-student-1"}
	Teacher = User{Sub: "teacher-1", Name: "Jon Doe", GivenName: "Jon", FamilyName: "Doe", Email: "jon@example.org", Roles: []string{RoleInstructor, "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"}}
)

// Message describes the launch to make.
type Message struct {
	Type string // lti.MessageResourceLink (default) or lti.MessageDeepLinkingRequest
	User User
	// TargetLinkURI is the tool URL to launch; default the redirect URI's
	// sibling /lti/launch target.
	TargetLinkURI  string
	ResourceLinkID string
	Custom         map[string]any
	// AcceptMultiple and Data shape a deep-linking request.
	AcceptMultiple bool
	Data           string
	Faults         Faults
}

// Result is what the browser ended with.
type Result struct {
	// Response is the tool's final answer to the launch POST; its body is
	// in Body.
	Response *http.Response
	Body     string
	// LoginResponse is the tool's answer to login initiation.
	LoginStatus int
	// Replay is the answer to the replayed POST (Faults.ReplayLaunch).
	Replay     *http.Response
	ReplayBody string
	// UsedStorage says the launch went through platform storage.
	UsedStorage bool
}

// Claims builds the id_token claims of a launch in the profile's shape.
func (p *Platform) Claims(m Message) map[string]any {
	if m.Type == "" {
		m.Type = lti.MessageResourceLink
	}
	if m.ResourceLinkID == "" {
		m.ResourceLinkID = "rl-" + string(p.Profile) + "-1"
	}
	c := map[string]any{
		"iss":                  p.Issuer,
		"aud":                  p.ClientID,
		lti.ClaimMessageType:   m.Type,
		lti.ClaimVersion:       lti.Version,
		lti.ClaimDeploymentID:  p.DeploymentID,
		lti.ClaimTargetLinkURI: m.TargetLinkURI,
		lti.ClaimRoles:         m.User.Roles,
		lti.ClaimContext: map[string]any{
			"id": "course-42", "label": "MATH101", "title": "Mathematics 1",
			"type": []string{"http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"},
		},
		lti.ClaimToolPlatform: map[string]any{
			"guid": "platform-" + string(p.Profile), "name": string(p.Profile), "product_family_code": p.Profile.familyCode(), "version": "1",
		},
		lti.ClaimLaunchPresentation: map[string]any{"document_target": "iframe", "return_url": p.URL("/return?course=42"), "locale": "en"},
		lti.ClaimAGSEndpoint: map[string]any{
			"scope":     []string{lti.ScopeLineItem, lti.ScopeLineItemReadOnly, lti.ScopeResultReadOnly, lti.ScopeScore},
			"lineitems": p.URL("/lineitems"),
		},
		lti.ClaimNRPS: map[string]any{"context_memberships_url": p.URL("/memberships"), "service_versions": []string{"2.0"}},
	}
	if m.User.Roles == nil {
		c[lti.ClaimRoles] = []string{}
	}
	if m.User.Sub != "" {
		c["sub"] = m.User.Sub
		for k, v := range map[string]string{"name": m.User.Name, "given_name": m.User.GivenName, "family_name": m.User.FamilyName, "email": m.User.Email} {
			if v != "" {
				c[k] = v
			}
		}
		if m.User.SourcedID != "" {
			c[lti.ClaimLIS] = map[string]any{"person_sourcedid": m.User.SourcedID, "course_section_sourcedid": "sec-42"}
		}
	}
	if m.Type == lti.MessageResourceLink {
		c[lti.ClaimResourceLink] = map[string]any{"id": m.ResourceLinkID, "title": "Fractions practice"}
	}
	if m.Type == lti.MessageDeepLinkingRequest {
		s := map[string]any{
			"deep_link_return_url":                 p.URL("/dl-return"),
			"accept_types":                         []string{"ltiResourceLink", "link"},
			"accept_presentation_document_targets": []string{"iframe", "window"},
			"accept_multiple":                      m.AcceptMultiple,
			"accept_lineitem":                      true,
		}
		if m.Data != "" {
			s["data"] = m.Data
		}
		c[lti.ClaimDLSettings] = s
		delete(c, lti.ClaimAGSEndpoint)
	}
	if m.Custom != nil {
		c[lti.ClaimCustom] = m.Custom
	}
	switch p.Profile {
	case Moodle:
		c[lti.ClaimContext] = map[string]any{"id": "2", "label": "M1", "title": "Maths", "type": []string{"CourseSection"}}
		if m.User.Sub != "" {
			c[lti.ClaimLIS] = map[string]any{"person_sourcedid": m.User.SourcedID, "course_section_sourcedid": ""}
		}
		c[lti.ClaimPrefix+"ext"] = map[string]any{"lms": "moodle-2"}
		c["https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome"] = map[string]any{"lis_result_sourcedid": `{"data":{"instanceid":"1"}}`, "lis_outcome_service_url": p.URL("/bo")}
		c[lti.ClaimNRPS] = map[string]any{"context_memberships_url": p.URL("/memberships"), "service_versions": []string{"1.0", "2.0"}}
		if m.Type == lti.MessageResourceLink {
			c[lti.ClaimAGSEndpoint] = map[string]any{
				"scope":     []string{lti.ScopeLineItem, lti.ScopeLineItemReadOnly, lti.ScopeResultReadOnly, lti.ScopeScore},
				"lineitems": p.URL("/lineitems?type_id=4"),
				"lineitem":  p.ensureLineItem(m.ResourceLinkID, true),
			}
		}
	case Canvas:
		if m.Custom == nil {
			c[lti.ClaimCustom] = map[string]any{"canvas_user_id": 1234, "canvas_course_id": "42"}
		}
		c["https://www.instructure.com/placement"] = "link_selection"
		if m.Type == lti.MessageResourceLink {
			ags := c[lti.ClaimAGSEndpoint].(map[string]any)
			ags["lineitem"] = p.ensureLineItem(m.ResourceLinkID, false)
		}
	case Blackboard:
		if rl, ok := c[lti.ClaimResourceLink].(map[string]any); ok {
			rl["title"] = `Fractions & "ratios"`
		}
		if m.Type == lti.MessageDeepLinkingRequest {
			c[lti.ClaimResourceLink] = map[string]any{"id": "_dl_1"}
		}
		if m.Custom == nil {
			c[lti.ClaimCustom] = map[string]any{"course_id": "$Context.id.unresolved", "user": "$User.username"}
		}
		c["https://blackboard.com/lti/claim/one_time_session_token"] = "ots-abc"
	case Brightspace:
		c["http://www.brightspace.com"] = map[string]any{"tenant_id": "t-1", "org_defined_id": "od-1", "user_id": 99}
	default:
	}
	return c
}

func (p *Platform) ensureLineItem(resourceLinkID string, moodle bool) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range p.order {
		if li := p.lineItems[id]; li.ResourceLinkID == resourceLinkID {
			return li.ID
		}
	}
	return p.addLineItemLocked(lti.LineItem{Label: "Fractions practice", ScoreMaximum: 10, ResourceLinkID: resourceLinkID}, moodle).ID
}

// Browser is the user agent between the platform and the tool: it keeps
// cookies (unless blocked) and the platform's storage frame.
type Browser struct {
	Client  *http.Client
	cookies map[string]string
	storage map[string]string // platform storage (key → value), per origin+target
}

// NewBrowser returns a browser that does not follow redirects by itself.
func NewBrowser() *Browser {
	return &Browser{
		Client: &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       30 * time.Second,
		},
		cookies: map[string]string{},
		storage: map[string]string{},
	}
}

func (b *Browser) send(req *http.Request, noCookies bool) (*http.Response, string, error) {
	if !noCookies {
		for k, v := range b.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v}) //nolint:gosec // G124: a request cookie, attributes do not apply
		}
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, "", err
	}
	if !noCookies {
		for _, c := range resp.Cookies() {
			if c.MaxAge < 0 {
				delete(b.cookies, c.Name)
			} else {
				b.cookies[c.Name] = c.Value
			}
		}
	}
	return resp, string(body), nil
}

var (
	inputRe  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	actionRe = regexp.MustCompile(`<form[^>]*\smethod="post"\s+action="([^"]*)"`)
	dataRe   = regexp.MustCompile(`(?s)<script type="application/json" id="lti-data">(.*?)</script>`)
)

// Post form-POSTs values to target with the browser's cookies and returns
// the answer and its body.
func (b *Browser) Post(target string, values url.Values) (*http.Response, string, error) {
	req, err := postForm(target, values)
	if err != nil {
		return nil, "", err
	}
	return b.send(req, false)
}

// Get fetches target with the browser's cookies.
func (b *Browser) Get(target string) (*http.Response, string, error) {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return nil, "", err
	}
	return b.send(req, false)
}

// ParseAutoPost extracts the action and fields of an auto-submitting form.
func ParseAutoPost(body string) (string, url.Values, error) {
	m := actionRe.FindStringSubmatch(body)
	if m == nil {
		return "", nil, fmt.Errorf("no auto-post form in %.200q", body)
	}
	v := url.Values{}
	for _, in := range inputRe.FindAllStringSubmatch(body, -1) {
		v.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return html.UnescapeString(m[1]), v, nil
}

// PageData extracts the JSON data block a tool page carries for scripts.
func PageData(body string) (map[string]string, bool) {
	m := dataRe.FindStringSubmatch(body)
	if m == nil {
		return nil, false
	}
	var out map[string]string
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &out); err != nil {
		return nil, false
	}
	return out, true
}

func postForm(target string, v url.Values) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// Launch plays a whole launch: login initiation at the tool, the
// authentication request at the platform, the id_token POST to the tool
// (and the platform-storage round trip when cookies are blocked).
func (p *Platform) Launch(b *Browser, m Message) (*Result, error) {
	f := m.Faults
	login, storage, err := p.prepareLogin(m)
	if err != nil {
		return nil, err
	}
	target := storageFrame
	var req *http.Request
	if f.GetLogin || p.Profile == Brightspace {
		req, err = http.NewRequest(http.MethodGet, p.ToolLoginURL+"?"+login.Encode(), nil)
	} else {
		req, err = postForm(p.ToolLoginURL, login)
	}
	if err != nil {
		return nil, err
	}
	resp, body, err := b.send(req, f.NoCookies)
	if err != nil {
		return nil, err
	}
	res := &Result{LoginStatus: resp.StatusCode}
	var authURL string
	switch {
	case resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther:
		authURL = resp.Header.Get("Location")
	case resp.StatusCode == http.StatusOK && storage:
		d, ok := PageData(body)
		if !ok || d["next"] == "" {
			return nil, fmt.Errorf("login page has no storage data")
		}
		if d["target"] != target || d["origin"] != p.Server.URL {
			return nil, fmt.Errorf("storage put_data to %q/%q, want %q/%q", d["target"], d["origin"], target, p.Server.URL)
		}
		b.storage[d["key"]] = d["value"]
		res.UsedStorage = true
		authURL = d["next"]
	default:
		res.Response, res.Body = resp, body
		return res, nil
	}
	if !strings.HasPrefix(authURL, p.AuthURL()+"?") {
		return nil, fmt.Errorf("tool redirected to %q, not the platform's auth endpoint", authURL)
	}
	areq, err := http.NewRequest(http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	aresp, abody, err := b.send(areq, true)
	if err != nil {
		return nil, err
	}
	if aresp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("platform auth refused: %d %s", aresp.StatusCode, abody)
	}
	action, fields, err := ParseAutoPost(abody)
	if err != nil {
		return nil, err
	}
	if storage {
		fields.Set("lti_storage_target", target)
	}
	lreq, err := postForm(action, fields)
	if err != nil {
		return nil, err
	}
	lresp, lbody, err := b.send(lreq, f.NoCookies)
	if err != nil {
		return nil, err
	}
	if d, ok := PageData(lbody); ok && lresp.StatusCode == http.StatusOK && d["check"] == "platform-storage" {
		if d["target"] != target || d["origin"] != p.Server.URL {
			return nil, fmt.Errorf("storage get_data to %q/%q", d["target"], d["origin"])
		}
		v, ok := b.storage[d["key"]]
		if !ok {
			return nil, fmt.Errorf("platform storage has no %q", d["key"])
		}
		res.UsedStorage = true
		fields.Set("lti_storage_value", v)
		lreq, err = postForm(action, fields)
		if err != nil {
			return nil, err
		}
		if lresp, lbody, err = b.send(lreq, f.NoCookies); err != nil {
			return nil, err
		}
	}
	res.Response, res.Body = lresp, lbody
	if f.ReplayLaunch {
		rreq, err := postForm(action, fields)
		if err != nil {
			return nil, err
		}
		if res.Replay, res.ReplayBody, err = b.send(rreq, f.NoCookies); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// storageFrame is the name of the platform's postMessage storage frame.
const storageFrame = "post_message_forwarding"

// prepareLogin registers the pending launch of m and returns the login
// initiation parameters, and whether they offer platform storage.
func (p *Platform) prepareLogin(m Message) (url.Values, bool, error) {
	f := m.Faults
	if m.TargetLinkURI == "" {
		m.TargetLinkURI = strings.TrimSuffix(p.ToolRedirectURI, "/lti/launch") + "/lti/launch"
		if m.Type == lti.MessageDeepLinkingRequest {
			m.TargetLinkURI = strings.TrimSuffix(p.ToolRedirectURI, "/lti/launch") + "/lti/deep-link"
		}
	}
	if f.TargetLinkURI != "" {
		m.TargetLinkURI = f.TargetLinkURI
	}
	if f.RotateKey {
		if err := p.RotateKey(); err != nil {
			return nil, false, err
		}
	}
	claims := p.Claims(m)
	loginHint := m.User.Sub
	if loginHint == "" {
		loginHint = "anon"
	}
	loginHint += "-" + randomID(6)
	var hint string
	switch p.Profile {
	case Moodle:
		hint = `{"cmid":2,"launchid":"ltilaunch1_` + randomID(6) + `"}`
	case Canvas:
		hint = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ2ZXJpZmllciI6IjEyMyJ9." + randomID(16)
	default:
		hint = "hint-" + randomID(6)
	}
	p.mu.Lock()
	p.pending[loginHint] = &pendingLaunch{claims: claims, messageHint: hint, faults: f}
	p.mu.Unlock()

	login := url.Values{
		"iss":              {p.Issuer},
		"login_hint":       {loginHint},
		"target_link_uri":  {m.TargetLinkURI},
		"lti_message_hint": {hint},
	}
	if !f.OmitClientID {
		login.Set("client_id", p.ClientID)
	}
	switch p.Profile {
	case Moodle, Blackboard:
		login.Set("lti_deployment_id", p.DeploymentID)
	case Canvas:
		login.Set("canvas_region", "us-east-1")
		login.Set("canvas_environment", "prod")
	default: // Brightspace sends neither
	}
	storage := p.Profile.sendsStorageTarget()
	if f.StorageTarget == "-" {
		storage = false
	} else if f.StorageTarget != "" {
		storage = true
	}
	if storage {
		login.Set("lti_storage_target", storageFrame)
	}
	return login, storage, nil
}

// IDToken signs the id_token the platform would send for m with nonce,
// without the browser round trip (for tests of the tool's domain layer).
func (p *Platform) IDToken(m Message, nonce string) (string, error) {
	if m.TargetLinkURI == "" {
		m.TargetLinkURI = strings.TrimSuffix(p.ToolRedirectURI, "/lti/launch") + "/lti/launch"
	}
	if m.Faults.RotateKey {
		if err := p.RotateKey(); err != nil {
			return "", err
		}
	}
	pl := &pendingLaunch{claims: p.Claims(m), faults: m.Faults}
	return p.signPending(pl, nonce)
}

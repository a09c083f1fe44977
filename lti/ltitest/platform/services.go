package platform

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passportbridge/passport/lti"
)

// handleToken is the client-credentials token endpoint with a JWT client
// assertion (Security Framework §4.1).
func (p *Platform) handleToken(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.TokenCalls++
	p.mu.Unlock()
	oauthErr := func(code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		oauthErr("invalid_request", "form body required")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthErr("invalid_request", "bad form")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" ||
		r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		oauthErr("unsupported_grant_type", "client_credentials with jwt-bearer assertion required")
		return
	}
	claims, _, err := p.verifyToolJWT(r.Context(), r.PostForm.Get("client_assertion"))
	if err != nil {
		oauthErr("invalid_client", err.Error())
		return
	}
	if claims["iss"] != p.ClientID || claims["sub"] != p.ClientID {
		oauthErr("invalid_client", "iss and sub must be the client id")
		return
	}
	wantAud := p.TokenURL()
	if p.Profile == Brightspace {
		wantAud = BrightspaceAudience
	}
	if !audHas(claims["aud"], wantAud) {
		oauthErr("invalid_client", fmt.Sprintf("aud must be %s", wantAud))
		return
	}
	if _, isArray := claims["aud"].([]any); p.RequireAudArray && !isArray {
		oauthErr("invalid_client", "aud must be an array")
		return
	}
	now := p.now().Unix()
	exp, _ := claims["exp"].(float64)
	iat, _ := claims["iat"].(float64)
	if int64(exp) < now || int64(iat) > now+60 || int64(exp)-int64(iat) > 300 {
		oauthErr("invalid_client", "assertion expired or too long-lived")
		return
	}
	jti, _ := claims["jti"].(string)
	p.mu.Lock()
	seen := p.jtis[jti]
	p.jtis[jti] = true
	p.mu.Unlock()
	if jti == "" || seen {
		oauthErr("invalid_client", "jti missing or reused")
		return
	}
	allowed := []string{lti.ScopeLineItem, lti.ScopeLineItemReadOnly, lti.ScopeResultReadOnly, lti.ScopeScore, lti.ScopeMembership}
	var granted []string
	for _, s := range strings.Fields(r.PostForm.Get("scope")) {
		if slices.Contains(allowed, s) {
			granted = append(granted, s)
		}
	}
	if len(granted) == 0 {
		oauthErr("invalid_scope", "no known scope")
		return
	}
	tok := randomID(24)
	p.mu.Lock()
	p.tokens[tok] = granted
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600, "scope": strings.Join(granted, " ")})
}

func audHas(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, v := range a {
			if v == want {
				return true
			}
		}
	}
	return false
}

// authorize checks the bearer token holds one of the scopes.
func (p *Platform) authorize(w http.ResponseWriter, r *http.Request, scopes ...string) bool {
	p.mu.Lock()
	down := p.Down
	p.mu.Unlock()
	if down {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	granted, known := p.tokens[tok]
	p.mu.Unlock()
	if !ok || !known {
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return false
	}
	for _, s := range scopes {
		if slices.Contains(granted, s) {
			return true
		}
	}
	http.Error(w, "insufficient scope", http.StatusForbidden)
	return false
}

// ForgetTokens invalidates every issued access token (the tool must get a
// new one after a 401).
func (p *Platform) ForgetTokens() {
	p.mu.Lock()
	p.tokens = map[string][]string{}
	p.mu.Unlock()
}

func (p *Platform) addLineItemLocked(li lti.LineItem, moodle bool) lti.LineItem {
	p.nextID++
	id := strconv.Itoa(p.nextID)
	if moodle || p.Profile == Moodle {
		li.ID = p.URL("/lineitems/" + id + "/lineitem?type_id=4")
	} else {
		li.ID = p.URL("/lineitems/" + id)
	}
	p.lineItems[id] = &li
	p.order = append(p.order, id)
	return li
}

func (p *Platform) handleLineItems(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		if !p.authorize(w, r, lti.ScopeLineItem, lti.ScopeLineItemReadOnly) {
			return
		}
		if r.Header.Get("Accept") != lti.MediaLineItemContainer {
			http.Error(w, "accept must be "+lti.MediaLineItemContainer, http.StatusNotAcceptable)
			return
		}
		q := r.URL.Query()
		var items []lti.LineItem
		p.mu.Lock()
		for _, id := range p.order {
			li := p.lineItems[id]
			if (q.Get("resource_link_id") == "" || li.ResourceLinkID == q.Get("resource_link_id")) &&
				(q.Get("resource_id") == "" || li.ResourceID == q.Get("resource_id")) &&
				(q.Get("tag") == "" || li.Tag == q.Get("tag")) {
				items = append(items, *li)
			}
		}
		p.mu.Unlock()
		page(w, r, items, lti.MediaLineItemContainer)
	case http.MethodPost:
		if !p.authorize(w, r, lti.ScopeLineItem) {
			return
		}
		if r.Header.Get("Content-Type") != lti.MediaLineItem {
			http.Error(w, "content-type must be "+lti.MediaLineItem, http.StatusUnsupportedMediaType)
			return
		}
		var li lti.LineItem
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&li); err != nil || li.ScoreMaximum <= 0 || li.Label == "" {
			http.Error(w, "invalid line item", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		li = p.addLineItemLocked(li, false)
		p.mu.Unlock()
		w.Header().Set("Content-Type", lti.MediaLineItem)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(li)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// page writes items with limit/offset paging and Link rel="next".
func page[T any](w http.ResponseWriter, r *http.Request, items []T, media string) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset > len(items) {
		offset = len(items)
	}
	end := len(items)
	if limit > 0 && offset+limit < end {
		end = offset + limit
		nq := r.URL.Query()
		nq.Set("offset", strconv.Itoa(end))
		w.Header().Add("Link", fmt.Sprintf(`<http://%s%s?%s>; rel="next"`, r.Host, r.URL.Path, nq.Encode()))
	}
	out := items[offset:end]
	if out == nil {
		out = []T{}
	}
	w.Header().Set("Content-Type", media)
	_ = json.NewEncoder(w).Encode(out)
}

// handleLineItem serves /lineitems/{id}, …/scores and …/results (and the
// Moodle shape /lineitems/{id}/lineitem?type_id=4).
func (p *Platform) handleLineItem(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/lineitems/")
	parts := strings.Split(rest, "/")
	id := parts[0]
	parts = parts[1:]
	if p.Profile == Moodle {
		if len(parts) == 0 || parts[0] != "lineitem" || r.URL.Query().Get("type_id") != "4" {
			http.Error(w, "moodle line item urls are /lineitems/{id}/lineitem?type_id=4", http.StatusNotFound)
			return
		}
		parts = parts[1:]
	}
	p.mu.Lock()
	li, ok := p.lineItems[id]
	p.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case len(parts) == 0:
		p.lineItemCRUD(w, r, id, li)
	case len(parts) == 1 && parts[0] == "scores" && r.Method == http.MethodPost:
		p.postScore(w, r, li)
	case len(parts) == 1 && parts[0] == "results" && r.Method == http.MethodGet:
		if !p.authorize(w, r, lti.ScopeResultReadOnly) {
			return
		}
		if r.Header.Get("Accept") != lti.MediaResultContainer {
			http.Error(w, "accept must be "+lti.MediaResultContainer, http.StatusNotAcceptable)
			return
		}
		p.mu.Lock()
		var rs []lti.Result
		latest := map[string]lti.Score{}
		var users []string
		for _, s := range p.scores[li.ID] {
			if _, seen := latest[s.UserID]; !seen {
				users = append(users, s.UserID)
			}
			latest[s.UserID] = s
		}
		for _, u := range users {
			s := latest[u]
			if uid := r.URL.Query().Get("user_id"); uid != "" && uid != u {
				continue
			}
			rs = append(rs, lti.Result{ID: li.ID + "/results/" + u, ScoreOf: li.ID, UserID: u, ResultScore: s.ScoreGiven, ResultMaximum: s.ScoreMaximum, Comment: s.Comment})
		}
		p.mu.Unlock()
		page(w, r, rs, lti.MediaResultContainer)
	default:
		http.NotFound(w, r)
	}
}

func (p *Platform) lineItemCRUD(w http.ResponseWriter, r *http.Request, id string, li *lti.LineItem) {
	switch r.Method {
	case http.MethodGet:
		if !p.authorize(w, r, lti.ScopeLineItem, lti.ScopeLineItemReadOnly) {
			return
		}
		p.mu.Lock()
		cp := *li
		p.mu.Unlock()
		w.Header().Set("Content-Type", lti.MediaLineItem)
		_ = json.NewEncoder(w).Encode(cp)
	case http.MethodPut:
		if !p.authorize(w, r, lti.ScopeLineItem) {
			return
		}
		if r.Header.Get("Content-Type") != lti.MediaLineItem {
			http.Error(w, "content-type must be "+lti.MediaLineItem, http.StatusUnsupportedMediaType)
			return
		}
		var upd lti.LineItem
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&upd); err != nil || upd.ScoreMaximum <= 0 || upd.Label == "" {
			http.Error(w, "PUT needs the whole line item", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		upd.ID = li.ID
		*li = upd
		p.mu.Unlock()
		w.Header().Set("Content-Type", lti.MediaLineItem)
		_ = json.NewEncoder(w).Encode(upd)
	case http.MethodDelete:
		if !p.authorize(w, r, lti.ScopeLineItem) {
			return
		}
		p.mu.Lock()
		delete(p.lineItems, id)
		p.order = slices.DeleteFunc(p.order, func(s string) bool { return s == id })
		p.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (p *Platform) postScore(w http.ResponseWriter, r *http.Request, li *lti.LineItem) {
	p.mu.Lock()
	p.ScoreCalls++
	concluded := p.Concluded
	p.mu.Unlock()
	if !p.authorize(w, r, lti.ScopeScore) {
		return
	}
	if r.Header.Get("Content-Type") != lti.MediaScore {
		http.Error(w, "content-type must be "+lti.MediaScore, http.StatusUnsupportedMediaType)
		return
	}
	if concluded {
		http.Error(w, `{"errors":[{"message":"course concluded"}]}`, http.StatusUnprocessableEntity)
		return
	}
	var s lti.Score
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&s); err != nil || s.Validate() != nil {
		http.Error(w, "invalid score", http.StatusBadRequest)
		return
	}
	ts, _ := time.Parse(time.RFC3339Nano, s.Timestamp)
	if !strings.Contains(s.Timestamp, ".") {
		http.Error(w, "timestamp needs milliseconds", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, old := range p.scores[li.ID] {
		ots, _ := time.Parse(time.RFC3339Nano, old.Timestamp)
		if old.UserID == s.UserID && !ts.After(ots) {
			if old.Timestamp == s.Timestamp {
				w.WriteHeader(http.StatusNoContent) // idempotent repeat
				return
			}
			http.Error(w, "timestamp must increase", http.StatusConflict)
			return
		}
	}
	p.scores[li.ID] = append(p.scores[li.ID], s)
	if p.Profile == Canvas {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"resultUrl": li.ID + "/results/" + s.UserID})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Scores returns the scores received for a line item URL.
func (p *Platform) Scores(lineItem string) []lti.Score {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.scores[lineItem])
}

// LineItems returns the platform's line items.
func (p *Platform) LineItems() []lti.LineItem {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []lti.LineItem
	for _, id := range p.order {
		out = append(out, *p.lineItems[id])
	}
	return out
}

// SetMembers sets the course roster NRPS serves.
func (p *Platform) SetMembers(ms []lti.Member) {
	p.mu.Lock()
	p.members = slices.Clone(ms)
	p.mu.Unlock()
}

func (p *Platform) handleMemberships(w http.ResponseWriter, r *http.Request) {
	if !p.authorize(w, r, lti.ScopeMembership) {
		return
	}
	if r.Header.Get("Accept") != lti.MediaMembership {
		http.Error(w, "accept must be "+lti.MediaMembership, http.StatusNotAcceptable)
		return
	}
	q := r.URL.Query()
	p.mu.Lock()
	var ms []lti.Member
	for _, m := range p.members {
		if q.Get("role") != "" && !slices.Contains(m.Roles, q.Get("role")) {
			continue
		}
		if q.Get("since") != "" && m.Active() {
			continue // differences: only changed (inactive/deleted) members
		}
		ms = append(ms, m)
	}
	p.mu.Unlock()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset > len(ms) {
		offset = len(ms)
	}
	end := len(ms)
	if limit > 0 && offset+limit < end {
		end = offset + limit
		nq := r.URL.Query()
		nq.Set("offset", strconv.Itoa(end))
		w.Header().Add("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, p.URL("/memberships"), nq.Encode()))
	} else {
		w.Header().Add("Link", fmt.Sprintf(`<%s?since=1>; rel="differences"`, p.URL("/memberships")))
	}
	w.Header().Set("Content-Type", lti.MediaMembership)
	body := map[string]any{
		"id":      p.URL("/memberships"),
		"context": map[string]string{"id": "course-42", "label": "MATH101", "title": "Mathematics 1"},
		"members": ms[offset:end],
	}
	_ = json.NewEncoder(w).Encode(body)
}

// handleDLReturn receives a deep-linking response (form field JWT).
func (p *Platform) handleDLReturn(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", 400)
		return
	}
	claims, hdr, err := p.verifyToolJWT(r.Context(), r.PostForm.Get("JWT"))
	if err != nil {
		http.Error(w, "deep link jwt: "+err.Error(), 400)
		return
	}
	if claims["iss"] != p.ClientID || !audHas(claims["aud"], p.Issuer) {
		http.Error(w, "deep link jwt: iss must be the client id and aud the platform issuer", 400)
		return
	}
	if claims[lti.ClaimMessageType] != lti.MessageDeepLinkingResponse || claims[lti.ClaimVersion] != lti.Version ||
		claims[lti.ClaimDeploymentID] != p.DeploymentID || claims["nonce"] == nil {
		http.Error(w, "deep link jwt: message claims wrong", 400)
		return
	}
	var items []lti.ContentItem
	if raw, ok := claims[lti.ClaimDLContentItems]; ok {
		b, _ := json.Marshal(raw)
		if err := json.Unmarshal(b, &items); err != nil {
			http.Error(w, "deep link jwt: content_items", 400)
			return
		}
	} else {
		http.Error(w, "deep link jwt: content_items missing", 400)
		return
	}
	p.mu.Lock()
	p.dlReturns = append(p.dlReturns, DeepLinkReturn{Claims: claims, Header: hdr, Items: items})
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html")
	_, _ = io.WriteString(w, "<p>Content added.</p>")
}

// DeepLinkReturns lists the deep-linking responses received.
func (p *Platform) DeepLinkReturns() []DeepLinkReturn {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.dlReturns)
}

package rest

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/passportbridge/passport/internal/oauth1"
)

// Puller reads a SIS's OneRoster REST API (1.1 or 1.2) and turns it into a
// OneRoster CSV package in memory, so that a pull goes through the same
// validation, deletion guard and atomic apply as a CSV import.
type Puller struct {
	// BaseURL is the SIS's rostering base, e.g.
	// https://sis.example/ws/v1p1/ims/oneroster/v1p1 (any prefix works).
	BaseURL string
	// TokenURL is the OAuth 2.0 token endpoint (client credentials with
	// HTTP Basic client authentication).
	TokenURL     string
	ClientID     string
	ClientSecret string
	// StaticToken, when set, is sent as the bearer token and no token is
	// requested (SIS APIs that issue long-lived API keys).
	StaticToken string
	// Username and Password, when set, get the token with the OAuth 2.0
	// password grant (Pacific EMIS style) instead of client credentials.
	Username, Password string
	// OAuth1, when set ("HMAC-SHA256" or "HMAC-SHA1"), signs every request
	// with OAuth 1.0a as ClientID and ClientSecret (the OneRoster 1.1
	// way) instead of getting a bearer token; each retry is signed anew.
	OAuth1 string
	// Clock gives OAuth 1.0a timestamps; nil means time.Now.
	Clock func() time.Time
	// Version is "1.1" or "1.2".
	Version string
	// Since, when not zero, pulls only records changed after it (a delta,
	// through filter=dateLastModified>'...').
	Since time.Time
	// PageSize is the limit asked per page (default 100).
	PageSize int
	// HTTP is the retrying client (retries on 5xx and 429).
	HTTP *retryablehttp.Client
	// MaxBody bounds one response body (default 64 MiB).
	MaxBody int64

	// Latest is, after a Pull, the latest dateLastModified the SIS sent
	// (its own clock): the Since of the next incremental pull.
	Latest time.Time
}

// PullError is a pull that failed at the SIS; it names the collection.
type PullError struct {
	Collection string
	Status     int
	Err        error
}

// Error says what failed.
func (e *PullError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("pull %s: %v", e.Collection, e.Err)
	}
	return fmt.Sprintf("pull %s: HTTP status %d", e.Collection, e.Status)
}

// Unwrap returns the cause.
func (e *PullError) Unwrap() error { return e.Err }

// Pull fetches every rostering collection (all pages) and returns the
// package. A failed or partial fetch returns an error and no package, so a
// truncated roster is never mistaken for a full one.
func (p *Puller) Pull(ctx context.Context) (fs.FS, error) {
	if p.HTTP == nil {
		return nil, errors.New("pull: no HTTP client")
	}
	if p.PageSize <= 0 {
		p.PageSize = 100
	}
	if p.MaxBody <= 0 {
		p.MaxBody = 64 << 20
	}
	authorize, err := p.authorizer(ctx)
	if err != nil {
		return nil, err
	}
	mode := "bulk"
	if !p.Since.IsZero() {
		mode = "delta"
	}
	out := fstest.MapFS{}
	declared := map[string]string{}
	for _, coll := range []string{"orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics"} {
		objs, err := p.fetchAll(ctx, authorize, coll)
		var pe *PullError
		if coll == "demographics" && errors.As(err, &pe) && (pe.Status == http.StatusForbidden || pe.Status == http.StatusNotFound) {
			continue // no demographics scope or endpoint: leave the file absent
		}
		if err != nil {
			return nil, err
		}
		if len(objs) == 0 {
			continue
		}
		files, err := p.toCSV(coll, objs)
		if err != nil {
			return nil, err
		}
		for name, data := range files {
			out[name+".csv"] = &fstest.MapFile{Data: data}
			declared[name] = mode
		}
	}
	var m strings.Builder
	m.WriteString("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version," + p.Version + "\r\nsource.systemName,OneRoster REST pull\r\n")
	files11 := []string{"academicSessions", "categories", "classes", "classResources", "courses", "courseResources", "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users"}
	if p.Version == "1.2" {
		files11 = append(files11, "lineItemLearningObjectiveIds", "lineItemScoreScales", "resultLearningObjectiveIds", "resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources")
	}
	for _, f := range files11 {
		mode := declared[f]
		if mode == "" {
			mode = "absent"
		}
		m.WriteString("file." + f + "," + mode + "\r\n")
	}
	out["manifest.csv"] = &fstest.MapFile{Data: []byte(m.String())}
	return out, nil
}

// authorizer returns what authenticates each request: an OAuth 1.0a
// signature, the static token, or a token from the token endpoint.
func (p *Puller) authorizer(ctx context.Context) (func(*http.Request) error, error) {
	if p.OAuth1 != "" {
		if p.OAuth1 != oauth1.HMACSHA256 && p.OAuth1 != oauth1.HMACSHA1 {
			return nil, fmt.Errorf("pull: unknown OAuth 1.0a method %q", p.OAuth1)
		}
		s := &oauth1.Signer{ConsumerKey: p.ClientID, ConsumerSecret: p.ClientSecret, Method: p.OAuth1, Clock: p.Clock}
		return s.Sign, nil
	}
	token := p.StaticToken
	if token == "" {
		var err error
		if token, err = p.token(ctx); err != nil {
			return nil, err
		}
	}
	return func(r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}, nil
}

// signerKey carries a request's OAuth 1.0a signing function in its context,
// for the retry hook.
type signerKey struct{}

// client is p.HTTP, or with OAuth 1.0a a copy of its settings whose
// PrepareRetry signs each retry again (a replayed nonce would be refused),
// so the caller's client is left as it is.
func (p *Puller) client() *retryablehttp.Client {
	if p.OAuth1 == "" {
		return p.HTTP
	}
	h := p.HTTP
	next := h.PrepareRetry
	return &retryablehttp.Client{
		HTTPClient: h.HTTPClient, Logger: h.Logger,
		RetryWaitMin: h.RetryWaitMin, RetryWaitMax: h.RetryWaitMax, RetryMax: h.RetryMax,
		RequestLogHook: h.RequestLogHook, ResponseLogHook: h.ResponseLogHook,
		CheckRetry: h.CheckRetry, Backoff: h.Backoff, ErrorHandler: h.ErrorHandler,
		PrepareRetry: func(r *http.Request) error {
			if sign, ok := r.Context().Value(signerKey{}).(func(*http.Request) error); ok {
				if err := sign(r); err != nil {
					return err
				}
			}
			if next != nil {
				return next(r)
			}
			return nil
		},
	}
}

func (p *Puller) token(ctx context.Context) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if p.Username != "" {
		form = url.Values{"grant_type": {"password"}, "username": {p.Username}, "password": {p.Password}}
	}
	scope := "https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly https://purl.imsglobal.org/spec/or/v1p1/scope/roster-demographics.readonly"
	if p.Version == "1.2" {
		scope = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly"
	}
	form.Set("scope", scope)
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("pull: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p.ClientID != "" {
		req.SetBasicAuth(url.QueryEscape(p.ClientID), url.QueryEscape(p.ClientSecret))
	}
	resp, err := p.HTTP.Do(req)
	if err != nil {
		return "", &PullError{Collection: "token", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// A SIS that refuses the demographics scope: retry with roster only.
		if resp.StatusCode == http.StatusBadRequest && strings.Contains(scope, "demographics") {
			return p.tokenScope(ctx, strings.Fields(scope)[0])
		}
		return "", &PullError{Collection: "token", Status: resp.StatusCode}
	}
	return decodeToken(resp.Body)
}

func (p *Puller) tokenScope(ctx context.Context, scope string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("pull: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.ClientID), url.QueryEscape(p.ClientSecret))
	resp, err := p.HTTP.Do(req)
	if err != nil {
		return "", &PullError{Collection: "token", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", &PullError{Collection: "token", Status: resp.StatusCode}
	}
	return decodeToken(resp.Body)
}

func decodeToken(r io.Reader) (string, error) {
	var tr struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&tr); err != nil || tr.AccessToken == "" || tr.Error != "" {
		return "", &PullError{Collection: "token", Err: errors.New("no access_token in the token response")}
	}
	return tr.AccessToken, nil
}

// fetchAll pages through one collection until a short page.
func (p *Puller) fetchAll(ctx context.Context, authorize func(*http.Request) error, coll string) ([]map[string]any, error) {
	var all []map[string]any
	hc := p.client()
	ctx = context.WithValue(ctx, signerKey{}, authorize)
	for offset := 0; ; offset += p.PageSize {
		q := url.Values{"limit": {strconv.Itoa(p.PageSize)}, "offset": {strconv.Itoa(offset)}, "sort": {"sourcedId"}}
		if !p.Since.IsZero() {
			q.Set("filter", "dateLastModified>'"+p.Since.UTC().Format("2006-01-02T15:04:05.000Z")+"'")
		}
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(p.BaseURL, "/")+"/"+coll+"?"+q.Encode(), nil)
		if err != nil {
			return nil, fmt.Errorf("pull %s: %w", coll, err)
		}
		if err := authorize(req.Request); err != nil {
			return nil, fmt.Errorf("pull %s: %w", coll, err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, &PullError{Collection: coll, Err: err}
		}
		var page map[string]json.RawMessage
		status := resp.StatusCode
		if status == http.StatusOK {
			err = json.NewDecoder(io.LimitReader(resp.Body, p.MaxBody)).Decode(&page)
		}
		resp.Body.Close()
		if status != http.StatusOK {
			return nil, &PullError{Collection: coll, Status: status}
		}
		if err != nil {
			return nil, &PullError{Collection: coll, Err: fmt.Errorf("malformed page: %w", err)}
		}
		var objs []map[string]any
		if raw, ok := page[coll]; ok {
			if err := json.Unmarshal(raw, &objs); err != nil {
				return nil, &PullError{Collection: coll, Err: fmt.Errorf("malformed %s list: %w", coll, err)}
			}
		} else {
			return nil, &PullError{Collection: coll, Err: fmt.Errorf("page has no %q list", coll)}
		}
		all = append(all, objs...)
		for _, o := range objs {
			if t, err := time.Parse(time.RFC3339Nano, str(o, "dateLastModified")); err == nil && t.After(p.Latest) {
				p.Latest = t.UTC()
			}
		}
		if len(objs) < p.PageSize {
			return all, nil
		}
	}
}

func str(o map[string]any, k string) string {
	switch v := o[k].(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func refID(o map[string]any, k string) string {
	if m, ok := o[k].(map[string]any); ok {
		return str(m, "sourcedId")
	}
	return ""
}

func refIDs(o map[string]any, k string) string {
	list, _ := o[k].([]any)
	var ids []string
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			ids = append(ids, str(m, "sourcedId"))
		}
	}
	return strings.Join(ids, ",")
}

func strs(o map[string]any, k string) string {
	list, _ := o[k].([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return strings.Join(out, ",")
}

// toCSV renders fetched objects as CSV files in spec column order.
func (p *Puller) toCSV(coll string, objs []map[string]any) (map[string][]byte, error) {
	type file struct {
		header []string
		rows   [][]string
	}
	files := map[string]*file{}
	add := func(name string, header []string, row []string) {
		f := files[name]
		if f == nil {
			f = &file{header: header}
			files[name] = f
		}
		f.rows = append(f.rows, row)
	}
	for _, o := range objs {
		b := []string{str(o, "sourcedId"), str(o, "status"), str(o, "dateLastModified")}
		switch coll {
		case "orgs":
			add(coll, strings.Split("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId", ","),
				append(b, str(o, "name"), str(o, "type"), str(o, "identifier"), refID(o, "parent")))
		case "academicSessions":
			add(coll, strings.Split("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear", ","),
				append(b, str(o, "title"), str(o, "type"), str(o, "startDate"), str(o, "endDate"), refID(o, "parent"), str(o, "schoolYear")))
		case "courses":
			add(coll, strings.Split("sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes", ","),
				append(b, refID(o, "schoolYear"), str(o, "title"), str(o, "courseCode"), strs(o, "grades"), refID(o, "org"), strs(o, "subjects"), strs(o, "subjectCodes")))
		case "classes":
			add(coll, strings.Split("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods", ","),
				append(b, str(o, "title"), strs(o, "grades"), refID(o, "course"), str(o, "classCode"), str(o, "classType"), str(o, "location"),
					refID(o, "school"), refIDs(o, "terms"), strs(o, "subjects"), strs(o, "subjectCodes"), strs(o, "periods")))
		case "enrollments":
			add(coll, strings.Split("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate", ","),
				append(b, refID(o, "class"), refID(o, "school"), refID(o, "user"), str(o, "role"), str(o, "primary"), str(o, "beginDate"), str(o, "endDate")))
		case "demographics":
			cols := strings.Split("birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus", ",")
			row := b
			for _, c := range cols {
				row = append(row, str(o, c))
			}
			add(coll, append(strings.Split("sourcedId,status,dateLastModified", ","), cols...), row)
		case "users":
			var ids []string
			list, _ := o["userIds"].([]any)
			for _, x := range list {
				if m, ok := x.(map[string]any); ok {
					ids = append(ids, "{"+str(m, "type")+":"+str(m, "identifier")+"}")
				}
			}
			if p.Version == "1.2" {
				add(coll, strings.Split("sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns", ","),
					append(b, str(o, "enabledUser"), str(o, "username"), strings.Join(ids, ","), str(o, "givenName"), str(o, "familyName"), str(o, "middleName"),
						str(o, "identifier"), str(o, "email"), str(o, "sms"), str(o, "phone"), refIDs(o, "agents"), strs(o, "grades"), "",
						str(o, "userMasterIdentifier"), str(o, "preferredFirstName"), str(o, "preferredMiddleName"), str(o, "preferredLastName"), refID(o, "primaryOrg"), str(o, "pronouns")))
				roles, _ := o["roles"].([]any)
				for i, x := range roles {
					r, ok := x.(map[string]any)
					if !ok {
						continue
					}
					add("roles", strings.Split("sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId", ","),
						[]string{
							fmt.Sprintf("%s-role-%d", str(o, "sourcedId"), i), b[1], b[2], str(o, "sourcedId"), str(r, "roleType"), str(r, "role"),
							str(r, "beginDate"), str(r, "endDate"), refID(r, "org"), str(r, "userProfile"),
						})
				}
				continue
			}
			add(coll, strings.Split("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password", ","),
				append(b, str(o, "enabledUser"), refIDs(o, "orgs"), str(o, "role"), str(o, "username"), strings.Join(ids, ","), str(o, "givenName"), str(o, "familyName"),
					str(o, "middleName"), str(o, "identifier"), str(o, "email"), str(o, "sms"), str(o, "phone"), refIDs(o, "agents"), strs(o, "grades"), ""))
		}
	}
	out := map[string][]byte{}
	for name, f := range files {
		var sb strings.Builder
		w := csv.NewWriter(&sb)
		w.UseCRLF = true
		if err := w.Write(f.header); err != nil {
			return nil, err
		}
		if err := w.WriteAll(f.rows); err != nil {
			return nil, err
		}
		out[name] = []byte(sb.String())
	}
	return out, nil
}

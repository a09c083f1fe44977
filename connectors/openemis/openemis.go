package openemis

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/passportbridge/passport/connectors"
)

// Config is the openemis connector's config block.
type Config struct {
	// URL is the OpenEMIS Core base, e.g. https://emis.example.gov/core.
	URL string `yaml:"url"`
	// Username is the API user.
	Username string `yaml:"username"`
	// PasswordEnv and PasswordFile give the API user's password.
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
	// APIKeyEnv and APIKeyFile give the api_key of the API client.
	APIKeyEnv  string `yaml:"api_key_env"`
	APIKeyFile string `yaml:"api_key_file"`
	// Institutions limits the pull to these institution ids (default: all).
	Institutions []int `yaml:"institutions"`
	// AcademicPeriod is the period to pull (default: the one marked current).
	AcademicPeriod int `yaml:"academic_period"`
	// Mode is how the pull is applied: bulk (default; the pull is the
	// whole picture of the kinds it carries, so records it no longer holds
	// are removed, under the deletion guard) or delta (upserts only).
	Mode string `yaml:"mode"`
	// MaxDeleteShare is the deletion guard of bulk pulls: the largest share
	// (0..1) of the tenant's active users or enrollments one pull may
	// remove (default 0.2).
	MaxDeleteShare float64 `yaml:"max_delete_share"`
	// Prefix starts every sourcedId the connector makes (default
	// "openemis-"); users are Prefix + their OpenEMIS number.
	Prefix string `yaml:"prefix"`
	// PageSize is the list page size (default 100).
	PageSize int `yaml:"page_size"`
	// Timeout bounds each HTTP call (default 60s).
	Timeout time.Duration `yaml:"timeout"`

	// Password and APIKey are set directly by tests and embedders.
	Password string `yaml:"-"`
	APIKey   string `yaml:"-"`
}

var _ connectors.Config = (*Config)(nil)

// Open validates the config and returns the connector.
func (c *Config) Open(id string, logger *slog.Logger, hc *retryablehttp.Client) (connectors.Connector, error) {
	cfg := *c
	if cfg.Mode == "" {
		cfg.Mode = "bulk"
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "openemis-"
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 100
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	u, err := url.Parse(cfg.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, fmt.Errorf("url: %q is not an http(s) URL", cfg.URL)
	case cfg.Username == "":
		return nil, errors.New("username: required")
	case cfg.Mode != "bulk" && cfg.Mode != "delta":
		return nil, fmt.Errorf("mode: %q is not bulk or delta", cfg.Mode)
	case cfg.MaxDeleteShare < 0 || cfg.MaxDeleteShare > 1:
		return nil, errors.New("max_delete_share: want 0 to 1")
	case cfg.PageSize < 1 || cfg.PageSize > 1000:
		return nil, errors.New("page_size: want 1 to 1000")
	}
	pw, err := connectors.Secret(cfg.Password, cfg.PasswordEnv, cfg.PasswordFile, "password", true)
	if err != nil {
		return nil, err
	}
	key, err := connectors.Secret(cfg.APIKey, cfg.APIKeyEnv, cfg.APIKeyFile, "api_key", true)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		return nil, errors.New("no HTTP client")
	}
	if hc.HTTPClient != nil {
		hc.HTTPClient.Timeout = cfg.Timeout
	}
	return &Connector{id: id, cfg: cfg, logger: logger, base: strings.TrimRight(cfg.URL, "/"), password: pw, apiKey: key, hc: hc}, nil
}

// Connector pulls a roster from OpenEMIS Core.
type Connector struct {
	id               string
	cfg              Config
	logger           *slog.Logger
	base             string
	password, apiKey string
	hc               *retryablehttp.Client

	mu    sync.Mutex
	token string
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Puller    = (*Connector)(nil)
	_ connectors.Checker   = (*Connector)(nil)
)

// ID returns the instance id.
func (c *Connector) ID() string { return c.id }

// Bulk reports whether pulls are the whole picture of the kinds they carry.
func (c *Connector) Bulk() bool { return c.cfg.Mode == "bulk" }

// MaxDeleteShare is the deletion guard share for bulk pulls (0: default).
func (c *Connector) MaxDeleteShare() float64 { return c.cfg.MaxDeleteShare }

// APIError is an error answer of the OpenEMIS API.
type APIError struct {
	Status  int
	Message string
}

// Error returns the status and OpenEMIS's message.
func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("openemis: HTTP %d", e.Status)
	}
	return fmt.Sprintf("openemis: HTTP %d: %s", e.Status, e.Message)
}

func (c *Connector) send(ctx context.Context, method, path string, in any, auth bool) ([]byte, error) {
	var body any
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = b
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		c.mu.Lock()
		req.Header.Set("Authorization", "Bearer "+c.token)
		c.mu.Unlock()
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("openemis %s: %w", path, ctx.Err())
		}
		return nil, fmt.Errorf("openemis %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("openemis %s: read response: %w", path, err)
	}
	if resp.StatusCode >= 300 {
		e := &APIError{Status: resp.StatusCode}
		var m struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &m) == nil {
			e.Message = m.Message
		}
		return nil, fmt.Errorf("openemis %s: %w", path, e)
	}
	return data, nil
}

func (c *Connector) login(ctx context.Context) error {
	data, err := c.send(ctx, http.MethodPost, "/api/v5/login", map[string]string{
		"username": c.cfg.Username, "password": c.password, "api_key": c.apiKey,
	}, false)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	var out struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.Data.Token == "" {
		return errors.New("openemis login: no token in the response")
	}
	c.mu.Lock()
	c.token = out.Data.Token
	c.mu.Unlock()
	return nil
}

// get calls a GET endpoint, logging in first when needed and again once on
// a 401 (expired token).
func (c *Connector) get(ctx context.Context, path string) ([]byte, error) {
	c.mu.Lock()
	has := c.token != ""
	c.mu.Unlock()
	if !has {
		if err := c.login(ctx); err != nil {
			return nil, err
		}
	}
	data, err := c.send(ctx, http.MethodGet, path, nil, true)
	var e *APIError
	if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
		if err := c.login(ctx); err != nil {
			return nil, err
		}
		data, err = c.send(ctx, http.MethodGet, path, nil, true)
	}
	return data, err
}

// list reads every page of a resource matching conditions.
func (c *Connector) list(ctx context.Context, resource string, conds map[string]string) ([]map[string]any, error) {
	keys := make([]string, 0, len(conds))
	for k := range conds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + conds[k]
	}
	var out []map[string]any
	for page := 1; ; page++ {
		q := url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}, "page": {strconv.Itoa(page)}}
		if len(parts) > 0 {
			q.Set("_conditions", strings.Join(parts, ","))
		}
		data, err := c.get(ctx, "/api/v5/"+resource+"?"+q.Encode())
		if err != nil {
			return nil, err
		}
		rows, err := decodeList(data)
		if err != nil {
			return nil, fmt.Errorf("openemis %s: %w", resource, err)
		}
		out = append(out, rows...)
		if len(rows) < c.cfg.PageSize {
			return out, nil
		}
	}
}

// decodeList accepts {"data": [...]} and the paginated {"data": {"data": [...]}}.
func decodeList(data []byte) ([]map[string]any, error) {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	d := bytes.TrimSpace(env.Data)
	if len(d) > 0 && d[0] == '{' {
		var inner struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(d, &inner); err != nil {
			return nil, fmt.Errorf("decode list: %w", err)
		}
		d = inner.Data
	}
	var rows []map[string]any
	if len(d) == 0 || string(d) == "null" {
		return rows, nil
	}
	if err := json.Unmarshal(d, &rows); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	return rows, nil
}

func str(r map[string]any, k string) string {
	switch v := r[k].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func num(r map[string]any, k string) int {
	n, _ := strconv.Atoi(str(r, k))
	return n
}

// Check logs in and reads the academic periods.
func (c *Connector) Check(ctx context.Context) error {
	if err := c.login(ctx); err != nil {
		return err
	}
	_, err := c.period(ctx)
	return err
}

func (c *Connector) period(ctx context.Context) (map[string]any, error) {
	conds := map[string]string{"current": "1"}
	if c.cfg.AcademicPeriod != 0 {
		conds = map[string]string{"id": strconv.Itoa(c.cfg.AcademicPeriod)}
	}
	ps, err := c.list(ctx, "academic-periods", conds)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, errors.New("openemis: no current academic period (set academic_period)")
	}
	return ps[0], nil
}

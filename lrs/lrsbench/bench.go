package lrsbench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Config says what load to generate.
type Config struct {
	// URL is the LRS base, e.g. http://127.0.0.1:8080 (resources under /xapi/).
	URL         string
	Key, Secret string
	// Clients is the number of concurrent posting clients.
	Clients int
	// Batch is the number of statements per POST.
	Batch int
	// Duration bounds the ingest phase.
	Duration time.Duration
	// MaxStatements, when > 0, ends the ingest phase after that many.
	MaxStatements int
	// Queries is how many of each typical query to time.
	Queries int
	// Seed makes the generated data reproducible.
	Seed uint64
	// HTTP is the client to use (a default one when nil).
	HTTP *http.Client
}

// Report is what a run measured.
type Report struct {
	Statements    int
	IngestSeconds float64
	PerSecond     float64
	Errors        int
	QueryP50      time.Duration
	QueryP95      time.Duration
	QueryMax      time.Duration
	QueryCount    int
	// QueryP95ByKind is the p95 latency of each kind of query.
	QueryP95ByKind map[string]time.Duration
}

// String formats the report.
func (r Report) String() string {
	kinds := make([]string, 0, len(r.QueryP95ByKind))
	for k := range r.QueryP95ByKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	by := ""
	for _, k := range kinds {
		by += fmt.Sprintf(" %s=%s", k, r.QueryP95ByKind[k].Round(10*time.Microsecond))
	}
	return fmt.Sprintf("ingested %d statements in %.1fs: %.0f statements/s (%d failed requests); %d queries: p50 %s, p95 %s, max %s; p95 by kind:%s",
		r.Statements, r.IngestSeconds, r.PerSecond, r.Errors, r.QueryCount, r.QueryP50, r.QueryP95, r.QueryMax, by)
}

// Generator makes realistic statements: a population of learners in
// camps, courses with activities and definitions, verbs, results, context.
type Generator struct {
	rnd      *rand.Rand
	learners int
	regs     []string
}

// NewGenerator returns a generator seeded with seed.
func NewGenerator(seed uint64) *Generator {
	// Reproducible test data, not secrets: a seeded PRNG is the point.
	g := &Generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), learners: 20000} //nolint:gosec // see above
	for range 2000 {
		g.regs = append(g.regs, uuid.NewString())
	}
	return g
}

var verbs = []struct{ id, en, ar string }{
	{"http://adlnet.gov/expapi/verbs/attempted", "attempted", "حاول"},
	{"http://adlnet.gov/expapi/verbs/completed", "completed", "أكمل"},
	{"http://adlnet.gov/expapi/verbs/passed", "passed", "نجح"},
	{"http://adlnet.gov/expapi/verbs/failed", "failed", "رسب"},
	{"http://adlnet.gov/expapi/verbs/answered", "answered", "أجاب"},
	{"http://adlnet.gov/expapi/verbs/experienced", "experienced", "شاهد"},
	{"http://adlnet.gov/expapi/verbs/progressed", "progressed", "تقدم"},
}

// Learner returns the mbox of learner i.
func Learner(i int) string { return fmt.Sprintf("mailto:learner%d@camp%d.example.org", i, i%40) }

// Activity returns the id of activity i of course c.
func Activity(c, i int) string {
	return fmt.Sprintf("https://content.example.org/course/%d/activity/%d", c, i)
}

// Verb returns the id of verb i.
func Verb(i int) string { return verbs[i%len(verbs)].id }

// langMap is a language map.
type langMap map[string]string

// The typed statement the generator marshals: encoding/json writes structs
// without the key sorting and interface reflection of maps, so the load
// generator, which shares the machine with the server, stays cheap.
type (
	genAgent struct {
		ObjectType string `json:"objectType"`
		Name       string `json:"name"`
		Mbox       string `json:"mbox"`
	}
	genVerb struct {
		ID      string  `json:"id"`
		Display langMap `json:"display"`
	}
	genDefinition struct {
		Name        langMap `json:"name"`
		Description langMap `json:"description"`
		Type        string  `json:"type"`
	}
	genActivity struct {
		ObjectType string         `json:"objectType,omitempty"`
		ID         string         `json:"id"`
		Definition *genDefinition `json:"definition,omitempty"`
	}
	genScore struct {
		Scaled float64 `json:"scaled"`
		Raw    int     `json:"raw"`
		Min    int     `json:"min"`
		Max    int     `json:"max"`
	}
	genResult struct {
		Score    genScore `json:"score"`
		Success  bool     `json:"success"`
		Duration string   `json:"duration"`
	}
	genContextActivities struct {
		Parent   []genActivity `json:"parent"`
		Grouping []genActivity `json:"grouping"`
	}
	genContext struct {
		Registration      string               `json:"registration"`
		ContextActivities genContextActivities `json:"contextActivities"`
		Platform          string               `json:"platform"`
		Language          string               `json:"language"`
		Extensions        map[string]string    `json:"extensions"`
	}
	genStatement struct {
		ID        string      `json:"id"`
		Actor     genAgent    `json:"actor"`
		Verb      genVerb     `json:"verb"`
		Object    genActivity `json:"object"`
		Result    genResult   `json:"result"`
		Context   genContext  `json:"context"`
		Timestamp string      `json:"timestamp"`
	}
)

// statement draws one statement.
func (g *Generator) statement() genStatement {
	r := g.rnd
	l := r.IntN(g.learners)
	course := r.IntN(200)
	act := r.IntN(30)
	v := verbs[r.IntN(len(verbs))]
	raw := r.IntN(101)
	return genStatement{
		ID:    uuid.NewString(),
		Actor: genAgent{ObjectType: "Agent", Name: fmt.Sprintf("Learner %d", l), Mbox: Learner(l)},
		Verb:  genVerb{ID: v.id, Display: langMap{"en-US": v.en, "ar": v.ar}},
		Object: genActivity{ObjectType: "Activity", ID: Activity(course, act), Definition: &genDefinition{
			Name:        langMap{"en-US": fmt.Sprintf("Lesson %d.%d", course, act), "ar": fmt.Sprintf("الدرس %d.%d", course, act)},
			Description: langMap{"en-US": "A lesson of the camp curriculum"},
			Type:        "http://adlnet.gov/expapi/activities/lesson",
		}},
		Result: genResult{
			Score:    genScore{Scaled: float64(raw) / 100, Raw: raw, Min: 0, Max: 100},
			Success:  raw >= 50,
			Duration: fmt.Sprintf("PT%dM%dS", r.IntN(60), r.IntN(60)),
		},
		Context: genContext{
			Registration: g.regs[r.IntN(len(g.regs))],
			ContextActivities: genContextActivities{
				Parent:   []genActivity{{ID: fmt.Sprintf("https://content.example.org/course/%d", course)}},
				Grouping: []genActivity{{ID: "https://content.example.org/programme/literacy"}},
			},
			Platform:   "Kolibri",
			Language:   "ar",
			Extensions: map[string]string{"https://passport.example.org/ext/camp": fmt.Sprintf("camp-%d", l%40)},
		},
		Timestamp: time.Now().UTC().Add(-time.Duration(r.IntN(86400)) * time.Second).Format(time.RFC3339Nano),
	}
}

// Statement returns one statement as a JSON object.
func (g *Generator) Statement() map[string]any {
	b, _ := json.Marshal(g.statement())
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// Batch returns n statements as a JSON array body.
func (g *Generator) Batch(n int) []byte {
	arr := make([]genStatement, n)
	for i := range arr {
		arr[i] = g.statement()
	}
	b, _ := json.Marshal(arr)
	return b
}

// Registration returns one of the generator's registrations.
func (g *Generator) Registration() string { return g.regs[g.rnd.IntN(len(g.regs))] }

func (c Config) request(ctx context.Context, method, path string, q url.Values, body []byte) (*http.Request, error) {
	u := c.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Experience-API-Version", "1.0.3")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.Key+":"+c.Secret)))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// Run ingests for cfg.Duration, then times the typical queries.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients * 2}}
	}
	var rep Report
	var stored, failed atomic.Int64
	ictx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range uint64(max(cfg.Clients, 0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := NewGenerator(cfg.Seed + i)
			for ictx.Err() == nil {
				if cfg.MaxStatements > 0 && stored.Load() >= int64(cfg.MaxStatements) {
					return
				}
				req, err := cfg.request(ictx, http.MethodPost, "/xapi/statements", nil, g.Batch(cfg.Batch))
				if err != nil {
					failed.Add(1)
					return
				}
				res, err := cfg.HTTP.Do(req)
				if err != nil {
					if ictx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode == http.StatusOK {
					stored.Add(int64(cfg.Batch))
				} else {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	rep.IngestSeconds = time.Since(start).Seconds()
	rep.Statements = int(stored.Load())
	rep.Errors = int(failed.Load())
	rep.PerSecond = float64(rep.Statements) / rep.IngestSeconds
	lat, kinds, err := Queries(ctx, cfg)
	if err != nil {
		return rep, err
	}
	rep.QueryP95ByKind = map[string]time.Duration{}
	for k, l := range kinds {
		slices.Sort(l)
		rep.QueryP95ByKind[k] = l[len(l)*95/100]
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		rep.QueryCount = len(lat)
		rep.QueryP50 = lat[len(lat)/2]
		rep.QueryP95 = lat[len(lat)*95/100]
		rep.QueryMax = lat[len(lat)-1]
	}
	return rep, nil
}

// Queries times cfg.Queries of each typical query (by agent, verb,
// activity, registration, since/until, and following one "more" link) and
// returns every latency, and the latencies by kind of query.
func Queries(ctx context.Context, cfg Config) ([]time.Duration, map[string][]time.Duration, error) {
	g := NewGenerator(cfg.Seed + 1000)
	var lat []time.Duration
	kinds := map[string][]time.Duration{}
	kind := ""
	get := func(path string, q url.Values) (string, error) {
		req, err := cfg.request(ctx, http.MethodGet, path, q, nil)
		if err != nil {
			return "", err
		}
		t0 := time.Now()
		res, err := cfg.HTTP.Do(req)
		if err != nil {
			return "", err
		}
		var body struct {
			More string `json:"more"`
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		_ = res.Body.Close()
		d := time.Since(t0)
		lat = append(lat, d)
		kinds[kind] = append(kinds[kind], d)
		if res.StatusCode != http.StatusOK {
			return "", fmt.Errorf("query %s: status %d", q.Encode(), res.StatusCode)
		}
		if err != nil {
			return "", fmt.Errorf("query %s: %w", q.Encode(), err)
		}
		return body.More, nil
	}
	now := time.Now().UTC()
	for i := range cfg.Queries {
		qs := []url.Values{
			{"agent": {`{"mbox":"` + Learner(g.rnd.IntN(g.learners)) + `"}`}, "limit": {"25"}},
			{"verb": {Verb(i)}, "limit": {"25"}},
			{"activity": {Activity(g.rnd.IntN(200), g.rnd.IntN(30))}, "limit": {"25"}},
			{"activity": {fmt.Sprintf("https://content.example.org/course/%d", g.rnd.IntN(200))}, "related_activities": {"true"}, "limit": {"25"}},
			{"registration": {g.Registration()}, "limit": {"25"}},
			{"since": {now.Add(-time.Duration(g.rnd.IntN(600)+1) * time.Second).Format(time.RFC3339Nano)}, "until": {now.Format(time.RFC3339Nano)}, "limit": {"50"}},
		}
		for j, q := range qs {
			kind = queryKinds[j]
			more, err := get("/xapi/statements", q)
			if err != nil {
				return lat, kinds, err
			}
			if more != "" {
				u, err := url.Parse(more)
				if err != nil {
					return lat, kinds, errors.New("bad more link")
				}
				kind = "more"
				if _, err := get(u.Path, u.Query()); err != nil {
					return lat, kinds, err
				}
			}
		}
	}
	return lat, kinds, nil
}

// queryKinds names the typical queries of Queries, in order.
var queryKinds = []string{"agent", "verb", "activity", "related_activities", "registration", "since_until"}

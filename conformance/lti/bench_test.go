package lti_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltihttp"
	"github.com/passportbridge/passport/lti/ltitest"
	"github.com/passportbridge/passport/lti/ltitest/platform"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// BenchmarkLoginLaunch measures the tool's login-plus-launch flow over real
// HTTP (sqlite store, platform keys cached), 16 concurrent browsers. The
// platform's RS256 signing of each id_token is done between the timed
// login and launch phases, so the figures are the tool's own.
//
//	go test ./conformance/lti -run '^$' -bench LoginLaunch -benchtime 4000x -cpu 2
//
// The sqlite sub-benchmark is the default single-file store (WAL,
// synchronous=FULL); memory shows the HTTP and crypto ceiling.
func BenchmarkLoginLaunch(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchLoginLaunch(b, newEnvWith(b, platform.Blackboard, true)) })
	b.Run("sqlite-launch-token", func(b *testing.B) {
		// As passport serve runs it: each launch also issues its xAPI
		// launch token (one more write, in the same group commit).
		st := sqlitetest.Open(b)
		a := auth.NewAuthenticator(st, time.Now)
		benchLoginLaunch(b, newEnvMounts(b, platform.Blackboard, true, st, func(h *ltihttp.Handler) {
			h.Credentials = &lti.LaunchCredentials{Tool: h.Tool, Issuer: a}
		}))
	})
	b.Run("memory", func(b *testing.B) {
		benchLoginLaunch(b, newEnvStore(b, platform.Blackboard, true, ltitest.NewMemStore()))
	})
}

func benchLoginLaunch(b *testing.B, e *env) {
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	workers := benchWorkers
	type flow struct {
		state, nonce, cookie, token string
		user                        int
		lat                         time.Duration
	}
	flows := make([]flow, b.N)
	run := func(fn func(i int) error) {
		var wg sync.WaitGroup
		next := make(chan int)
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if err := fn(i); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		for i := range flows {
			next <- i
		}
		close(next)
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	login := func(i int) error {
		v := url.Values{
			"iss": {e.reg.Issuer}, "login_hint": {fmt.Sprint(i)}, "target_link_uri": {e.contentURL("fractions-1")},
			"client_id": {e.reg.ClientID}, "lti_deployment_id": {"deployment-1"}, "lti_message_hint": {`{"cmid":2}`},
		}
		start := time.Now()
		resp, err := client.PostForm(e.tool.URL+lti.PathLogin, v)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		flows[i].lat = time.Since(start)
		if resp.StatusCode != http.StatusFound {
			return fmt.Errorf("login: %d", resp.StatusCode)
		}
		u, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return err
		}
		flows[i].state, flows[i].nonce = u.Query().Get("state"), u.Query().Get("nonce")
		flows[i].cookie = strings.SplitN(resp.Header.Values("Set-Cookie")[0], ";", 2)[0]
		flows[i].user = i % 500
		return nil
	}
	launch := func(i int) error {
		f := &flows[i]
		req, err := http.NewRequest(http.MethodPost, e.tool.URL+lti.PathLaunch, strings.NewReader(url.Values{"id_token": {f.token}, "state": {f.state}}.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", f.cookie)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		f.lat += time.Since(start)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("launch: %d", resp.StatusCode)
		}
		return nil
	}
	// Warm the platform key cache and the connection pool.
	warm, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: platform.Student, TargetLinkURI: e.contentURL("fractions-1")})
	require.NoError(b, err)
	require.Equal(b, http.StatusOK, warm.Response.StatusCode)
	b.ResetTimer()
	b.StopTimer()
	var timed, cpu time.Duration
	start, cpu0 := time.Now(), cpuTime()
	b.StartTimer()
	run(login)
	b.StopTimer()
	timed += time.Since(start)
	cpu += cpuTime() - cpu0
	for i := range flows {
		u := platform.User{Sub: fmt.Sprintf("learner-%d", flows[i].user), Roles: []string{platform.RoleLearner}, SourcedID: fmt.Sprintf("sis-%d", flows[i].user)}
		tok, err := e.plat.IDToken(platform.Message{User: u, TargetLinkURI: e.contentURL("fractions-1")}, flows[i].nonce)
		if err != nil {
			b.Fatal(err)
		}
		flows[i].token = tok
	}
	start, cpu0 = time.Now(), cpuTime()
	b.StartTimer()
	run(launch)
	b.StopTimer()
	timed += time.Since(start)
	cpu += cpuTime() - cpu0
	lats := make([]time.Duration, len(flows))
	for i := range flows {
		lats[i] = flows[i].lat
	}
	slices.Sort(lats)
	p := func(q float64) float64 { return float64(lats[int(q*float64(len(lats)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/timed.Seconds(), "launches/s")
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	// CPU time of the whole process (tool and the in-process browsers) per
	// flow: 2 cores / this = the flows/s two dedicated cores sustain.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/flow")
}

// benchWorkers is how many browsers launch at once.
var benchWorkers = 16

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Package toolserver starts the LTI tool over real HTTP (internal/server
// with the ltihttp handler) on a loopback port, for tests and benchmarks.
package toolserver

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltihttp"
)

// Server is a running tool.
type Server struct {
	URL     string
	Tool    *lti.Tool
	Handler *ltihttp.Handler
	Store   lti.Store
}

// Start serves the tool on 127.0.0.1 until the test ends. edit, when set,
// adjusts the handler (and its tool) before the server starts.
func Start(tb testing.TB, st lti.Store, logger *slog.Logger, edit func(h *ltihttp.Handler)) *Server {
	tb.Helper()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	cfg, _, err := config.Load("serve", []string{"--listen", ln.Addr().String(), "--public-url", base}, func(string) string { return "" }, nil)
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	pub, _ := url.Parse(base)
	client := &http.Client{Timeout: 10 * time.Second}
	keys := &lti.Keyring{Store: st}
	if err := keys.Ensure(context.Background()); err != nil {
		tb.Fatalf("tool keys: %v", err)
	}
	tool := &lti.Tool{
		Store:        st,
		Keys:         keys,
		PlatformKeys: &lti.PlatformKeys{Client: client},
		PublicURL:    pub,
		Logger:       logger,
	}
	h := &ltihttp.Handler{Tool: tool, Store: st, Client: client, Logger: logger}
	h.Grader = &lti.Grader{Store: st, Regs: st, Logger: logger, Services: &lti.Services{Client: client, Keys: keys, Random: tool.RandomString}}
	if edit != nil {
		edit(h)
	}
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{h}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		<-done
	})
	return &Server{URL: base, Tool: tool, Handler: h, Store: st}
}

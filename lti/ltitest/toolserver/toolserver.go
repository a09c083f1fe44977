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
// adjusts the handler (and its tool) before the server starts; extra
// handlers (the LRS, say) are mounted beside the tool on the same server.
func Start(tb testing.TB, st lti.Store, logger *slog.Logger, edit func(h *ltihttp.Handler), extra ...server.Mounter) *Server {
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
		// as passport serve runs it
		RegistrationCacheTTL: 2 * time.Second,
	}
	h := &ltihttp.Handler{Tool: tool, Store: st, Client: client, Logger: logger}
	h.Grader = &lti.Grader{Store: st, Regs: st, Logger: logger, Services: &lti.Services{Client: client, Keys: keys, Random: tool.RandomString}}
	if edit != nil {
		edit(h)
	}
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: append([]server.Mounter{h}, extra...)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Logf("tool server: %v", err)
		}
	})
	return &Server{URL: base, Tool: tool, Handler: h, Store: st}
}

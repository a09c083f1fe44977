package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/logctx"
)

// Options is what New needs.
type Options struct {
	Config config.Config
	Logger *slog.Logger
	// Ready reports whether the store is reachable; /readyz answers 503 when
	// it fails.
	Ready func(ctx context.Context) error
	// Registry collects the process's metrics and serves them on /metrics.
	Registry *prometheus.Registry
	Mounts   []Mounter
}

// Server is the one HTTP listener of passport serve.
type Server struct {
	App    *fiber.App
	opts   Options
	logger *slog.Logger
}

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-ID"

// New builds the fiber app with its settings, middleware, error handler,
// health and metrics endpoints, and every mounted protocol.
func New(o Options) *Server {
	s := &Server{opts: o, logger: o.Logger}
	cfg := o.Config
	s.App = fiber.New(fiber.Config{
		AppName:                 "passport",
		Immutable:               true, // design.md §2.1: values must outlive the handler safely
		Prefork:                 false,
		BodyLimit:               int(cfg.BodyLimit),
		ReadTimeout:             cfg.ReadTimeout,
		WriteTimeout:            cfg.WriteTimeout,
		IdleTimeout:             cfg.IdleTimeout,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
		DisableStartupMessage:   true,
		ErrorHandler:            s.handleError,
		ReadBufferSize:          16 << 10, // large xAPI query strings and cookies
		StrictRouting:           false,
		CaseSensitive:           true,
		// Handlers parse bodies themselves (bounded, in each protocol's
		// error shape); a multipart/form-data body fasthttp pre-parsed
		// would fail there first, with fasthttp's own message.
		DisablePreParseMultipartForm: true,
	})
	s.App.Use(s.requestID, s.recoverPanics)
	if o.Registry != nil {
		s.App.Use(newHTTPMetrics(o.Registry).middleware)
	}
	s.App.Use(s.accessLog)

	s.App.Get("/healthz", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	s.App.Get("/readyz", s.readyz)
	if o.Registry != nil {
		s.App.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry})))
	}
	for _, m := range o.Mounts {
		m.Mount(s.App)
	}
	return s
}

// proxyHeader is the header carrying the client IP, read only when trusted
// proxies are configured (and only from them).
func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// Serve answers requests on ln until ctx ends, then stops accepting new
// connections and gives in-flight requests up to the shutdown timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.App.Listener(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.logger.Info("shutting down", "timeout", s.opts.Config.ShutdownTimeout.String())
	if err := s.App.ShutdownWithTimeout(s.opts.Config.ShutdownTimeout); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-errc
}

func (s *Server) readyz(c *fiber.Ctx) error {
	if s.opts.Ready == nil {
		return c.JSON(fiber.Map{"status": "ok"})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.opts.Ready(ctx); err != nil {
		s.logger.WarnContext(c.UserContext(), "store not reachable", "err", err)
		return c.Status(http.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "reason": "store not reachable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

// requestID gives every request an id: the client's X-Request-ID when it is
// short and printable, a fresh one otherwise. It is echoed back and added to
// every log line of the request.
func (s *Server) requestID(c *fiber.Ctx) error {
	id := c.Get(RequestIDHeader)
	if !validRequestID(id) {
		id = newID()
	}
	c.Set(RequestIDHeader, id)
	c.SetUserContext(logctx.With(c.UserContext(), "request_id", id))
	return c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r > '~' {
			return false
		}
	}
	return true
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recoverPanics turns a panic into a logged 500 without a stack trace on
// the wire.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.ErrorContext(c.UserContext(), "panic in handler", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = errors.New("panic in handler")
		}
	}()
	return c.Next()
}

// accessLog logs one line per request: the route pattern, never the raw
// path or query, which can carry learners' identifiers.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = httperr.Resolve(err).Status
	}
	s.logger.LogAttrs(c.UserContext(), slog.LevelInfo, "request",
		slog.String("method", c.Method()),
		slog.String("route", c.Route().Path),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
	)
	return err
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passport_http_requests_total",
			Help: "HTTP requests by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "passport_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = httperr.Resolve(err).Status
	}
	route := c.Route().Path
	m.requests.WithLabelValues(c.Method(), route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(c.Method(), route).Observe(time.Since(start).Seconds())
	return err
}

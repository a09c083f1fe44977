// Package logctx carries log attributes (request id, tenant, connector) in a
// context and adds them to every slog record logged with that context.
package logctx

import (
	"context"
	"log/slog"
)

type attrsKey struct{}

// With returns a context whose log records carry key=value.
func With(ctx context.Context, key string, value any) context.Context {
	prev, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	attrs := make([]slog.Attr, 0, len(prev)+1)
	attrs = append(attrs, prev...)
	attrs = append(attrs, slog.Any(key, value))
	return context.WithValue(ctx, attrsKey{}, attrs)
}

// Handler adds the context's attributes to each record before passing it on.
type Handler struct{ slog.Handler }

// Handle adds the attributes carried by ctx.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	if attrs, ok := ctx.Value(attrsKey{}).([]slog.Attr); ok {
		r.AddAttrs(attrs...)
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the context handler around the derived handler.
func (h Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return Handler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the context handler around the derived handler.
func (h Handler) WithGroup(name string) slog.Handler {
	return Handler{h.Handler.WithGroup(name)}
}

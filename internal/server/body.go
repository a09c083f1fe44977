package server

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"

	"github.com/passportbridge/passport/internal/httperr"
)

// DecodedBody returns the request body, decompressed when it carries a
// Content-Encoding, and never larger than limit bytes once decoded. fiber
// v2's c.Body() inflates without any bound (design.md §2.6), so ingest
// routes read the body through this instead. The result is only valid
// within the handler unless copied.
func DecodedBody(c *fiber.Ctx, limit int64) ([]byte, error) {
	raw := c.Request().Body()
	enc := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)))
	if enc == "" || enc == "identity" {
		if int64(len(raw)) > limit {
			return nil, httperr.New(http.StatusRequestEntityTooLarge, "request body too large")
		}
		return raw, nil
	}
	var (
		r   io.Reader
		err error
	)
	switch enc {
	case "gzip", "x-gzip":
		r, err = gzip.NewReader(bytes.NewReader(raw))
	case "deflate":
		r = flate.NewReader(bytes.NewReader(raw))
	case "br":
		r = brotli.NewReader(bytes.NewReader(raw))
	default:
		return nil, httperr.New(http.StatusUnsupportedMediaType, fmt.Sprintf("unsupported Content-Encoding %q", enc))
	}
	if err != nil {
		return nil, httperr.Wrap(http.StatusBadRequest, "body is not valid "+enc, err)
	}
	out, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, httperr.Wrap(http.StatusBadRequest, "body is not valid "+enc, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, httperr.New(http.StatusBadRequest, "body is not valid "+enc+": truncated")
	}
	if int64(len(out)) > limit {
		return nil, httperr.New(http.StatusRequestEntityTooLarge, "request body too large once decompressed")
	}
	return out, nil
}

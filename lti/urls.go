package lti

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// IsLoopbackHost reports whether host (without port) is localhost or a
// loopback address, where plain http is allowed for local testing.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// checkAbsoluteURL requires an absolute https URL with a host, or http on a
// loopback host.
func checkAbsoluteURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid url: %w", err)
	}
	if u.Host == "" || u.User != nil {
		return errors.New("url must be absolute with a host and no user info")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return errors.New("url must use https")
	default:
		return errors.New("url must use https")
	}
}

// CheckURL is checkAbsoluteURL for callers outside the package (the CLI).
func CheckURL(raw string) error { return checkAbsoluteURL(raw) }

// AppendQuery adds params to raw, keeping any query string it already has
// (return_url and Moodle's line item URLs carry one).
func AppendQuery(raw string, params url.Values) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parse url: %w", err)
	}
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ServiceURL returns the line item URL with a path segment appended before
// its query string: ServiceURL("…/lineitem?type_id=4", "scores") is
// "…/lineitem/scores?type_id=4".
func ServiceURL(lineItem, segment string) (string, error) {
	u, err := url.Parse(lineItem)
	if err != nil {
		return "", fmt.Errorf("parse line item url: %w", err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + segment
	if u.RawPath != "" {
		u.RawPath = strings.TrimSuffix(u.RawPath, "/") + "/" + segment
	}
	return u.String(), nil
}

// hostOf returns u's host[:port] in lower case, or "" when u is not an
// absolute http(s) URL.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return ""
	}
	h := strings.ToLower(u.Host)
	if (u.Scheme == "https" && strings.HasSuffix(h, ":443")) || (u.Scheme == "http" && strings.HasSuffix(h, ":80")) {
		h = h[:strings.LastIndexByte(h, ':')]
	}
	return h
}

// ReturnURL is the launch's launch_presentation.return_url with the LTI
// message parameters (lti_msg, lti_log, lti_errormsg, lti_errorlog) added to
// any query string it already has; "" when the platform sent none or it is
// not an http(s) URL.
func ReturnURL(l *Launch, msg, log, errMsg, errLog string) string {
	if l == nil || l.Claims == nil || l.Claims.LaunchPresentation == nil {
		return ""
	}
	raw := l.Claims.LaunchPresentation.ReturnURL
	if checkAbsoluteURL(raw) != nil {
		return ""
	}
	params := url.Values{}
	for k, v := range map[string]string{"lti_msg": msg, "lti_log": log, "lti_errormsg": errMsg, "lti_errorlog": errLog} {
		if v != "" {
			params.Set(k, v)
		}
	}
	out, err := AppendQuery(raw, params)
	if err != nil {
		return ""
	}
	return out
}

package lti_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// cdpBrowser is headless Chromium driven through the DevTools protocol
// over --remote-debugging-pipe (file descriptors 3 and 4, messages ended
// by a NUL byte), so no WebSocket client is needed.
type cdpBrowser struct {
	cmd  *exec.Cmd
	in   *os.File // our end of Chromium's fd 3
	out  *os.File // our end of Chromium's fd 4
	rd   *bufio.Reader
	next int
	logs *syncBuffer
}

// syncBuffer collects a child process's output; the test may read it
// while the process still writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCDP starts chromium with an empty profile on about:blank.
func startCDP(t *testing.T, ctx context.Context, chromium string) *cdpBrowser {
	t.Helper()
	toChrome, ourIn, err := os.Pipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	ourOut, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	logs := &syncBuffer{}
	cmd := exec.CommandContext(ctx, chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-dev-shm-usage", "--remote-debugging-pipe", "--user-data-dir="+t.TempDir(), "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	_ = toChrome.Close()
	_ = fromChrome.Close()
	b := &cdpBrowser{cmd: cmd, in: ourIn, out: ourOut, rd: bufio.NewReader(ourOut), logs: logs}
	t.Cleanup(b.stop)
	return b
}

func (b *cdpBrowser) stop() {
	if b.cmd.Process == nil {
		return
	}
	_ = b.in.Close()
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
	_ = b.out.Close()
	b.cmd.Process = nil
}

// call sends one command (to a page session, or to the browser when
// session is "") and returns its result; events in between are skipped.
func (b *cdpBrowser) call(session, method string, params any) (json.RawMessage, error) {
	b.next++
	id := b.next
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	if _, err := b.in.Write(append(raw, 0)); err != nil {
		return nil, fmt.Errorf("cdp write: %w", err)
	}
	_ = b.out.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		line, err := b.rd.ReadBytes(0)
		if err != nil {
			return nil, fmt.Errorf("cdp read: %w", err)
		}
		var resp struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(line[:len(line)-1], &resp); err != nil {
			return nil, fmt.Errorf("cdp decode: %w", err)
		}
		if resp.ID != id {
			continue // an event
		}
		if resp.Error != nil {
			return nil, fmt.Errorf("cdp %s: %s", method, resp.Error.Message)
		}
		return resp.Result, nil
	}
}

// open creates a page at url and attaches to it; it returns the session.
func (b *cdpBrowser) open(url string) (string, error) {
	res, err := b.call("", "Target.createTarget", map[string]any{"url": url})
	if err != nil {
		return "", err
	}
	var ct struct {
		TargetID string `json:"targetId"`
	}
	if err := json.Unmarshal(res, &ct); err != nil {
		return "", err
	}
	res, err = b.call("", "Target.attachToTarget", map[string]any{"targetId": ct.TargetID, "flatten": true})
	if err != nil {
		return "", err
	}
	var at struct {
		SessionID string `json:"sessionId"`
	}
	if err := json.Unmarshal(res, &at); err != nil {
		return "", err
	}
	return at.SessionID, nil
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into out.
func (b *cdpBrowser) eval(session, expr string, out any) error {
	res, err := b.call(session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	if err != nil {
		return err
	}
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	if r.ExceptionDetails != nil {
		return errors.New("javascript: " + r.ExceptionDetails.Text)
	}
	if out == nil || len(r.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(r.Result.Value, out)
}

// waitTrue polls a boolean expression until it holds or the time is up.
// Errors while the page navigates are expected and retried.
func (b *cdpBrowser) waitTrue(session, expr string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var ok bool
		if err := b.eval(session, expr, &ok); err == nil && ok {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/store/sqlite"
)

// envDurabilityDir switches the test binary into the writer child of
// TestDurabilityKill9: it writes into that directory until it is killed.
const envDurabilityDir = "PASSPORT_TEST_DURABILITY_DIR"

// TestDurabilityKill9 starts a child process that writes credentials through
// the store from several goroutines and prints each key once its write is
// acknowledged, SIGKILLs it mid-stream, reopens the database and checks that
// every acknowledged write is there. (A power cut cannot be simulated here;
// synchronous=FULL is what covers it.)
func TestDurabilityKill9(t *testing.T) {
	if dir := os.Getenv(envDurabilityDir); dir != "" {
		durabilityChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	t.Parallel()
	dir := t.TempDir()

	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestDurabilityKill9$", "-test.count=1")
	cmd.Env = append(os.Environ(), envDurabilityDir+"="+dir)
	cmd.Stderr = t.Output()
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	const killAfter = 2000
	var acked []string
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		key, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue // the test framework's own lines
		}
		acked = append(acked, key)
		if len(acked) == killAfter && !killed {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
		// Keep reading: lines already in the pipe were acknowledged too.
	}
	require.NoError(t, sc.Err())
	err = cmd.Wait()
	require.True(t, killed, "the child stopped before %d acknowledged writes: %v", killAfter, err)
	require.Error(t, err, "the child was killed")

	s, err := sqlite.Open(t.Context(), dir, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close(context.Background())) }()
	missing := 0
	for _, key := range acked {
		if _, err := s.Credential(t.Context(), key); err != nil {
			missing++
			t.Errorf("acknowledged write %s lost: %v", key, err)
		}
	}
	assert.Zero(t, missing)
	list, err := s.Credentials(t.Context(), "camp")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(list), len(acked))
	t.Logf("%d acknowledged writes survived SIGKILL (%d records found)", len(acked), len(list))
}

// durabilityChild writes until it is killed (or a bound runs out).
func durabilityChild(t *testing.T, dir string) {
	s, err := sqlite.Open(context.Background(), dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	var mu sync.Mutex // one ack line at a time
	deadline := time.Now().Add(time.Minute)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				key := fmt.Sprintf("w%d-%06d", w, i)
				err := s.CreateCredential(context.Background(), auth.Credential{
					Key: key, SecretHash: "x", Tenant: "camp", Name: key, Created: time.Now(),
				})
				if err != nil {
					t.Errorf("write %s: %v", key, err)
					return
				}
				mu.Lock()
				_, _ = fmt.Fprintf(os.Stdout, "ack %s\n", key)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/store"
)

// RunConcurrency checks that concurrent writers through the contract lose,
// duplicate and corrupt nothing: many goroutines create credentials and
// tokens at once, and race to take the same key.
func RunConcurrency(t *testing.T, newStore Factory) {
	t.Helper()
	const (
		workers = 8
		each    = 20
	)

	t.Run("DistinctWrites", func(t *testing.T) {
		s := newStore(t)
		ctx := t.Context()
		var wg sync.WaitGroup
		errs := make(chan error, workers*each*2)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					c := coreCredential(fmt.Sprintf("tenant-%d", w%4), fmt.Sprintf("k-%02d-%02d", w, i))
					if err := s.CreateCredential(ctx, c); err != nil {
						errs <- err
					}
					tok := coreToken(fmt.Sprintf("h-%02d-%02d", w, i), t0.Add(time.Hour))
					if err := s.SaveToken(ctx, tok); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		total := 0
		for tn := range 4 {
			tenant := fmt.Sprintf("tenant-%d", tn)
			list, err := s.Credentials(ctx, tenant)
			require.NoError(t, err)
			assert.Len(t, list, workers/4*each, tenant)
			seen := map[string]bool{}
			for _, c := range list {
				assert.False(t, seen[c.Key], "duplicate %s", c.Key)
				seen[c.Key] = true
				assert.Equal(t, tenant, c.Tenant)
			}
			total += len(list)
		}
		assert.Equal(t, workers*each, total)
		for w := range workers {
			for i := range each {
				_, err := s.Token(ctx, fmt.Sprintf("h-%02d-%02d", w, i), t0)
				require.NoError(t, err)
			}
		}
		n, err := s.DeleteExpiredTokens(ctx, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, workers*each, n)
	})

	t.Run("SameKeyRace", func(t *testing.T) {
		s := newStore(t)
		ctx := t.Context()
		const keys = 10
		var mu sync.Mutex
		won := map[string][]int{}
		var wg sync.WaitGroup
		errs := make(chan error, workers*keys)
		for w := range workers {
			wg.Go(func() {
				for k := range keys {
					key := fmt.Sprintf("shared-%d", k)
					c := coreCredential("camp-a", key)
					c.Name = fmt.Sprintf("writer %d", w)
					err := s.CreateCredential(ctx, c)
					switch {
					case err == nil:
						mu.Lock()
						won[key] = append(won[key], w)
						mu.Unlock()
					case !assert.ErrorIs(t, err, store.ErrConflict):
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		list, err := s.Credentials(ctx, "camp-a")
		require.NoError(t, err)
		require.Len(t, list, keys)
		for _, c := range list {
			require.Len(t, won[c.Key], 1, "exactly one writer wins %s", c.Key)
			assert.Equal(t, fmt.Sprintf("writer %d", won[c.Key][0]), c.Name, "the winner's record is kept")
		}
	})

	t.Run("ReadsDuringWrites", func(t *testing.T) {
		s := newStore(t)
		ctx := t.Context()
		const total = 100
		writerDone := make(chan struct{})
		go func() {
			defer close(writerDone)
			for i := range total {
				if err := s.CreateCredential(ctx, coreCredential("camp-a", fmt.Sprintf("k%03d", i))); err != nil {
					t.Errorf("write %d: %v", i, err)
					return
				}
			}
		}()
		// Readers never see a write undone or half done: the list only grows,
		// in key order, and every record is complete.
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				last := 0
				for n, done := 0, false; !done && n < 50; n++ {
					select {
					case <-writerDone:
						done = true
					default:
					}
					list, err := s.Credentials(ctx, "camp-a")
					if err != nil {
						t.Errorf("list while writing: %v", err)
						return
					}
					assert.GreaterOrEqual(t, len(list), last)
					last = len(list)
					for i, c := range list {
						assert.Equal(t, fmt.Sprintf("k%03d", i), c.Key, "writes become visible in order")
						assert.Equal(t, coreCredential("camp-a", c.Key), c)
					}
				}
			})
		}
		wg.Wait()
		<-writerDone
		list, err := s.Credentials(ctx, "camp-a")
		require.NoError(t, err)
		assert.Len(t, list, total)
	})

	t.Run("TenantRace", func(t *testing.T) {
		s := newStore(t)
		ctx := t.Context()
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range workers {
			wg.Go(func() {
				err := s.CreateTenant(ctx, auth.Tenant{ID: "camp-a", Created: t0})
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
					return
				}
				assert.ErrorIs(t, err, store.ErrConflict)
			})
		}
		wg.Wait()
		assert.Equal(t, 1, wins)
	})
}

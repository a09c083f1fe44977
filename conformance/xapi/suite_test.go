package xapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/conformance/xapi"
	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs/lrshttp"
	"github.com/passportbridge/passport/store/backend"
	"github.com/passportbridge/passport/store/mongo/mongotest"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// inProcess serves the LRS from an in-process fiber app over store s.
func inProcess(t *testing.T, s backend.Store) xapi.Target {
	logger := slog.New(slog.DiscardHandler)
	a := auth.NewAuthenticator(s, time.Now)
	cfg := config.Config{BodyLimit: 1 << 20, PublicURL: "http://lrs.test", ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute}
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{&lrshttp.Handler{
		Store: s, Auth: a, Logger: logger, Clock: time.Now, PublicURL: cfg.PublicURL, BodyLimit: cfg.BodyLimit,
	}}})
	ctx := context.Background()
	mk := func(tenant, name string, scopes ...string) xapi.Cred {
		c, err := a.CreateCredential(ctx, tenant, name, scopes)
		require.NoError(t, err)
		return xapi.Cred{Key: c.Key, Secret: c.Secret}
	}
	all := []string{"all"}
	return xapi.Target{
		Do:          func(r *http.Request) (*http.Response, error) { return srv.App.Test(r, -1) },
		Base:        "http://lrs.test",
		All:         mk("camp", "all", all...),
		WriteOnly:   mk("camp", "writer", "statements/write"),
		MineA:       mk("camp", "mine-a", "statements/write", "statements/read/mine"),
		MineB:       mk("camp", "mine-b", "statements/write", "statements/read/mine"),
		StateOnly:   mk("camp", "state", "state"),
		OtherTenant: mk("other", "all", all...),
	}
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	xapi.Run(t, func(t *testing.T) xapi.Target { return inProcess(t, sqlitetest.Open(t)) })
}

func TestMongo(t *testing.T) {
	t.Parallel()
	xapi.Run(t, func(t *testing.T) xapi.Target { return inProcess(t, mongotest.Open(t)) })
}

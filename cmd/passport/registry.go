package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/store/backend"
	"github.com/passportbridge/passport/store/mongo"
	"github.com/passportbridge/passport/store/sqlite"
)

// backends maps --store values to the code that opens them: an explicit
// registry, no init() (design.md §3.8 rule 3).
var backends = map[string]func(ctx context.Context, cfg config.Config, logger *slog.Logger) (backend.Store, error){
	config.StoreSQLite: func(ctx context.Context, cfg config.Config, logger *slog.Logger) (backend.Store, error) {
		if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		return sqlite.Open(ctx, filepath.Clean(cfg.Data), logger)
	},
	config.StoreMongo: func(ctx context.Context, cfg config.Config, logger *slog.Logger) (backend.Store, error) {
		return mongo.Open(ctx, cfg.MongoURI, logger)
	},
}

func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (backend.Store, error) {
	open, ok := backends[cfg.Store]
	if !ok {
		return nil, fmt.Errorf("unknown store %q", cfg.Store)
	}
	s, err := open(ctx, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("open %s store: %w", cfg.Store, err)
	}
	return s, nil
}

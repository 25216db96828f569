package main

import (
	"context"
	"fmt"

	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// filingServers is what a filing round (-write, -clock) runs against: n servers
// on one database, the store to check results behind their back, and the
// demo's category the round files its requests in.
type filingServers struct {
	servers  []*server
	store    *store.Store
	category int
}

// startFilingServers starts n servers with env and opens dbURL; on an error it
// stops what it started.
func startFilingServers(ctx context.Context, n int, bin string, env []string, dbURL string, logf func(string, ...any)) (*filingServers, error) {
	f := &filingServers{}
	for range n {
		srv, err := startServer(ctx, bin, env)
		if err != nil {
			f.close()
			return nil, err
		}
		f.servers = append(f.servers, srv)
		logf("server pid %d at %s", srv.pid, srv.url)
	}
	s, err := store.Open(ctx, dbURL)
	if err != nil {
		f.close()
		return nil, err
	}
	f.store = s
	f.category, err = s.Client.RequestCategory.Query().Where(requestcategory.Code(seed.CategoryOther)).OnlyID(viewer.SystemContext(ctx))
	if err != nil {
		f.close()
		return nil, fmt.Errorf("the demo's category %s: %w", seed.CategoryOther, err)
	}
	return f, nil
}

// close closes the store and stops the servers.
func (f *filingServers) close() {
	if f.store != nil {
		f.store.Close()
	}
	for _, s := range f.servers {
		s.stop()
	}
}

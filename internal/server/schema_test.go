package server

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/graph"
	"github.com/jimei-linli/linli/internal/app"
	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/testclock"
)

// testSchema is the schema over client with the services serve builds
// (internal/app, default configuration), on a hub and an outbox of this
// process alone (no relay: these tests do not subscribe across
// instances), at the clock now (testclock.Start when nil).
func testSchema(client *ent.Client, now func() time.Time) graphql.ExecutableSchema {
	if now == nil {
		now = testclock.Start
	}
	return graph.NewSchema(app.New(config.Defaults(), app.Parts{
		Client: client, Now: now, Hub: realtime.NewHub(nil), Outbox: realtime.NewOutbox(nil, now),
	}))
}

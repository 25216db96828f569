// Package accesslog records who read residents' sensitive records: every
// care note, care incident, child registration, subsidy qualification and
// set of personal details that a member of staff reads about somebody else
// becomes an AccessRecord (who, what, when, on which GraphQL path).
//
// Reads are seen in one place: the ent interceptors of those entities
// (Interceptors, attached in ent/schema) see the rows a query returned,
// after the privacy rules filtered it, so a refused read records nothing.
// They collect entries in the request's Log; the gqlgen extension
// (Extension) writes the Log's entries in one INSERT after the response is
// built and before it is sent, and answers an error instead of the data
// if that write fails, so no sensitive record leaves the server without
// its entry. A subscription writes before each payload.
package accesslog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/ent"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/accessrecord"
	"github.com/jimei-linli/linli/ent/careincident"
	"github.com/jimei-linli/linli/ent/carenote"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/subsidyqualification"
	"github.com/jimei-linli/linli/internal/viewer"
)

// read is one entry waiting to be written.
type read struct {
	reader, subject int
	kind            accessrecord.Kind
	record          int
	path            string
}

// key is what makes an entry one: the same record read twice by the same
// reader in one response is one entry (with the first path).
type key struct {
	reader, subject int
	kind            accessrecord.Kind
	record          int
}

// Log collects the sensitive reads of one GraphQL operation until they are
// written. It is safe for concurrent use (resolvers run in parallel, and a
// subscription loads in its own goroutine).
type Log struct {
	// client reads the subjects of rows loaded without them.
	client  *gen.Client
	mu      sync.Mutex
	seen    map[key]bool
	pending []read
}

type ctxKey struct{}

// NewContext returns ctx carrying l: reads made with it are collected in l.
func NewContext(ctx context.Context, l *Log) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the Log of ctx, or nil outside a GraphQL operation.
func FromContext(ctx context.Context) *Log {
	l, _ := ctx.Value(ctxKey{}).(*Log)
	return l
}

// add collects r unless this response already has it.
func (l *Log) add(r read) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := key{r.reader, r.subject, r.kind, r.record}
	if l.seen[k] {
		return
	}
	if l.seen == nil {
		l.seen = map[key]bool{}
	}
	l.seen[k] = true
	l.pending = append(l.pending, r)
}

// take returns the entries collected since the last take and forgets them
// (the next payload of a subscription records its reads again).
func (l *Log) take() []read {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.pending
	l.pending, l.seen = nil, nil
	return p
}

// staffReading reports whether v's read of a record about subject is one to
// record: v is a signed-in resident who holds a role (staff) and is neither
// the subject nor their active guardian. The system's reads, a person's own
// and a guardian's are not recorded.
func staffReading(v *viewer.Viewer, subject int) bool {
	return v.SignedIn() && len(v.Roles) > 0 && !v.ActsFor(subject)
}

// Path returns where in the operation ctx is: the GraphQL field names and
// list positions from the root, joined by dots (aliases, which the client
// chooses, are left out). Empty outside a resolver.
func Path(ctx context.Context) string {
	var parts []string
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		switch {
		case fc.Index != nil:
			parts = append(parts, strconv.Itoa(*fc.Index))
		case fc.Field.Field != nil:
			parts = append(parts, fc.Field.Name)
		}
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	// A subscription's payload is resolved below its root field, which is
	// not among its field contexts: name it first.
	if root := subscriptionField(ctx); root != "" && (len(parts) == 0 || parts[0] != root) {
		parts = append([]string{root}, parts...)
	}
	p := strings.Join(parts, ".")
	if len(p) > 500 {
		p = p[:500]
	}
	return p
}

// subscriptionField returns the root field of the subscription ctx runs,
// or "" outside one.
func subscriptionField(ctx context.Context) string {
	if !graphql.HasOperationContext(ctx) {
		return ""
	}
	op := graphql.GetOperationContext(ctx).Operation
	if op == nil || op.Operation != ast.Subscription || len(op.SelectionSet) != 1 {
		return ""
	}
	if f, ok := op.SelectionSet[0].(*ast.Field); ok {
		return f.Name
	}
	return ""
}

// sensitive describes how the rows of one entity are recorded.
type sensitive[T any] struct {
	// typ is the entity's type (gen.TypeCareNote...).
	typ string
	// kind is what a read of it is recorded as.
	kind accessrecord.Kind
	// about returns a row's subject and ID; ok false: the row is not
	// sensitive; loaded false: the columns needed were not selected.
	about func(T) (subject, id int, ok, loaded bool)
	// needs are the columns about reads.
	needs []string
	// reload reads the needed columns of rows ids, as the system.
	reload func(ctx context.Context, c *gen.Client, ids []int) ([]T, error)
	// id returns a row's ID.
	id func(T) int
}

// recordRows returns an interceptor that, for queries returning []T, adds
// an entry to the request's Log for every row a member of staff read about
// somebody else. GraphQL field collection selects only the columns the
// client asked for: the interceptor adds the ones it needs to a query of
// its own type, and rows loaded without them (an edge loaded eagerly under
// another entity's query) are completed with one more query. Queries that
// return no rows (counts, IDs, existence) read nothing sensitive and pass
// untouched.
func recordRows[T any](e sensitive[T]) ent.Interceptor {
	return ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			l := FromContext(ctx)
			v := viewer.FromContext(ctx)
			if l == nil || !v.SignedIn() || len(v.Roles) == 0 {
				return next.Query(ctx, q)
			}
			// Only queries of rows (not a Select of some columns into
			// values, which must get exactly the columns it asked for).
			if qc := ent.QueryFromContext(ctx); qc != nil && qc.Type == e.typ && len(qc.Fields) > 0 &&
				(qc.Op == ent.OpQueryAll || qc.Op == ent.OpQueryOnly || qc.Op == ent.OpQueryFirst) {
				for _, f := range e.needs {
					if !slices.Contains(qc.Fields, f) {
						qc.Fields = append(qc.Fields, f)
					}
				}
			}
			value, err := next.Query(ctx, q)
			if err != nil {
				return value, err
			}
			rows, isRows := value.([]T)
			if !isRows || len(rows) == 0 {
				return value, nil
			}
			var partial []int
			for _, row := range rows {
				if _, _, _, loaded := e.about(row); !loaded {
					partial = append(partial, e.id(row))
				}
			}
			full := rows
			if len(partial) > 0 {
				if l.client == nil {
					return nil, fmt.Errorf("accesslog: %s rows without their subject, and no client to read it", e.typ)
				}
				more, err := e.reload(viewer.SystemContext(ctx), l.client, partial)
				if err != nil {
					return nil, fmt.Errorf("accesslog: reading the subjects of %s rows: %w", e.typ, err)
				}
				full = append(slices.Clone(rows), more...)
			}
			path := ""
			for _, row := range full {
				subject, id, ok, loaded := e.about(row)
				if !ok || !loaded || !staffReading(v, subject) {
					continue
				}
				if path == "" {
					path = Path(ctx)
				}
				l.add(read{reader: v.ResidentID, subject: subject, kind: e.kind, record: id, path: path})
			}
			return value, nil
		})
	})
}

// CareNotes records staff reads of care notes.
func CareNotes() ent.Interceptor {
	return recordRows(sensitive[*gen.CareNote]{
		typ: gen.TypeCareNote, kind: accessrecord.KindCARE_NOTE, needs: []string{carenote.FieldResidentID},
		about: func(n *gen.CareNote) (int, int, bool, bool) { return n.ResidentID, n.ID, true, n.ResidentID != 0 },
		id:    func(n *gen.CareNote) int { return n.ID },
		reload: func(ctx context.Context, c *gen.Client, ids []int) ([]*gen.CareNote, error) {
			q := c.CareNote.Query().Where(carenote.IDIn(ids...))
			q.Select(carenote.FieldID, carenote.FieldResidentID)
			return q.All(ctx)
		},
	})
}

// CareIncidents records staff reads of care incidents.
func CareIncidents() ent.Interceptor {
	return recordRows(sensitive[*gen.CareIncident]{
		typ: gen.TypeCareIncident, kind: accessrecord.KindCARE_INCIDENT, needs: []string{careincident.FieldResidentID},
		about: func(n *gen.CareIncident) (int, int, bool, bool) { return n.ResidentID, n.ID, true, n.ResidentID != 0 },
		id:    func(n *gen.CareIncident) int { return n.ID },
		reload: func(ctx context.Context, c *gen.Client, ids []int) ([]*gen.CareIncident, error) {
			q := c.CareIncident.Query().Where(careincident.IDIn(ids...))
			q.Select(careincident.FieldID, careincident.FieldResidentID)
			return q.All(ctx)
		},
	})
}

// SubsidyQualifications records staff reads of subsidy qualifications.
func SubsidyQualifications() ent.Interceptor {
	return recordRows(sensitive[*gen.SubsidyQualification]{
		typ: gen.TypeSubsidyQualification, kind: accessrecord.KindSUBSIDY_QUALIFICATION, needs: []string{subsidyqualification.FieldResidentID},
		about: func(n *gen.SubsidyQualification) (int, int, bool, bool) {
			return n.ResidentID, n.ID, true, n.ResidentID != 0
		},
		id: func(n *gen.SubsidyQualification) int { return n.ID },
		reload: func(ctx context.Context, c *gen.Client, ids []int) ([]*gen.SubsidyQualification, error) {
			q := c.SubsidyQualification.Query().Where(subsidyqualification.IDIn(ids...))
			q.Select(subsidyqualification.FieldID, subsidyqualification.FieldResidentID)
			return q.All(ctx)
		},
	})
}

// PersonalInfos records staff reads of someone else's personal details.
func PersonalInfos() ent.Interceptor {
	return recordRows(sensitive[*gen.PersonalInfo]{
		typ: gen.TypePersonalInfo, kind: accessrecord.KindPERSONAL_INFO, needs: []string{personalinfo.FieldResidentID},
		about: func(n *gen.PersonalInfo) (int, int, bool, bool) { return n.ResidentID, n.ID, true, n.ResidentID != 0 },
		id:    func(n *gen.PersonalInfo) int { return n.ID },
		reload: func(ctx context.Context, c *gen.Client, ids []int) ([]*gen.PersonalInfo, error) {
			q := c.PersonalInfo.Query().Where(personalinfo.IDIn(ids...))
			q.Select(personalinfo.FieldID, personalinfo.FieldResidentID)
			return q.All(ctx)
		},
	})
}

// ChildRecords records staff reads of a child's registration by a parent
// (a PARENT_OF_MINOR guardianship); other guardianships are not sensitive
// records of their own.
func ChildRecords() ent.Interceptor {
	return recordRows(sensitive[*gen.Guardianship]{
		typ: gen.TypeGuardianship, kind: accessrecord.KindCHILD_RECORD,
		needs: []string{guardianship.FieldDependentID, guardianship.FieldConsentMethod},
		about: func(n *gen.Guardianship) (int, int, bool, bool) {
			return n.DependentID, n.ID, n.ConsentMethod != nil && *n.ConsentMethod == guardianship.ConsentMethodPARENT_OF_MINOR,
				n.DependentID != 0 && n.ConsentMethod != nil
		},
		id: func(n *gen.Guardianship) int { return n.ID },
		reload: func(ctx context.Context, c *gen.Client, ids []int) ([]*gen.Guardianship, error) {
			q := c.Guardianship.Query().Where(guardianship.IDIn(ids...))
			q.Select(guardianship.FieldID, guardianship.FieldDependentID, guardianship.FieldConsentMethod)
			return q.All(ctx)
		},
	})
}

// Service writes the entries operations collected and lists them.
type Service struct {
	client *gen.Client
	now    func() time.Time
}

// New returns a Service that writes through client, stamping entries
// with now (the injected clock; nil: time.Now).
func New(client *gen.Client, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{client: client, now: now}
}

// writeChunk bounds the rows of one INSERT (SQLite and PostgreSQL bound
// the parameters of a statement).
const writeChunk = 1000

// Flush writes the entries l collected since the last Flush, as the
// system, in one INSERT (per writeChunk rows); none, no statement.
func (s *Service) Flush(ctx context.Context, l *Log) error {
	reads := l.take()
	if len(reads) == 0 {
		return nil
	}
	sys := viewer.SystemContext(ctx)
	at := s.now()
	for start := 0; start < len(reads); start += writeChunk {
		chunk := reads[start:min(start+writeChunk, len(reads))]
		builders := make([]*gen.AccessRecordCreate, len(chunk))
		for i, r := range chunk {
			builders[i] = s.client.AccessRecord.Create().SetReaderID(r.reader).SetSubjectID(r.subject).
				SetKind(r.kind).SetRecordID(r.record).SetPath(r.path).SetAt(at)
		}
		if err := s.client.AccessRecord.CreateBulk(builders...).Exec(sys); err != nil {
			return fmt.Errorf("accesslog: writing %d access records: %w", len(chunk), err)
		}
	}
	return nil
}

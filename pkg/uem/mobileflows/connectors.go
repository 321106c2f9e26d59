package mobileflows

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Connector is one uem.mobileFlows.connectors entry as a managed object (step uem.connectors),
// registered through a Registrar. A custom connector's discovery document is fetched and
// validated first.
type Connector struct {
	Spec      ConnectorSpec
	Registrar Registrar
	// HTTP fetches discovery documents (unauthenticated); nil skips them.
	HTTP *httpx.Client
	// Ahead, when set, may hold the discovery document fetched before Apply (apply fetches
	// them while the Entra app is still being set up).
	Ahead *Discoveries
}

// Discoveries are connectors' discovery documents fetched ahead of Apply, each used once.
type Discoveries struct {
	mu   sync.Mutex
	docs map[string]fetchedDiscovery
}

type fetchedDiscovery struct {
	d   *Discovery
	err error
}

// ReadAhead fetches the discovery documents of specs, all at the same time.
func (ds *Discoveries) ReadAhead(ctx context.Context, hc *httpx.Client, specs []ConnectorSpec) {
	if hc == nil {
		return
	}
	var wg sync.WaitGroup
	for _, s := range specs {
		if s.DiscoveryURL == "" {
			continue
		}
		wg.Go(func() {
			d, err := FetchDiscovery(ctx, hc, s.DiscoveryURL)
			ds.mu.Lock()
			defer ds.mu.Unlock()
			if ds.docs == nil {
				ds.docs = map[string]fetchedDiscovery{}
			}
			ds.docs[s.DiscoveryURL] = fetchedDiscovery{d, err}
		})
	}
	wg.Wait()
}

// take returns the document fetched ahead for url, once.
func (ds *Discoveries) take(url string) (fetchedDiscovery, bool) {
	if ds == nil {
		return fetchedDiscovery{}, false
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	f, ok := ds.docs[url]
	delete(ds.docs, url)
	return f, ok
}

// NewConnectors returns one object per spec, all registered through r.
func NewConnectors(specs []ConnectorSpec, r Registrar, hc *httpx.Client) []object.Object {
	out := make([]object.Object, 0, len(specs))
	for _, s := range specs {
		out = append(out, &Connector{Spec: s, Registrar: r, HTTP: hc})
	}
	return out
}

func (c *Connector) discovery(ctx context.Context) (*Discovery, error) {
	if c.Spec.DiscoveryURL == "" || c.HTTP == nil {
		return nil, nil
	}
	f, ok := c.Ahead.take(c.Spec.DiscoveryURL)
	if !ok {
		f.d, f.err = FetchDiscovery(ctx, c.HTTP, c.Spec.DiscoveryURL)
	}
	if f.err != nil {
		return nil, fmt.Errorf("connector %q: %w", c.Spec.Name, f.err)
	}
	return f.d, nil
}

// Plan reports the connector's change. Read-only.
func (c *Connector) Plan(ctx context.Context) ([]plan.Change, error) {
	if _, err := c.discovery(ctx); err != nil {
		return nil, err
	}
	ch, err := c.Registrar.Plan(ctx, c.Spec)
	if err != nil {
		return nil, err
	}
	return []plan.Change{ch}, nil
}

// Apply registers the connector. In guided mode a connector the operator has not confirmed
// returns a Result whose Operator is the checklist.
func (c *Connector) Apply(ctx context.Context) (object.Result, error) {
	if _, err := c.discovery(ctx); err != nil {
		return result(c.Spec, plan.NoOp), err
	}
	return c.Registrar.Apply(ctx, c.Spec)
}

// Verify checks the connector and, for a custom one, that its discovery is still valid.
func (c *Connector) Verify(ctx context.Context) []doctor.Check {
	out := c.Registrar.Verify(ctx, c.Spec)
	s := c.Spec
	if s.DiscoveryURL == "" || c.HTTP == nil {
		return out
	}
	ck := doctor.Check{ID: "uem.connector." + text.Slug(s.Name) + ".discovery", Title: fmt.Sprintf("connector %q discovery valid", s.Name), Status: doctor.Pass}
	d, err := FetchDiscovery(ctx, c.HTTP, s.DiscoveryURL)
	if err != nil {
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, err.Error(), "fix the connector's discovery document (GET / must answer application/json without authentication)"
	} else {
		ck.Detail = Summary(d)
		if len(d.Warnings) > 0 {
			ck.Status, ck.Detail = doctor.Warn, ck.Detail+"; "+strings.Join(d.Warnings, "; ")
			ck.Fix = "make the endpoints absolute public https URLs (X-Forwarded-* headers behind a proxy)"
		}
	}
	return append(out, ck)
}

// Summary is a one-line description of a discovery document.
func Summary(d *Discovery) string {
	var ots, acts []string
	for _, o := range d.ObjectTypes {
		s := o.Name
		if len(o.Actions) > 0 {
			s += " (actions: " + strings.Join(o.Actions, ", ") + ")"
		}
		ots = append(ots, s)
	}
	for _, a := range d.Actions {
		acts = append(acts, a.Key)
	}
	return fmt.Sprintf("object types: %s; actions: %s", orDash(ots), orDash(acts))
}

func orDash(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, ", ")
}

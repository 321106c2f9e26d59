// Package steps builds the setup step graph from a config: one adapter per object family over
// the service packages (pkg/azure, pkg/access, pkg/uem, pkg/uem/mobileflows, pkg/scim). A
// service whose section is absent yields a step that is skipped with the reason.
package steps

import (
	"io"
	"sync"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// Deps are what the step adapters need from the command.
type Deps struct {
	Config *config.Config
	HTTP   *httpx.Client
	// HTTPOptions are the options HTTP was built with, for packages that need a second client
	// (a dedicated CA such as uem.caFile); httpx.New is still the only constructor.
	HTTPOptions httpx.Options
	// ErrOut receives operator checklists and sign-in prompts (device codes).
	ErrOut io.Writer
	// Prompter asks an operator to confirm a guided step; NoInput makes guided steps pending.
	Prompter prompt.Prompter
	NoInput  bool
	// ShowSecret allows a guided checklist to print a secret value (never otherwise).
	ShowSecret bool
	// Rotate names the credentials apply may replace although another system may hold them
	// (apply --rotate identity.scimToken,access.scimClient); nothing else is ever rotated.
	Rotate []string
	// Mode is the mode a Row's objects are first built in (set by the runner): connectors plan
	// with a placeholder client id before the Entra app exists, but verify without one.
	Mode setup.Mode

	// shared holds the service clients of one run (one token per service), set by Build.
	shared *shared
}

// rotates reports whether --rotate names the step id.
func (d Deps) rotates(id string) bool {
	for _, r := range d.Rotate {
		if r == id {
			return true
		}
	}
	return false
}

// RotatableSteps are the ids --rotate accepts.
var RotatableSteps = []string{"identity.scimToken", "access.scimClient"}

// shared memoises service clients across the steps (and probes) of one run.
type shared struct {
	mu sync.Mutex
	m  map[string]any
}

// sharedValue returns the run's value under key, building it once.
func sharedValue[T any](d Deps, key string, build func() T) T {
	if d.shared == nil {
		return build()
	}
	d.shared.mu.Lock()
	defer d.shared.mu.Unlock()
	if v, ok := d.shared.m[key]; ok {
		return v.(T)
	}
	v := build()
	d.shared.m[key] = v
	return v
}

// WithShared returns d with a cache shared by everything built from it (Build and Probes).
func WithShared(d Deps) Deps {
	if d.shared == nil {
		d.shared = &shared{m: map[string]any{}}
	}
	return d
}

// probeTable lists the service-level probes as data, next to the rows.
var probeTable = []func(d Deps) []doctor.Probe{
	uemProbes,
	tokenLifetimeProbe,
	scimProbes,
	autoEnableProbe,
	idpDiscoveryProbe,
	pushedGroupsProbe,
}

// Probes returns the service-level doctor probes for the config.
func Probes(d Deps) []doctor.Probe {
	var out []doctor.Probe
	for _, p := range probeTable {
		out = append(out, p(d)...)
	}
	return out
}

// table is the step graph as data, in display order: every row names its ID, what it needs
// and the service code that builds its objects (defined in the service's file here).
var table = []Row{
	azureApp,
	accessTemplate, accessSCIMClient, accessDirectory,
	identityDirectory, identitySCIMToken, identityIdP, identityServices,
	uemBoxer, uemMobileFlowsTenant, hubMobileFlows, hubClientVersions, uemConnectors, uemIntegrations, teamsActivation,
	airWatchProvisioning,
	oktaSCIMApp, oktaProvisioning, oktaGroupPush, oktaOIDCApp,
}

// Build returns every step for the config: the table's rows, in order.
func Build(d Deps) ([]setup.Step, error) {
	d = WithShared(d)
	if d.Prompter != nil {
		d.Prompter = &serialPrompter{p: d.Prompter}
	}
	out := make([]setup.Step, 0, len(table))
	for _, r := range table {
		out = append(out, newRowStep(r, d))
	}
	return out, nil
}

// IDs are the step IDs in display order.
func IDs() []string {
	ids := make([]string, len(table))
	for i, r := range table {
		ids[i] = r.ID
	}
	return ids
}

// Graph builds and validates the graph.
func Graph(d Deps) (*setup.Graph, error) {
	ss, err := Build(d)
	if err != nil {
		return nil, err
	}
	return setup.NewGraph(ss...)
}

// serialPrompter lets one step ask at a time: steps run concurrently, a person answers one
// question after another.
type serialPrompter struct {
	mu sync.Mutex
	p  prompt.Prompter
}

func (s *serialPrompter) Input(m, def, flag string, v func(string) error) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p.Input(m, def, flag, v)
}

func (s *serialPrompter) Password(m, flag string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p.Password(m, flag)
}

func (s *serialPrompter) Select(m string, opts []string, def, flag string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p.Select(m, opts, def, flag)
}

func (s *serialPrompter) MultiSelect(m string, opts, defs []string, flag string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p.MultiSelect(m, opts, defs, flag)
}

func (s *serialPrompter) Confirm(m string, def bool, flag string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p.Confirm(m, def, flag)
}

package uem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/uem"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// ConnectorAddOptions are the options of `uem connector add [CATALOG|NAME]`.
type ConnectorAddOptions struct {
	cmdutil.Common
	// Entra looks up the Entra app's outputs; tests replace it.
	Entra EntraLookup

	Selector     string // the argument: a catalog id or a configured connector's name
	DiscoveryURL string
	Name         string
	BaseURL      string
	ClientID     string
	SecretRef    string
	Mode         string
	Confirm      bool
	ShowSecret   bool
	DryRun       bool
}

// NewCmdConnectorAdd builds `uem connector add [CATALOG|NAME]`.
func NewCmdConnectorAdd(f *cmdutil.Factory, runF func(*ConnectorAddOptions) error) *cobra.Command {
	opts := &ConnectorAddOptions{Common: cmdutil.NewCommon(f), Entra: entraFromAzure}
	cmd := cmdutil.CommandWithArgs(&cobra.Command{
		Use:   "add [CATALOG|NAME]",
		Short: "Register a connector (api mode) or print the console checklist and record the confirmation (guided)",
		Long: `Register one mobile flows connector, taken from uem.mobileFlows.connectors by catalog id or name, or
built from the catalog (teams, planner, servicenow, ...) or a discovery URL.

The Teams connector uses Base URL https://graph.microsoft.com/beta, OAuth 2.0 authorization code
against the Entra app (client id from the Entra step: flowsctl azure register; --client-id
overrides it) and its client secret from azure.app.secret.sink.

A custom connector's discovery document is fetched unauthenticated, must be https and
application/json, is validated against the connector discovery schema, and its object types and
actions are reported.

Guided mode (no uem.mobileFlows.adminUrl) prints the numbered console checklist; confirm it
interactively, or with --confirm. With --no-input and no confirmation it exits 3 (operator step
pending). The secret's value is printed only with --show-secret.`,
		Args: cobra.MaximumNArgs(1),
		Example: `  flowsctl uem connector add teams
  flowsctl uem connector add teams --confirm
  flowsctl uem connector add teams --client-id 00000000-0000-0000-0000-000000000000
  flowsctl uem connector add --discovery-url https://connector.example.com/ --name "Approvals"`,
	}, opts, &opts.Common, cmdutil.FirstArg(&opts.Selector), runF, connectorAddRun)
	fl := cmd.Flags()
	fl.StringVar(&opts.DiscoveryURL, "discovery-url", "", "a self-hosted connector's discovery URL (https)")
	fl.StringVar(&opts.Name, "name", "", "connector name (default: the catalog name)")
	fl.StringVar(&opts.BaseURL, "base-url", "", "override the connector's base URL")
	fl.StringVar(&opts.ClientID, "client-id", "", "OAuth client id (Entra connectors: default looked up from the Entra step)")
	fl.StringVar(&opts.SecretRef, "client-secret-ref", "", "where the OAuth client secret is, env:NAME or file:PATH (non-Entra connectors)")
	fl.StringVar(&opts.Mode, "mode", "", "guided or api (default: uem.mobileFlows.mode, api when adminUrl is set)")
	fl.BoolVar(&opts.Confirm, "confirm", false, "guided: record that the console steps are done")
	fl.BoolVar(&opts.ShowSecret, "show-secret", false, "guided: print the client secret's value in the checklist")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show what would change without writing")
	return cmd
}

// selectConnector finds the config entry the argument names, or builds one.
func selectConnector(o *ConnectorAddOptions, mf *config.MobileFlows) (config.Connector, error) {
	var list []config.Connector
	if mf != nil {
		list = mf.Connectors
	}
	arg := o.Selector
	var c config.Connector
	found := false
	switch {
	case o.DiscoveryURL != "":
		for _, x := range list {
			if string(x.DiscoveryURL) == o.DiscoveryURL || (o.Name != "" && strings.EqualFold(x.Name, o.Name)) {
				c, found = x, true
				break
			}
		}
		if !found {
			name := o.Name
			if name == "" {
				name = arg
			}
			c = config.Connector{Name: name}
		}
		c.DiscoveryURL = config.URL(o.DiscoveryURL)
	case arg == "" && o.Name != "":
		for _, x := range list {
			if strings.EqualFold(x.Name, o.Name) {
				c, found = x, true
				break
			}
		}
		if !found {
			var names []string
			for _, x := range list {
				names = append(names, x.Name)
			}
			return c, &uem.NotFoundError{Kind: "connector", Key: o.Name, Suggestions: uem.Suggest(o.Name, names),
				Fix: "--name alone selects an entry of uem.mobileFlows.connectors; pass a catalog id (teams, ...) or --discovery-url to add another"}
		}
	case arg == "":
		return c, errors.New("name a connector: a catalog id (teams, planner, ...), a name from uem.mobileFlows.connectors (or --name NAME), or --discovery-url URL")
	default:
		e, isCat := mobileflows.Lookup(arg)
		for _, x := range list {
			if strings.EqualFold(x.Name, arg) {
				c, found = x, true
				break
			}
			if isCat && x.Catalog != "" {
				if xe, ok := mobileflows.Lookup(x.Catalog); ok && xe.ID == e.ID {
					c, found = x, true
					break
				}
			}
		}
		if !found {
			if !isCat {
				var names []string
				for _, x := range list {
					names = append(names, x.Name)
				}
				names = append(names, mobileflows.CatalogKeys()...)
				return c, &uem.NotFoundError{Kind: "connector", Key: arg, Suggestions: uem.Suggest(arg, names),
					Fix: "see flowsctl uem connector catalog, or add it to uem.mobileFlows.connectors"}
			}
			c = config.Connector{Catalog: e.ID}
		}
	}
	if o.Name != "" {
		c.Name = o.Name
	}
	if o.BaseURL != "" {
		c.BaseURL = o.BaseURL
	}
	return c, nil
}

func needsEntra(c config.Connector) bool {
	if c.Catalog == "" {
		return false
	}
	e, ok := mobileflows.Lookup(c.Catalog)
	return ok && e.Entra
}

// entraOutputs gets the Entra outputs: --client-id wins, else the Entra step's lookup.
func entraOutputs(ctx context.Context, lookup EntraLookup, clientID string, cfg *config.Config, hc *httpx.Client) (*mobileflows.EntraOutputs, error) {
	out := &mobileflows.EntraOutputs{}
	if cfg.Azure != nil {
		out.TenantID, out.Authority, out.SecretSink = cfg.Azure.TenantID, cfg.Azure.Authority, cfg.Azure.App.Secret.Sink
	}
	if clientID != "" {
		out.ClientID = clientID
		return out, nil
	}
	if lookup == nil {
		return nil, errors.New("the Entra app's client id is unknown: pass --client-id (from flowsctl azure show)")
	}
	e, err := lookup(ctx, cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("looking up the Entra app for the connector: %w (or pass --client-id)", err)
	}
	if e.ClientID == "" {
		return nil, errors.New("the Entra app has no client id yet: run flowsctl azure register (or pass --client-id)")
	}
	out.ClientID = e.ClientID
	if !e.SecretSink.IsZero() {
		out.SecretSink = e.SecretSink
	}
	if e.TenantID != "" {
		out.TenantID = e.TenantID
	}
	if e.Authority != "" {
		out.Authority = e.Authority
	}
	return out, nil
}

func scopesFrom(cfg *config.Config) []string {
	if cfg.Azure != nil && len(cfg.Azure.App.DelegatedPermissions) > 0 {
		return cfg.Azure.App.DelegatedPermissions
	}
	return nil
}

type addOutput struct {
	Connector string                 `json:"connector" yaml:"connector"`
	Mode      string                 `json:"mode" yaml:"mode"`
	DryRun    bool                   `json:"dryRun" yaml:"dryRun"`
	Change    plan.Change            `json:"change" yaml:"change"`
	Pending   bool                   `json:"pending" yaml:"pending"`
	Checklist string                 `json:"checklist,omitempty" yaml:"checklist,omitempty"`
	Discovery *mobileflows.Discovery `json:"discovery,omitempty" yaml:"discovery,omitempty"`
}

// addSpec builds the connector's spec from the config entry and the flags.
func addSpec(o *ConnectorAddOptions, cfg *config.Config, hc *httpx.Client, mode string) (mobileflows.ConnectorSpec, error) {
	cc, err := selectConnector(o, cfg.UEM.MobileFlows)
	if err != nil {
		return mobileflows.ConnectorSpec{}, err
	}
	var entra *mobileflows.EntraOutputs
	if needsEntra(cc) {
		if entra, err = entraOutputs(o.Context(), o.Entra, o.ClientID, cfg, hc); err != nil {
			return mobileflows.ConnectorSpec{}, err
		}
	}
	spec, err := mobileflows.SpecFrom(cc, entra, scopesFrom(cfg))
	if err != nil || entra != nil {
		return spec, err
	}
	if o.ClientID != "" {
		spec.Grant.ClientID = o.ClientID
	}
	if o.SecretRef != "" {
		ref := config.SecretRef(o.SecretRef)
		if ref.Kind() == "" {
			return spec, errors.New("--client-secret-ref must be env:NAME or file:PATH: the secret itself never goes on the command line (the given value is not echoed)")
		}
		spec.Grant.ClientSecret = cfg.ResolveRef(ref)
	}
	if mode == "api" && strings.HasPrefix(spec.Auth, "oauth2_") && spec.CatalogID != "" && spec.Grant.ClientID == "" {
		return spec, fmt.Errorf("connector %q authenticates with %s: pass --client-id and --client-secret-ref env:NAME|file:PATH of the OAuth client registered in %s",
			spec.Name, mobileflows.AuthLabel(spec.Auth), strings.TrimSuffix(spec.Name, " (chatbot)"))
	}
	return spec, nil
}

// connectorAddRun converges one connector object, the one step uem.connectors builds.
func connectorAddRun(o *ConnectorAddOptions) error {
	ctx := o.Context()
	d, mode, err := deps(&o.Common, depsFor{Mode: o.Mode, Connectors: true, ShowSecret: o.ShowSecret})
	if err != nil {
		return err
	}
	cfg := d.Config
	spec, err := addSpec(o, cfg, d.HTTP, mode)
	if err != nil {
		return err
	}
	out := addOutput{Connector: spec.Name, Mode: mode, DryRun: o.DryRun}
	if spec.DiscoveryURL != "" {
		dd, err := mobileflows.FetchDiscovery(ctx, d.HTTP, spec.DiscoveryURL)
		if err != nil {
			return fmt.Errorf("connector %q: %w", spec.Name, err)
		}
		out.Discovery = dd
		fmt.Fprintf(o.IO.ErrOut, "discovery %s: %s\n", spec.DiscoveryURL, mobileflows.Summary(dd))
		for _, w := range dd.Warnings {
			fmt.Fprintf(o.IO.ErrOut, "warning: %s\n", w)
		}
	}
	text := o.Output() == "text"
	var checklistOut io.Writer
	if text {
		checklistOut = o.IO.Out
	}
	reg, err := registrar(&o.Common, d, o.Confirm, checklistOut)
	if err != nil {
		return err
	}
	// discovery was fetched above: the object does not fetch it again
	obj := &mobileflows.Connector{Spec: spec, Registrar: reg}
	if o.DryRun {
		return connectorDryRun(o, obj, out)
	}
	res, err := obj.Apply(ctx)
	if err != nil {
		return err
	}
	pending := res.Operator != ""
	out.Change, out.Pending = res.Change(), pending
	if !text {
		out.Checklist = res.Operator
	}
	if err := cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error {
		switch {
		case pending:
		case res.Action == plan.NoOp:
			fmt.Fprintf(w, "%s: up to date\n", spec.Name)
		case mode == "guided":
			fmt.Fprintf(w, "%s: confirmation recorded in %s\n", spec.Name, mobileflows.StorePathFor(cfg.Path))
		default:
			fmt.Fprintln(w, res.Change().String())
		}
		return nil
	}); err != nil {
		return err
	}
	if pending {
		return cmdutil.Exit(cmdutil.ExitOperator, fmt.Errorf("operator step pending: add %q in the UEM console as listed, then run: %s",
			spec.Name, strings.TrimSpace(strings.TrimPrefix(lastLine(res.Operator), "When it is done, record it: "))))
	}
	return nil
}

func connectorDryRun(o *ConnectorAddOptions, obj *mobileflows.Connector, out addOutput) error {
	cs, err := obj.Plan(o.Context())
	if err != nil {
		return err
	}
	ch := cs[0]
	out.Change = ch
	if out.Mode == "guided" && ch.Action == plan.Operator {
		out.Checklist, _ = mobileflows.ConnectorChecklist(obj.Spec, nil)
	}
	return cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error {
		fmt.Fprintln(w, ch.String())
		if out.Checklist != "" {
			fmt.Fprint(w, "\n"+out.Checklist)
		}
		return nil
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

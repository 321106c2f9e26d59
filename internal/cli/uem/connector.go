package uem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/uem"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }

func newCmdConnector(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "connector <command>",
		Short: "Mobile flows connectors: OOTB catalog (Teams, ...) and self-hosted ones by discovery URL",
		Example: `  flowsctl uem connector add teams
  flowsctl uem connector add --discovery-url https://connector.example.com/ --name "My Flows"
  flowsctl uem connector list
  flowsctl uem connector catalog`,
	}
	cmd.AddCommand(NewCmdConnectorAdd(f, nil), NewCmdConnectorList(f, nil), NewCmdConnectorCatalog(f, nil))
	return cmd
}

// NewCmdConnectorAdd builds `uem connector add [CATALOG|NAME]`.
func NewCmdConnectorAdd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
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
		RunE: run(opts, runF, ConnectorAddRun),
	}
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
func selectConnector(o *Options, mf *config.MobileFlows) (config.Connector, error) {
	var list []config.Connector
	if mf != nil {
		list = mf.Connectors
	}
	arg := ""
	if len(o.Args) > 0 {
		arg = o.Args[0]
	}
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
func entraOutputs(ctx context.Context, o *Options, cfg *config.Config, hc *httpx.Client) (*mobileflows.EntraOutputs, error) {
	out := &mobileflows.EntraOutputs{}
	if cfg.Azure != nil {
		out.TenantID, out.Authority, out.SecretSink = cfg.Azure.TenantID, cfg.Azure.Authority, cfg.Azure.App.Secret.Sink
	}
	if o.ClientID != "" {
		out.ClientID = o.ClientID
		return out, nil
	}
	if o.Entra == nil {
		return nil, errors.New("the Entra app's client id is unknown: pass --client-id (from flowsctl azure show)")
	}
	e, err := o.Entra(ctx, cfg, hc)
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

func modeOf(o *Options, mf *config.MobileFlows) (string, error) {
	m := o.Mode
	if m == "" && mf != nil {
		m = mf.Mode
	}
	if m == "" {
		if mf != nil && mf.AdminURL != "" {
			m = "api"
		} else {
			m = "guided"
		}
	}
	switch m {
	case "guided":
	case "api":
		if mf == nil || mf.AdminURL == "" {
			return "", errors.New("uem.mobileFlows.mode is api but uem.mobileFlows.adminUrl is empty (set it, or use mode guided)")
		}
	default:
		return "", fmt.Errorf("uem.mobileFlows.mode %q: use guided or api", m)
	}
	return m, nil
}

func confirmCommand(o *Options, args string) string {
	s := "flowsctl uem connector add " + args + " --confirm"
	if o.Flags != nil && o.Flags.File != "" && o.Flags.File != "flowsctl.yaml" {
		s += " -f " + o.Flags.File
	}
	return s
}

// registrar builds the api or guided registrar.
func registrar(o *Options, cfg *config.Config, hc *httpx.Client, mode string, checklistOut io.Writer) (mobileflows.Registrar, error) {
	mf := cfg.UEM.MobileFlows
	if mode == "api" {
		c, _, err := uemClient(o, cfg)
		if err != nil {
			return nil, err
		}
		return &mobileflows.API{HC: hc, Base: string(mf.AdminURL), Authorize: c.Authorize}, nil
	}
	g := &mobileflows.Guided{Store: &mobileflows.ConfirmStore{Path: mobileflows.StorePathFor(cfg.Path)}, Out: checklistOut,
		ShowSecret: o.ShowSecret, Confirm: o.Confirm}
	if !noInput(o) && o.Prompter != nil && !o.Confirm {
		p := o.Prompter()
		g.Ask = func(q string) (bool, error) { return p.Confirm(q, false, "--confirm") }
	}
	g.ConfirmCommand = func(s mobileflows.ConnectorSpec) string {
		if s.CatalogID != "" {
			arg := s.CatalogID
			if e, ok := mobileflows.Lookup(s.CatalogID); ok && len(e.Aliases) > 0 {
				arg = e.Aliases[0]
			}
			return confirmCommand(o, arg)
		}
		return confirmCommand(o, "--discovery-url "+s.DiscoveryURL+" --name '"+s.Name+"'")
	}
	return g, nil
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

// ConnectorAddRun is `uem connector add`.
func ConnectorAddRun(ctx context.Context, o *Options) error {
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	mf := cfg.UEM.MobileFlows
	cc, err := selectConnector(o, mf)
	if err != nil {
		return err
	}
	mode, err := modeOf(o, mf)
	if err != nil {
		return err
	}
	hc, err := o.HTTPClient()
	if err != nil {
		return err
	}
	var entra *mobileflows.EntraOutputs
	if needsEntra(cc) {
		if entra, err = entraOutputs(ctx, o, cfg, hc); err != nil {
			return err
		}
	}
	spec, err := mobileflows.SpecFrom(cc, entra, scopesFrom(cfg))
	if err != nil {
		return err
	}
	if entra == nil {
		if o.ClientID != "" {
			spec.Grant.ClientID = o.ClientID
		}
		if o.SecretRef != "" {
			ref := config.SecretRef(o.SecretRef)
			if ref.Kind() == "" {
				return errors.New("--client-secret-ref must be env:NAME or file:PATH: the secret itself never goes on the command line (the given value is not echoed)")
			}
			spec.Grant.ClientSecret = ref
		}
		if mode == "api" && strings.HasPrefix(spec.Auth, "oauth2_") && spec.CatalogID != "" && spec.Grant.ClientID == "" {
			return fmt.Errorf("connector %q authenticates with %s: pass --client-id and --client-secret-ref env:NAME|file:PATH of the OAuth client registered in %s",
				spec.Name, mobileflows.AuthLabel(spec.Auth), strings.TrimSuffix(spec.Name, " (chatbot)"))
		}
	}
	out := addOutput{Connector: spec.Name, Mode: mode, DryRun: o.DryRun}
	if spec.DiscoveryURL != "" {
		d, err := mobileflows.FetchDiscovery(ctx, hc, spec.DiscoveryURL)
		if err != nil {
			return fmt.Errorf("connector %q: %w", spec.Name, err)
		}
		out.Discovery = d
		fmt.Fprintf(o.IO.ErrOut, "discovery %s: %s\n", spec.DiscoveryURL, mobileflows.Summary(d))
		for _, w := range d.Warnings {
			fmt.Fprintf(o.IO.ErrOut, "warning: %s\n", w)
		}
	}
	text := output(o) == "text"
	var checklistOut io.Writer
	if text {
		checklistOut = o.IO.Out
	}
	reg, err := registrar(o, cfg, hc, mode, checklistOut)
	if err != nil {
		return err
	}
	if o.DryRun {
		ch, err := reg.Plan(ctx, spec)
		if err != nil {
			return err
		}
		out.Change = ch
		if mode == "guided" && ch.Action == plan.Operator {
			out.Checklist, _ = mobileflows.ConnectorChecklist(spec, false)
		}
		return cmdutil.Print(o.IO.Out, output(o), out, func(w io.Writer) error {
			fmt.Fprintln(w, ch.String())
			if out.Checklist != "" {
				fmt.Fprint(w, "\n"+out.Checklist)
			}
			return nil
		})
	}
	res, err := reg.Ensure(ctx, spec)
	if err != nil {
		return err
	}
	out.Change, out.Pending, out.Checklist = res.Change, res.Pending, res.Checklist
	if text {
		out.Checklist = "" // already printed
	}
	if err := cmdutil.Print(o.IO.Out, output(o), out, func(w io.Writer) error {
		switch {
		case res.Pending:
		case res.Change.Action == plan.NoOp:
			fmt.Fprintf(w, "%s: up to date\n", spec.Name)
		case mode == "guided":
			fmt.Fprintf(w, "%s: confirmation recorded in %s\n", spec.Name, mobileflows.StorePathFor(cfg.Path))
		default:
			fmt.Fprintln(w, res.Change.String())
		}
		return nil
	}); err != nil {
		return err
	}
	if res.Pending {
		return cmdutil.Exit(cmdutil.ExitOperator, fmt.Errorf("operator step pending: add %q in the UEM console as listed, then run: %s",
			spec.Name, strings.TrimSpace(strings.TrimPrefix(lastLine(res.Checklist), "When it is done, record it: "))))
	}
	return nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// NewCmdConnectorList builds `uem connector list`.
func NewCmdConnectorList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List registered connectors (api mode) or confirmed ones (guided)",
		Args:  cobra.NoArgs,
		Example: `  flowsctl uem connector list
  flowsctl uem connector list -o json`,
		RunE: run(opts, runF, ConnectorListRun),
	}
	cmd.Flags().StringVar(&opts.Mode, "mode", "", "guided or api (default: from the config)")
	return cmd
}

// ConnectorListRun is `uem connector list`.
func ConnectorListRun(ctx context.Context, o *Options) error {
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	mode, err := modeOf(o, cfg.UEM.MobileFlows)
	if err != nil {
		return err
	}
	hc, err := o.HTTPClient()
	if err != nil {
		return err
	}
	reg, err := registrar(o, cfg, hc, mode, nil)
	if err != nil {
		return err
	}
	rows, err := reg.List(ctx)
	if err != nil {
		return err
	}
	return cmdutil.Print(o.IO.Out, output(o), map[string]any{"mode": mode, "connectors": rows}, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSOURCE\tBASE URL\tAUTH\tCLIENT ID\tSTATUS")
		for _, r := range rows {
			src := r.CatalogID
			if src == "" {
				src = r.DiscoveryURL
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, src, r.BaseURL, r.Authentication, r.ClientID, r.Status)
		}
		return tw.Flush()
	})
}

// NewCmdConnectorCatalog builds `uem connector catalog`.
func NewCmdConnectorCatalog(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "catalog",
		Short: "List the OOTB connectors with account type and authentication (seed 001)",
		Args:  cobra.NoArgs,
		Example: `  flowsctl uem connector catalog
  flowsctl uem connector catalog -o yaml`,
		RunE: run(opts, runF, func(ctx context.Context, o *Options) error {
			return cmdutil.Print(o.IO.Out, output(o), map[string]any{"catalog": mobileflows.Catalog}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tKIND\tACCOUNT\tAUTHENTICATION\tBASE URL\tUSE CASES")
				for _, c := range mobileflows.Catalog {
					var ucs []string
					for _, u := range c.UseCases {
						ucs = append(ucs, u.Description)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, c.Kind, c.AccountType(),
						mobileflows.AuthLabel(c.Authentication()), c.BaseURL, strings.Join(ucs, "; "))
				}
				return tw.Flush()
			})
		}),
	}
}

// ---- mobileflows register ----

func newCmdMobileFlows(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "mobileflows <command>",
		Short:   "The mobile flows tenant registration (console: Mobile Flows > Begin)",
		Example: `  flowsctl uem mobileflows register`,
	}
	cmd.AddCommand(NewCmdRegister(f, nil))
	return cmd
}

// NewCmdRegister builds `uem mobileflows register`.
func NewCmdRegister(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Check MobileFlows_Server_Template in Access, then print the Begin checklist and record the confirmation",
		Args:  cobra.NoArgs,
		Example: `  flowsctl uem mobileflows register
  flowsctl uem mobileflows register --confirm`,
		RunE: run(opts, runF, RegisterRun),
	}
	cmd.Flags().BoolVar(&opts.Confirm, "confirm", false, "record that the tenant is registered")
	return cmd
}

func tenantObject(ctx context.Context, o *Options, cfg *config.Config, hc *httpx.Client, out io.Writer) (*mobileflows.Tenant, error) {
	t := &mobileflows.Tenant{Store: &mobileflows.ConfirmStore{Path: mobileflows.StorePathFor(cfg.Path)}, Out: out, Confirm: o.Confirm,
		ConfirmCmd: "flowsctl uem mobileflows register --confirm"}
	if cfg.Access != nil {
		t.AccessURL = string(cfg.Access.URL)
	}
	mf := cfg.UEM.MobileFlows
	if mf != nil {
		t.Host = string(mf.Host)
	}
	if o.TemplateExists != nil && cfg.Access != nil {
		t.TemplateExists = func(ctx context.Context) (bool, error) { return o.TemplateExists(ctx, cfg, hc) }
	}
	if mode, err := modeOf(o, mf); err == nil && mode == "api" {
		c, _, err := uemClient(o, cfg)
		if err != nil {
			return nil, err
		}
		api := &mobileflows.API{HC: hc, Base: string(mf.AdminURL), Authorize: c.Authorize}
		t.Status = api.Tenant
	}
	if !noInput(o) && o.Prompter != nil && !o.Confirm {
		p := o.Prompter()
		t.Ask = func(q string) (bool, error) { return p.Confirm(q, false, "--confirm") }
	}
	return t, nil
}

// RegisterRun is `uem mobileflows register`.
func RegisterRun(ctx context.Context, o *Options) error {
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	hc, err := o.HTTPClient()
	if err != nil {
		return err
	}
	var w io.Writer
	if output(o) == "text" {
		w = o.IO.Out
	}
	t, err := tenantObject(ctx, o, cfg, hc, w)
	if err != nil {
		return err
	}
	if t.TemplateExists == nil {
		fmt.Fprintln(o.IO.ErrOut, "note: no access section: the MobileFlows_Server_Template check is skipped")
	}
	res, err := t.Apply(ctx)
	if err != nil {
		return err
	}
	data := map[string]any{"pending": res.Pending, "checklist": res.Operator, "changes": changesOrEmpty(res.Changes)}
	if err := cmdutil.Print(o.IO.Out, output(o), data, func(w io.Writer) error {
		if !res.Pending && res.Operator == "" {
			fmt.Fprintln(w, "tenant registered: nothing to do")
		} else if !res.Pending {
			fmt.Fprintln(w, "confirmation recorded")
		}
		return nil
	}); err != nil {
		return err
	}
	if res.Pending {
		return cmdutil.Exit(cmdutil.ExitOperator, errors.New("operator step pending: click Begin as listed, then run: flowsctl uem mobileflows register --confirm"))
	}
	return nil
}

// ---- verify ----

// NewCmdVerify builds `uem verify`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "verify",
		Short: "Check UEM reachability and version, Boxer keys, tenant registration, connectors and integrations (exit 2 on failure)",
		Args:  cobra.NoArgs,
		Example: `  flowsctl uem verify
  flowsctl uem verify -o json`,
		RunE: run(opts, runF, VerifyRun),
	}
}

// VerifyRun is `uem verify`.
func VerifyRun(ctx context.Context, o *Options) error {
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	c, hc, err := uemClient(o, cfg)
	if err != nil {
		return err
	}
	probes := []doctor.Probe{{ID: "uem.reachable", Title: "UEM reachable", Run: c.VerifyReachable}}
	if cfg.UEM.Boxer != nil {
		if spec, err := uem.BoxerSpecFrom(cfg); err == nil {
			b := &uem.Boxer{C: c, Spec: spec}
			probes = append(probes, doctor.Probe{ID: "uem.boxer", Title: "Boxer keys", Run: b.Verify})
		} else {
			probes = append(probes, failProbe("uem.boxer", "Boxer keys", err, "fix uem.boxer in the config"))
		}
	}
	if mf := cfg.UEM.MobileFlows; mf != nil {
		t, err := tenantObject(ctx, o, cfg, hc, nil)
		if err != nil {
			return err
		}
		probes = append(probes, doctor.Probe{ID: "uem.mobileflows.tenant", Title: "tenant", Run: t.Verify})
		mode, merr := modeOf(o, mf)
		var entra *mobileflows.EntraOutputs
		needs := false
		for _, cc := range mf.Connectors {
			needs = needs || needsEntra(cc)
		}
		if needs && merr == nil {
			entra, _ = entraOutputs(ctx, o, cfg, hc)
		}
		specs, serr := mobileflows.SpecsFrom(mf, entra, scopesFrom(cfg))
		switch {
		case merr != nil:
			probes = append(probes, failProbe("uem.connectors", "connectors", merr, "fix uem.mobileFlows.mode"))
		case serr != nil:
			probes = append(probes, failProbe("uem.connectors", "connectors", serr, "fix uem.mobileFlows.connectors, or run flowsctl azure register"))
		default:
			reg, err := registrar(o, cfg, hc, mode, nil)
			if err != nil {
				return err
			}
			cs := &mobileflows.Connectors{Specs: specs, Registrar: reg, HTTP: hc}
			probes = append(probes, doctor.Probe{ID: "uem.connectors", Title: "connectors", Run: cs.Verify})
		}
	}
	if len(cfg.UEM.Integrations) > 0 {
		p := &uem.Integrations{C: c, Cfg: cfg.UEM}
		probes = append(probes, doctor.Probe{ID: "uem.integrations", Title: "integrations", Run: p.Verify})
	}
	checks := doctor.Run(ctx, probes, doctor.Options{})
	if err := cmdutil.Print(o.IO.Out, output(o), map[string]any{"checks": checks}, func(w io.Writer) error {
		printChecks(w, checks)
		return nil
	}); err != nil {
		return err
	}
	if doctor.Failed(checks) {
		return cmdutil.Silent(cmdutil.ExitPending)
	}
	return nil
}

func failProbe(id, title string, err error, fix string) doctor.Probe {
	return doctor.Probe{ID: id, Title: title, Run: func(context.Context) []doctor.Check {
		return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: err.Error(), Fix: fix}}
	}}
}

// Package uem is `flowsctl uem`: mobile flows connectors, Boxer keys, third-party integration
// preflight, group lookups and the tenant registration checklist.
package uem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/uem"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// Options carry what every uem command needs, as functions so tests can swap them.
type Options struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	HTTPClient func() (*httpx.Client, error)
	Prompter   func() prompt.Prompter
	Flags      *cmdutil.GlobalFlags
	Version    string

	// Entra looks up the Entra app's outputs (pkg/azure's read-only Outputs); tests replace it.
	Entra func(ctx context.Context, cfg *config.Config, hc *httpx.Client) (*mobileflows.EntraOutputs, error)
	// TemplateExists asks Access whether MobileFlows_Server_Template exists.
	TemplateExists func(ctx context.Context, cfg *config.Config, hc *httpx.Client) (bool, error)

	Args         []string
	DiscoveryURL string
	Name         string
	BaseURL      string
	ClientID     string
	SecretRef    string
	Mode         string
	Confirm      bool
	ShowSecret   bool
	DryRun       bool
	Smart        bool
}

func newOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO, Config: f.Config, HTTPClient: f.HTTPClient, Prompter: f.Prompter, Flags: f.Flags,
		Version: f.Build.Version, Entra: entraFromAzure, TemplateExists: templateFromAccess}
}

func run(opts *Options, runF func(*Options) error, fn func(context.Context, *Options) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		opts.Args = args
		if runF != nil {
			return runF(opts)
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		if opts.Flags != nil && opts.Flags.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, opts.Flags.Timeout)
			defer cancel()
		}
		err := fn(ctx, opts)
		if err != nil && uem.IsAuth(err) {
			return cmdutil.AuthError(err)
		}
		return err
	}
}

// NewCmdUEM is the `uem` noun.
func NewCmdUEM(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "uem <command>",
		Short: "Workspace ONE UEM: mobile flows connectors, Boxer keys, third-party integration preflight",
		Long: `Register mobile flows connectors (the Teams OOTB connector with the Entra app's client id, any
catalog connector, or a self-hosted one by discovery URL), set the mobile flows keys on the Boxer
assignments, check a third-party dashboard integration, and look up groups.

Mobile flows has no published admin API: in guided mode (the default) flowsctl prints the console
checklist and records your confirmation; api mode (uem.mobileFlows.adminUrl) uses the modeled API
of docs/mobile-flows-admin-api.md, which the sandbox serves.`,
		Example: `  flowsctl uem connector add teams
  flowsctl uem boxer configure --dry-run
  flowsctl uem integration check -o json
  flowsctl uem groups ACME`,
	}
	cmd.AddCommand(newCmdConnector(f), newCmdBoxer(f), newCmdIntegration(f), NewCmdGroups(f, nil), newCmdMobileFlows(f), NewCmdVerify(f, nil))
	return cmd
}

func output(o *Options) string {
	if o.Flags == nil || o.Flags.Output == "" {
		return "text"
	}
	return o.Flags.Output
}

func noInput(o *Options) bool { return o.Flags != nil && o.Flags.NoInput }

// loadConfig loads the config with every uem file: reference made absolute against the
// config's directory, and the uem section required.
func loadConfig(o *Options) (*config.Config, error) {
	cfg, err := o.Config()
	if err != nil {
		return nil, err
	}
	if cfg.UEM == nil {
		return nil, errors.New("the config has no uem section (add uem.url and uem.auth; see flowsctl init)")
	}
	return uem.WithAbsolutePaths(cfg), nil
}

func uemClient(o *Options, cfg *config.Config) (*uem.Client, *httpx.Client, error) {
	hc, err := o.HTTPClient()
	if err != nil {
		return nil, nil, err
	}
	ho := httpx.Options{UserAgent: "flowsctl/" + o.Version}
	if o.Flags != nil && o.Flags.Debug {
		ho.Debug = o.IO.ErrOut
	}
	c, err := uem.New(hc, cfg.UEM, ho)
	return c, hc, err
}

func printChanges(w io.Writer, cs []plan.Change) {
	if len(cs) == 0 {
		fmt.Fprintln(w, "no changes")
		return
	}
	for _, c := range cs {
		fmt.Fprintln(w, c.String())
	}
}

func printChecks(w io.Writer, cs []doctor.Check) {
	for _, c := range cs {
		fmt.Fprintf(w, "%-5s %s", strings.ToUpper(string(c.Status)), c.Title)
		if c.Detail != "" {
			fmt.Fprintf(w, ": %s", c.Detail)
		}
		fmt.Fprintln(w)
		if c.Fix != "" && c.Status != doctor.Pass {
			fmt.Fprintf(w, "      fix: %s\n", c.Fix)
		}
	}
}

// ---- boxer ----

func newCmdBoxer(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "boxer <command>",
		Short:   "Mobile flows keys on the Workspace ONE Boxer app assignments",
		Example: `  flowsctl uem boxer configure`,
	}
	cmd.AddCommand(NewCmdBoxerConfigure(f, nil))
	return cmd
}

// NewCmdBoxerConfigure builds `uem boxer configure`.
func NewCmdBoxerConfigure(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "configure",
		Short: "Set the five AppMobileFlows* keys on the Boxer assignment of each uem.boxer.smartGroups entry",
		Long: `Find the Workspace ONE Boxer public app(s), read their v2 assignment rules, and set
AppMobileFlowsEnabled, AppMobileFlowsHost, AppMobileFlowsvIDM (the Access URL),
AppMobileFlowsSyncTimeHours and AppMobileFlowsAutoEnableConnectors with their types in the
application_configuration of the assignment for each configured smart group. Every other key
and every other assignment is kept as it is. A second run writes nothing.`,
		Args: cobra.NoArgs,
		Example: `  flowsctl uem boxer configure --dry-run
  flowsctl uem boxer configure -o json`,
		RunE: run(opts, runF, BoxerConfigureRun),
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the key-level changes without writing")
	return cmd
}

// BoxerConfigureRun is `uem boxer configure`.
func BoxerConfigureRun(ctx context.Context, o *Options) error {
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	spec, err := uem.BoxerSpecFrom(cfg)
	if err != nil {
		return err
	}
	c, _, err := uemClient(o, cfg)
	if err != nil {
		return err
	}
	b := &uem.Boxer{C: c, Spec: spec}
	var changes []plan.Change
	if o.DryRun {
		changes, err = b.Plan(ctx)
	} else {
		var res uem.Result
		res, err = b.Apply(ctx)
		changes = res.Changes
	}
	if err != nil {
		return err
	}
	data := map[string]any{"dryRun": o.DryRun, "changes": changesOrEmpty(changes)}
	return cmdutil.Print(o.IO.Out, output(o), data, func(w io.Writer) error {
		printChanges(w, changes)
		return nil
	})
}

func changesOrEmpty(cs []plan.Change) []plan.Change {
	if cs == nil {
		return []plan.Change{}
	}
	return cs
}

// ---- integration ----

func newCmdIntegration(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "integration <command>",
		Short:   "Third-party dashboard integrations (seed 002)",
		Example: `  flowsctl uem integration check`,
	}
	cmd.AddCommand(NewCmdIntegrationCheck(f, nil))
	return cmd
}

// NewCmdIntegrationCheck builds `uem integration check [NAME]`.
func NewCmdIntegrationCheck(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "check [NAME]",
		Short: "Preflight a third-party integration: credentials, groups, ranges, API permissions, TLS (exit 2 on failure)",
		Long: `Check what a third-party dashboard (e.g. Check Point Harmony Mobile) needs before you enter it in that
dashboard: the OAuth client and/or API account + REST API key work; every group resolves to an
organization group or a smart group; no child OG is integrated with another dashboard than its
parent; the sync settings are inside their ranges (10-1440 minutes in steps of 10, 0-100 %,
1-100 tries); the API role can read devices, apps, smart groups, groups and tags (a 403 names the
missing permission); TLS verifies, with the integration's serverCertificate when set. Then print
the integration information table the vendor guide asks you to record.`,
		Args: cobra.MaximumNArgs(1),
		Example: `  flowsctl uem integration check
  flowsctl uem integration check "Harmony Mobile" -o json`,
		RunE: run(opts, runF, IntegrationCheckRun),
	}
}

// IntegrationCheckRun is `uem integration check`.
func IntegrationCheckRun(ctx context.Context, o *Options) error {
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	c, _, err := uemClient(o, cfg)
	if err != nil {
		return err
	}
	p := &uem.Integrations{C: c, Cfg: cfg.UEM, NewHTTP: func(caFile string) (*httpx.Client, error) {
		if !filepath.IsAbs(caFile) && cfg.Path != "" {
			caFile = filepath.Join(filepath.Dir(cfg.Path), caFile)
		}
		ho := httpx.Options{UserAgent: "flowsctl/" + o.Version, CAFile: caFile}
		if cfg.CAFile != "" && caFile != cfg.CAFile {
			// keep trusting the CA the rest of flowsctl trusts (e.g. the sandbox CA) as well
			if b, err := readFile(cfg.CAFile); err == nil {
				ho.CAPEM = b
			}
		}
		return httpx.New(ho)
	}}
	reps, err := p.Run(ctx, o.Args...)
	if err != nil {
		return err
	}
	data := map[string]any{"integrations": reps}
	if err := cmdutil.Print(o.IO.Out, output(o), data, func(w io.Writer) error {
		for i, r := range reps {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "Integration %q\n", r.Name)
			printChecks(w, r.Checks)
			fmt.Fprintln(w, "\nIntegration information (record it, and enter it in the dashboard):")
			printInfo(w, r.Info)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, r := range reps {
		if r.Failed() {
			return cmdutil.Silent(cmdutil.ExitPending)
		}
	}
	return nil
}

func printInfo(w io.Writer, in uem.IntegrationInfo) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s\t%s\n", k, v) }
	row("Display name", in.DisplayName)
	row("Server address", in.ServerAddress)
	row("Authentication", in.Authentication)
	if in.ClientID != "" {
		row("Client ID", in.ClientID)
	}
	if in.Username != "" {
		row("Username", in.Username)
	}
	if in.APIKey != "" {
		row("API key", in.APIKey)
	}
	var gs []string
	for _, g := range in.Groups {
		gs = append(gs, fmt.Sprintf("%s (%s, id %d)", g.Name, g.Kind, g.ID))
	}
	row("Groups", strings.Join(gs, "; "))
	row("Device sync interval", in.DeviceSyncInterval)
	row("Device deletion threshold", in.DeviceDeletionThreshold)
	row("Device deletion after", in.DeviceDeletionAfter)
	row("App sync interval", in.AppSyncInterval)
	row("Tag device status / risk / TF", fmt.Sprintf("%s / %s / %s", onOff(in.TagDeviceStatus), onOff(in.TagDeviceRisk), onOff(in.TagThreatFactors)))
	if in.SelfSignedCertificate != "" {
		row("Self-signed certificate", in.SelfSignedCertificate)
	}
	tw.Flush()
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

// ---- groups ----

// NewCmdGroups builds `uem groups [QUERY]`.
func NewCmdGroups(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "groups [QUERY]",
		Short: "List organization groups and smart groups (names resolve to ids; typos get suggestions)",
		Args:  cobra.MaximumNArgs(1),
		Example: `  flowsctl uem groups
  flowsctl uem groups "All Boxer Users" --smart`,
		RunE: run(opts, runF, GroupsRun),
	}
	cmd.Flags().BoolVar(&opts.Smart, "smart", false, "only smart groups")
	return cmd
}

type groupsOutput struct {
	OrganizationGroups []uem.OrganizationGroup `json:"organizationGroups" yaml:"organizationGroups"`
	SmartGroups        []uem.SmartGroup        `json:"smartGroups" yaml:"smartGroups"`
}

// GroupsRun is `uem groups`.
func GroupsRun(ctx context.Context, o *Options) error {
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	c, _, err := uemClient(o, cfg)
	if err != nil {
		return err
	}
	q := ""
	if len(o.Args) > 0 {
		q = o.Args[0]
	}
	out := groupsOutput{OrganizationGroups: []uem.OrganizationGroup{}, SmartGroups: []uem.SmartGroup{}}
	if !o.Smart {
		ogs, err := c.OrganizationGroups(ctx, nil)
		if err != nil {
			return err
		}
		for _, g := range ogs {
			if q == "" || strings.Contains(strings.ToLower(g.Name+" "+g.GroupID), strings.ToLower(q)) {
				out.OrganizationGroups = append(out.OrganizationGroups, g)
			}
		}
	}
	sgs, err := c.SmartGroups(ctx, q, 0)
	if err != nil {
		return err
	}
	out.SmartGroups = append(out.SmartGroups, sgs...)
	if q != "" && len(out.OrganizationGroups) == 0 && len(out.SmartGroups) == 0 {
		if _, err := c.FindGroup(ctx, q, 0); err != nil {
			return err
		}
	}
	return cmdutil.Print(o.IO.Out, output(o), out, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KIND\tNAME\tGROUP ID\tID\tUUID")
		for _, g := range out.OrganizationGroups {
			fmt.Fprintf(tw, "organization group\t%s\t%s\t%d\t%s\n", g.Name, g.GroupID, g.ID, g.UUID)
		}
		for _, g := range out.SmartGroups {
			fmt.Fprintf(tw, "smart group\t%s\t\t%d\t%s\n", g.Name, g.ID, g.UUID)
		}
		return tw.Flush()
	})
}

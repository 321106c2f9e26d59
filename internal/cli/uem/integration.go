package uem

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

// IntegrationCheckOptions are the options of `uem integration check [NAME]`.
type IntegrationCheckOptions struct {
	cmdutil.Common
	Names []string
}

// NewCmdIntegrationCheck builds `uem integration check [NAME]`.
func NewCmdIntegrationCheck(f *cmdutil.Factory, runF func(*IntegrationCheckOptions) error) *cobra.Command {
	opts := &IntegrationCheckOptions{Common: cmdutil.NewCommon(f)}
	return cmdutil.CommandWithArgs(&cobra.Command{
		Use:   "check [NAME]",
		Short: "Preflight a third-party integration: credentials, groups, ranges, API permissions, TLS (exit 2 on failure)",
		Long: `Check what a third-party dashboard (e.g. Check Point Harmony Mobile) needs before you enter it in that
dashboard, with the dashboard's own credentials (uem.integrations[].auth, never flowsctl's): its
OAuth client and/or API account + REST API key work; every group resolves to an
organization group or a smart group; no child OG is integrated with another dashboard than its
parent; the sync settings are inside their ranges (10-1440 minutes in steps of 10, 0-100 %,
1-100 tries; a 100 % deletion threshold is a warning: evaluation only); the dashboard's role can
read devices, apps, smart groups, groups and tags and, when it tags, assign tags (probed by removing
no device from an existing tag: a write that changes nothing; a 403 names the missing permission);
TLS verifies, with the integration's serverCertificate when set. Then print
the integration information table the vendor guide asks you to record.`,
		Args: cobra.MaximumNArgs(1),
		Example: `  flowsctl uem integration check
  flowsctl uem integration check "Harmony Mobile" -o json`,
	}, opts, &opts.Common, func(args []string) { opts.Names = args }, runF, integrationCheckRun)
}

// integrationCheckRun runs the preflight object of step uem.integrations for the named
// integrations: text and junit through the one check printer, json and yaml with the
// information table.
func integrationCheckRun(o *IntegrationCheckOptions) error {
	ctx := o.Context()
	p, err := built(&o.Common, steps.UEMIntegrations)
	if err != nil {
		return err
	}
	p.ProbeTagWrite = true // this command alone makes the write probe (it changes nothing)
	reps, err := p.Run(ctx, o.Names...)
	if err != nil {
		return err
	}
	var all []doctor.Check
	for _, r := range reps {
		all = append(all, r.Checks...)
	}
	switch o.Output() {
	case "junit":
		err = cmdutil.PrintChecks(o.IO.Out, "junit", all, 0, false)
	case "text":
		for i, r := range reps {
			if i > 0 {
				fmt.Fprintln(o.IO.Out)
			}
			fmt.Fprintf(o.IO.Out, "Integration %q\n", r.Name)
			if err = cmdutil.PrintChecks(o.IO.Out, "text", r.Checks, 0, o.Color()); err != nil {
				return err
			}
			fmt.Fprintln(o.IO.Out, "\nIntegration information (record it, and enter it in the dashboard):")
			printInfo(o.IO.Out, r.Info)
		}
	default:
		err = cmdutil.Print(o.IO.Out, o.Output(), map[string]any{"integrations": reps}, nil)
	}
	if err != nil {
		return err
	}
	return cmdutil.ChecksExit(all, false)
}

func printInfo(w io.Writer, in uem.IntegrationInfo) {
	tab := cmdutil.NewTable(w)
	var gs []string
	for _, g := range in.Groups {
		gs = append(gs, fmt.Sprintf("%s (%s, id %d)", g.Name, g.Kind, g.ID))
	}
	for _, kv := range [][2]string{
		{"Display name", in.DisplayName}, {"Server address", in.ServerAddress}, {"Authentication", in.Authentication},
		{"Client ID", in.ClientID}, {"Username", in.Username}, {"API key", in.APIKey}, {"Groups", strings.Join(gs, "; ")},
		{"Device sync interval", in.DeviceSyncInterval}, {"Device deletion threshold", in.DeviceDeletionThreshold},
		{"Device deletion after", in.DeviceDeletionAfter}, {"App sync interval", in.AppSyncInterval},
		{"Tag device status / risk / TF", fmt.Sprintf("%s / %s / %s", onOff(in.TagDeviceStatus), onOff(in.TagDeviceRisk), onOff(in.TagThreatFactors))},
		{"Self-signed certificate", in.SelfSignedCertificate},
	} {
		if kv[1] != "" {
			tab.Row("  "+kv[0], kv[1])
		}
	}
	tab.Flush()
}

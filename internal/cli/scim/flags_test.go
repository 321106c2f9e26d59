package scim

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// capture returns a runF that records the parsed options without Common and the resource kind
// (functions do not compare), and nothing else runs.
func capture[O any](got *any, strip func(*O)) func(*O) error {
	return func(o *O) error {
		c := *o
		strip(&c)
		*got = c
		return nil
	}
}

func TestFlagParsing(t *testing.T) {
	t.Parallel()
	url := TargetFlags{URL: "https://scim.example/scim/v2", TokenFile: "tok.txt", Dialect: "rfc7644"}
	auto := TargetFlags{Dialect: "auto"}
	tests := []struct {
		name string
		cmd  func(f *cmdutil.Factory, got *any) *cobra.Command
		args []string
		want any
	}{
		{"sync", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return NewCmdSync(f, capture(got, func(o *SyncOptions) { o.Common = cmdutil.Common{} }))
		}, []string{"--from", "u.csv", "--concurrency", "32", "--delete-missing", "--dry-run", "-y", "--url", url.URL, "--token-file", "tok.txt", "--dialect", "rfc7644", "--max-delete", "25%", "--force"},
			SyncOptions{Target: url, From: "u.csv", Concurrency: 32, DeleteMissing: true, DryRun: true, Yes: true, MaxDelete: "25%", Force: true}},
		{"sync defaults", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return NewCmdSync(f, capture(got, func(o *SyncOptions) { o.Common = cmdutil.Common{} }))
		}, []string{"--from", "u.json", "--deactivate-missing"}, SyncOptions{Target: auto, From: "u.json", Concurrency: 8, DeactivateMissing: true, MaxDelete: "10%"}},
		{"prune", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return NewCmdPrune(f, capture(got, func(o *PruneOptions) { o.Common = cmdutil.Common{} }))
		}, []string{"--from", "okta.csv", "--dry-run", "--yes"}, PruneOptions{Target: auto, From: "okta.csv", DryRun: true, Yes: true, MaxDelete: "10%"}},
		{"fix-domain", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return NewCmdFixDomain(f, capture(got, func(o *FixDomainOptions) { o.Common = cmdutil.Common{} }))
		}, []string{"--domain", "okta.example.com", "--keep-system", "-y"}, FixDomainOptions{Target: auto, Domain: "okta.example.com", KeepSystem: true, Yes: true}},
		{"test", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return NewCmdTest(f, capture(got, func(o *TestOptions) { o.Common = cmdutil.Common{} }))
		}, []string{"--url", url.URL, "--token-file", "tok.txt", "--dialect", "rfc7644"}, TestOptions{Target: url}},
		{"verify", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return NewCmdVerify(f, capture(got, func(o *VerifyOptions) { o.Common = cmdutil.Common{} }))
		}, nil, VerifyOptions{Target: auto}},
		{"users create", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return NewCmdUserCreate(f, capture(got, func(o *UserCreateOptions) { o.Common = cmdutil.Common{} }))
		}, []string{"--user-name", "ann@x.test", "--given-name", "Ann", "--family-name", "Lee", "--email", "ann@x.test", "--external-id", "00u1", "--domain", "x.test"},
			UserCreateOptions{Target: auto, Email: "ann@x.test",
				User: scim.User{UserName: "ann@x.test", Name: scim.Name{GivenName: "Ann", FamilyName: "Lee"}, ExternalID: "00u1", Domain: "x.test"}}},
		{"groups create", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return NewCmdGroupCreate(f, capture(got, func(o *GroupCreateOptions) { o.Common = cmdutil.Common{} }))
		}, []string{"Sales", "--domain", "x.test"}, GroupCreateOptions{Target: auto, Name: "Sales", Domain: "x.test"}},
		{"users list", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return newCmdList(f, users, &cobra.Command{Use: "list"}, capture(got, func(o *ListOptions[scim.User]) { o.Common, o.kind = cmdutil.Common{}, kind[scim.User]{} }))
		}, []string{"--filter", `userName sw "a"`, "--limit", "5"}, ListOptions[scim.User]{Target: auto, Filter: `userName sw "a"`, Limit: 5}},
		{"users get", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return newCmdKey(f, users, &cobra.Command{Use: "get"}, capture(got, func(o *KeyOptions[scim.User]) { o.Common, o.kind = cmdutil.Common{}, kind[scim.User]{} }), getRun, false)
		}, []string{"ann@x.test"}, KeyOptions[scim.User]{Target: auto, Key: "ann@x.test"}},
		{"groups delete", func(f *cmdutil.Factory, got *any) *cobra.Command {
			return newCmdKey(f, groups, &cobra.Command{Use: "delete"}, capture(got, func(o *KeyOptions[scim.Group]) { o.Common, o.kind = cmdutil.Common{}, kind[scim.Group]{} }), deleteRun, true)
		}, []string{"Sales", "--yes"}, KeyOptions[scim.Group]{Target: auto, Key: "Sales", Yes: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var got any
			cmd := tt.cmd(&cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{}}, &got)
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parsed\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

// TestTableNeutralisesControls: a value from a server or CSV cannot clear the screen, set the
// terminal title, or fake a row or a column.
func TestTableNeutralisesControls(t *testing.T) {
	var b bytes.Buffer
	if err := table(&b, []string{"USER", "NAME"}, [][]string{{"ann\x1b]0;pwned\x07", "Ann\n✓ fake row\tcol"}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\t") || strings.Count(out, "\n") != 2 {
		t.Errorf("controls reached the output: %q", out)
	}
}

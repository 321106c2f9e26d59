package scim

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

func accessCommon(t *testing.T) (*Common, *scim.Client, *iostreams.IOStreams) {
	t.Helper()
	emu := accessemu.New(accessemu.WithAdminSecret("s3cret-admin"))
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	base, _ := access.ParseBase(sb.Services["access"].URL, "")
	ts := access.NewTokenSource(hc, base, accessemu.AdminClientID, "s3cret-admin")
	if _, err := access.NewClient(hc, base, ts, nil).CreateOtherDirectory(context.Background(), "Okta", []string{"okta.example.com"}); err != nil {
		t.Fatal(err)
	}
	cl := scim.New(hc, base.SAAS+scim.AccessSCIMPath, scim.Options{Dialect: scim.Access11, Tokens: scim.HTTPTokens{Source: ts}, Domain: "okta.example.com"})
	ios, _, _, _ := iostreams.Test()
	c := &Common{IO: ios, Output: func() string { return "json" }, NoInput: func() bool { return true },
		Prompter: func() prompt.Prompter { return prompt.NoInput{} },
		Target: func() (*scim.Target, error) {
			return &scim.Target{Client: cl, URL: cl.Base(), Domain: "okta.example.com"}, nil
		}}
	return c, cl, ios
}

func TestPrune(t *testing.T) {
	c, cl, _ := accessCommon(t)
	ctx := context.Background()
	for i, name := range []string{"a", "b", "c"} {
		u, _, err := cl.CreateUser(ctx, scim.User{UserName: name, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			cl.SetActive(ctx, u.ID, false) // Okta "deleted" them
		}
	}
	tests := []struct {
		name    string
		opts    PruneOptions
		wantErr string
		left    int
	}{
		{"dry run changes nothing", PruneOptions{DryRun: true}, "", 3},
		{"no-input without --yes refuses", PruneOptions{}, "--yes", 3},
		{"--yes deletes the disabled users", PruneOptions{Yes: true}, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Common = c
			err := pruneRun(ctx, &o)
			if (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
			n := 0
			for _, err := range cl.Users(ctx, scim.ListOptions{}) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != tt.left {
				t.Fatalf("%d users left, want %d", n, tt.left)
			}
		})
	}
}

func TestFixDomain(t *testing.T) {
	c, cl, ios := accessCommon(t)
	ctx := context.Background()
	u, _, _ := cl.CreateUser(ctx, scim.User{UserName: "ann", Active: true})
	// Okta's push: no domain -> System Domain.
	r, err := cl.Raw(ctx, "POST", "/Groups", nil, map[string]any{"schemas": []string{scim.SchemaCore1}, "displayName": "Sales",
		"members": []map[string]string{{"value": u.ID}}}, nil)
	if err != nil || r.Status != 201 {
		t.Fatalf("%v %+v", err, r)
	}
	if err := fixDomainRun(ctx, &FixDomainOptions{Common: c, DryRun: true}); err != nil {
		t.Fatal(err)
	}
	gs, _ := cl.FindGroups(ctx, "Sales")
	if len(gs) != 1 || !scim.IsSystemDomain(gs[0].Domain) {
		t.Fatalf("dry run changed groups: %+v", gs)
	}
	buf := ios.Out.(interface{ Reset() })
	buf.Reset()
	if err := fixDomainRun(ctx, &FixDomainOptions{Common: c, Yes: true}); err != nil {
		t.Fatal(err)
	}
	var res []FixResult
	if err := json.Unmarshal([]byte(ios.Out.(interface{ String() string }).String()), &res); err != nil || len(res) != 1 || !strings.Contains(res[0].NextStep, "Link Group") {
		t.Fatalf("result: %v %+v", err, res)
	}
	gs, _ = cl.FindGroups(ctx, "Sales")
	if len(gs) != 1 || gs[0].Domain != "okta.example.com" || len(gs[0].Members) != 1 {
		t.Fatalf("after fix: %+v", gs)
	}
}

func TestProgressLine(t *testing.T) {
	for _, tt := range []struct {
		done, total int64
		want        string
	}{
		{0, 0, "| syncing: 0 users"},
		{5, 10, "[===============               ] 5/10 users  50%"},
		{10, 10, "[==============================] 10/10 users 100%"},
	} {
		if got := progressLine(tt.done, tt.total, '|'); got != tt.want {
			t.Errorf("got %q want %q", got, tt.want)
		}
	}
}

// Package scimtest starts the SCIM emulators for tests and hands back clients for them.
package scimtest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

const adminSecret = "test-admin-secret"

// Domain is the directory domain the emulated users and groups belong to.
const Domain = "okta.example.com"

// Access serves the Access emulator with a directory of type Other for Domain and returns an
// Access SCIM 1.1 client signed in as the emulator's admin client.
func Access(t testing.TB) (*scim.Client, *accessemu.Emulator, *sandbox.Sandbox) {
	t.Helper()
	const secret = adminSecret
	emu := accessemu.New(accessemu.WithAdminSecret(secret))
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	base, err := config.ParseAccessBase(sb.Services["access"].URL, "")
	if err != nil {
		t.Fatal(err)
	}
	ts := scim.AccessTokens(hc, base.TokenURL(), accessemu.AdminClientID, secret)
	// The directory the SCIM users land in, created as `flowsctl apply` creates it.
	AddDirectory(t, sb, "Okta Universal Directory", Domain)
	return scim.New(hc, base.SAAS+scim.AccessSCIMPath, scim.Options{Dialect: scim.Access11, Tokens: ts, Domain: Domain}), emu, sb
}

// AddDirectory creates a directory of type Other named name for domain in the Access emulator
// of sb (as `flowsctl apply` does), e.g. a second directory whose users flowsctl must not touch.
func AddDirectory(t testing.TB, sb *sandbox.Sandbox, name, domain string) {
	t.Helper()
	hc := sandboxtest.Client(t, sb)
	base, err := config.ParseAccessBase(sb.Services["access"].URL, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := scim.AccessTokens(hc, base.TokenURL(), accessemu.AdminClientID, adminSecret).Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const mt = "application/vnd.vmware.horizon.manager.connector.management.directory.other+json"
	req, _ := http.NewRequest(http.MethodPost, base.API("connectormanagement/directoryconfigs"),
		strings.NewReader(fmt.Sprintf(`{"type":"OTHER_DIRECTORY","name":%q,"domains":[%q]}`, name, domain)))
	req.Header.Set("Authorization", "Bearer "+tok.Value)
	req.Header.Set("Content-Type", mt)
	req.Header.Set("Accept", mt)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("create the Other directory for %s: HTTP %d", domain, resp.StatusCode)
	}
}

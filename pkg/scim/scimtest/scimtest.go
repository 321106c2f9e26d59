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

// Domain is the directory domain the emulated users and groups belong to.
const Domain = "okta.example.com"

// Access serves the Access emulator with a directory of type Other for Domain and returns an
// Access SCIM 1.1 client signed in as the emulator's admin client.
func Access(t testing.TB) (*scim.Client, *accessemu.Emulator, *sandbox.Sandbox) {
	t.Helper()
	const secret = "test-admin-secret"
	emu := accessemu.New(accessemu.WithAdminSecret(secret))
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	base, err := config.ParseAccessBase(sb.Services["access"].URL, "")
	if err != nil {
		t.Fatal(err)
	}
	ts := scim.AccessTokens(hc, base.TokenURL(), accessemu.AdminClientID, secret)
	tok, err := ts.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The directory the SCIM users land in, created as `flowsctl apply` creates it.
	const mt = "application/vnd.vmware.horizon.manager.connector.management.directory.other+json"
	req, _ := http.NewRequest(http.MethodPost, base.API("connectormanagement/directoryconfigs"),
		strings.NewReader(fmt.Sprintf(`{"type":"OTHER_DIRECTORY","name":"Okta Universal Directory","domains":[%q]}`, Domain)))
	req.Header.Set("Authorization", "Bearer "+tok.Value)
	req.Header.Set("Content-Type", mt)
	req.Header.Set("Accept", mt)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("create the Other directory: HTTP %d", resp.StatusCode)
	}
	return scim.New(hc, base.SAAS+scim.AccessSCIMPath, scim.Options{Dialect: scim.Access11, Tokens: ts, Domain: Domain}), emu, sb
}

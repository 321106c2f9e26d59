package scimtest

import (
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// Identity serves the Identity Services emulator and returns an RFC 7644 client with a valid
// SCIM token of a directory for Domain.
func Identity(t testing.TB) (*scim.Client, *identityemu.Emulator, *sandbox.Sandbox) {
	t.Helper()
	emu := identityemu.New()
	sb := sandboxtest.Start(t, emu)
	tok := emu.IssueSCIMToken("Okta Directory", Domain, time.Hour)
	c := scim.New(sandboxtest.Client(t, sb), sb.Services["identity"].URL+config.IdentitySCIMPath,
		scim.Options{Dialect: scim.RFC7644, Tokens: scim.StaticToken(tok)})
	return c, emu, sb
}

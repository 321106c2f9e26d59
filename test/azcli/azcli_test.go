// Package azcli drives Microsoft's Azure CLI (`az`, a client nobody here wrote) against the
// sandbox's Entra STS and Graph emulators: it does the Teams app registration the way an admin
// would script it, and `flowsctl azure verify` must accept the result. The test runs when `az`
// is on PATH and skips otherwise.
package azcli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/test/harness"
)

// azClientID is the service principal az signs in as (with a certificate, so no secret is ever
// on a command line).
const azClientID = "5a0c2f7e-1b3d-4c5e-8f9a-0b1c2d3e4f50"

// The Teams app of the sandbox config (pkg/sandbox/entraemu ConfigFragment) and the five
// Microsoft Graph delegated permissions it needs, with their ids (shared/reference/entra-graph.md §1).
const (
	teamsDisplayName = "Workspace ONE mobile flows - Microsoft Teams"
	teamsUniqueName  = "ws1-mobile-flows-teams"
	teamsRedirectURI = "https://prod.hero.vmwservices.com/token-exchange/oauth2/callback"
	teamsScopes      = "offline_access User.Read User.Read.All MailboxSettings.Read Group.ReadWrite.All"
)

var teamsScopeIDs = []string{
	"7427e0e9-2fba-42fe-b0c0-848c9e6a8182", // offline_access
	"e1fe6dd8-ba31-4d61-89e7-88639da4683d", // User.Read
	"a154be20-db9c-4678-8ab7-66f6cc099a59", // User.Read.All
	"87f447af-9fa4-4c32-9dfa-4a57a73d18ce", // MailboxSettings.Read
	"4e46008b-f24c-477d-8fff-7bb4ec7aafe0", // Group.ReadWrite.All
}

// sitecustomize is loaded by az's Python in this test only. MSAL asks login.microsoftonline.com
// whether an unknown authority is genuine (instance discovery); the sandbox has no network, so
// this turns off that one check and nothing else. What the test judges is az's Graph traffic.
const sitecustomize = `import msal.authority as _authority

_init = _authority.Authority.__init__


def _no_instance_discovery(self, authority_url, http_client, validate_authority=True, *args, **kwargs):
    _init(self, authority_url, http_client, False, *args, **kwargs)


_authority.Authority.__init__ = _no_instance_discovery
`

type az struct {
	t   *testing.T
	bin string
	env []string
	dir string
}

// run runs az with args and returns stdout; a failure fails the test with az's stderr.
func (a *az) run(args ...string) string {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.bin, args...)
	cmd.Env = a.env
	cmd.Dir = a.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		a.t.Fatalf("az %s: %v\n%s", strings.Join(args, " "), err, harness.Tail(errb.String(), 4000))
	}
	return out.String()
}

func (a *az) json(v any, args ...string) {
	a.t.Helper()
	out := a.run(append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		a.t.Fatalf("az %s: output is not JSON (%v):\n%s", strings.Join(args, " "), err, out)
	}
}

// certificateClient makes a self-signed certificate for azClientID and writes key and
// certificate to one PEM file (the form `az login --service-principal -p FILE` reads).
func certificateClient(t *testing.T, dir string) (entraemu.Client, string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "az-cli-rehearsal"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	var b bytes.Buffer
	pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))})
	pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	p := filepath.Join(dir, "az-sp.pem")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return entraemu.Client{ID: azClientID, Certificates: []*x509.Certificate{cert},
		Roles: []string{"Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"}}, p
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// startSandbox serves every emulator, the Entra pair with the certificate client added and the
// Graph emulator recording every exchange.
func startSandbox(t *testing.T, client entraemu.Client) (*sandbox.Sandbox, *sandboxtest.RecordingGraph) {
	sts, g := entraemu.New(entraemu.WithClient(client))
	graph := &sandboxtest.RecordingGraph{Graph: g.(*entraemu.Graph)}
	emus := []sandbox.Emulator{graph}
	for _, e := range emulators.All() {
		if e.Name() != "sts" && e.Name() != "graph" {
			emus = append(emus, e)
		}
	}
	return sandboxtest.Start(t, append(emus, sts)...), graph
}

// TestAzureCLIRegistersTheTeamsApp: the Azure CLI signs in to the sandbox STS, does the Teams
// registration through the Graph emulator (app create, service principal, admin consent, a
// secret, show and list), every Graph request it makes succeeds and fits Graph's CSDL, and
// `flowsctl azure verify` accepts the app it made.
func TestAzureCLIRegistersTheTeamsApp(t *testing.T) {
	bin, err := exec.LookPath("az")
	if err != nil {
		t.Skip("the Azure CLI (az) is not on PATH: install it (Debian: apt-get install azure-cli) to run this test")
	}
	work := t.TempDir()
	client, certPath := certificateClient(t, work)
	schema, err := sandboxtest.LoadGraphSchema(filepath.Join(sandboxtest.ContractsDir(t), "graph", "graph-v1.0-csdl-subset.xml"))
	if err != nil {
		t.Fatal(err)
	}
	sb, rec := startSandbox(t, client)
	sts, graph := sb.Services["sts"].URL, sb.Services["graph"].URL

	pyDir := filepath.Join(work, "py")
	os.MkdirAll(pyDir, 0o700)
	if err := os.WriteFile(filepath.Join(pyDir, "sitecustomize.py"), []byte(sitecustomize), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "AZURE_CONFIG_DIR=" + filepath.Join(work, ".azure"),
		"REQUESTS_CA_BUNDLE=" + sb.CAPath(), "PYTHONPATH=" + pyDir, "AZURE_CORE_COLLECT_TELEMETRY=false",
		"AZURE_CORE_NO_COLOR=true", "AZURE_CORE_SURVEY_MESSAGE=false", "AZURE_EXTENSION_DIR=" + filepath.Join(work, "ext"),
		"NO_PROXY=127.0.0.1,localhost", "LANG=C.UTF-8"}
	a := &az{t: t, bin: bin, env: env, dir: work}

	cloud := map[string]any{"endpoints": map[string]any{
		"activeDirectory":                sts,
		"activeDirectoryResourceId":      "https://management.core.windows.net/",
		"activeDirectoryGraphResourceId": "https://graph.windows.net/",
		"resourceManager":                sts + "/",
		"microsoftGraphResourceId":       graph + "/",
	}}
	writeJSON(t, filepath.Join(work, "cloud.json"), cloud)
	a.run("cloud", "register", "--name", "FlowsctlSandbox", "--cloud-config", "@"+filepath.Join(work, "cloud.json"))
	a.run("cloud", "set", "--name", "FlowsctlSandbox")
	a.run("login", "--service-principal", "--username", azClientID, "--password", certPath,
		"--tenant", entraemu.TenantID, "--allow-no-subscriptions", "-o", "none")

	var access []map[string]any
	for _, id := range teamsScopeIDs {
		access = append(access, map[string]any{"id": id, "type": "Scope"})
	}
	rra := filepath.Join(work, "rra.json")
	writeJSON(t, rra, []any{map[string]any{"resourceAppId": entraemu.GraphAppID, "resourceAccess": access}})

	var app struct{ ID, AppID, DisplayName, SignInAudience string }
	a.json(&app, "ad", "app", "create", "--display-name", teamsDisplayName, "--sign-in-audience", "AzureADMultipleOrgs",
		"--web-redirect-uris", teamsRedirectURI, "--required-resource-accesses", "@"+rra)
	if app.AppID == "" || app.SignInAudience != "AzureADMultipleOrgs" {
		t.Fatalf("az ad app create answered %+v", app)
	}
	// flowsctl finds its app by uniqueName, and az has no flag for it nor for the logout URL (the
	// sandbox config derives it from the Access URL): the generic --set sends both.
	logout := sb.Services["access"].URL + "/SAAS/auth/logout"
	a.run("ad", "app", "update", "--id", app.AppID, "--web-redirect-uris", teamsRedirectURI,
		"--set", "uniqueName="+teamsUniqueName, "web.logoutUrl="+logout)
	a.run("ad", "sp", "create", "--id", app.AppID, "-o", "none")
	a.run("ad", "app", "permission", "grant", "--id", app.AppID, "--api", entraemu.GraphAppID, "--scope", teamsScopes, "-o", "none")

	var cred struct{ AppID, Password, Tenant string }
	a.json(&cred, "ad", "app", "credential", "reset", "--id", app.AppID, "--append", "--display-name", "flowsctl", "--years", "1")
	if cred.Password == "" || cred.Tenant != entraemu.TenantID {
		t.Fatalf("az ad app credential reset: no password or wrong tenant (%q)", cred.Tenant)
	}
	sink := filepath.Join(sb.Env.Dir, "secrets", "teams-client-secret")
	if err := os.WriteFile(sink, []byte(cred.Password), 0o600); err != nil {
		t.Fatal(err)
	}

	var shown map[string]any
	a.json(&shown, "ad", "app", "show", "--id", app.AppID)
	if shown["uniqueName"] != teamsUniqueName || shown["appId"] != app.AppID {
		t.Errorf("az ad app show: uniqueName %v appId %v", shown["uniqueName"], shown["appId"])
	}
	var listed []map[string]any
	a.json(&listed, "ad", "app", "list", "--display-name", "Workspace ONE")
	if len(listed) != 1 || listed[0]["appId"] != app.AppID {
		t.Errorf("az ad app list --display-name: %d apps", len(listed))
	}
	var grants []map[string]any
	a.json(&grants, "ad", "app", "permission", "list-grants", "--id", app.AppID)
	if len(grants) != 1 || grants[0]["scope"] != teamsScopes {
		t.Errorf("az ad app permission list-grants: %v", grants)
	}

	// Every Graph request az made succeeded, and each exchange fits Graph's CSDL.
	failed := 0
	for _, x := range rec.Exchanges() {
		form, problems := sandboxtest.CheckGraphExchange(schema, x)
		t.Logf("az -> graph: %s %s?%s -> %d (%s)", x.Method, x.Path, x.Query, x.Status, form)
		if x.Status >= 400 {
			failed++
		}
		for _, p := range problems {
			t.Errorf("%s %s: %s", x.Method, x.Path, p)
		}
	}
	if failed > 0 {
		t.Errorf("%d of az's Graph requests failed (listed above)", failed)
	}
	if len(rec.Exchanges()) < 10 {
		t.Errorf("az made %d Graph requests; the registration takes more, so the log is not az's", len(rec.Exchanges()))
	}

	r := harness.Run(t, harness.Options{Version: "azcli"}, "azure", "verify", "-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input")
	if r.Code != 0 {
		t.Fatalf("flowsctl azure verify of the app az made: exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
}

func writeJSON(t *testing.T, p string, v any) {
	b, _ := json.Marshal(v)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

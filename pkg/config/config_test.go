package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir is ../shared next to the module root, or "" when absent.
func sharedDir(t *testing.T) string {
	s := filepath.Join(moduleRoot(t), "..", "shared")
	if _, err := os.Stat(s); err != nil {
		return ""
	}
	return s
}

func problems(t *testing.T, err error) *Errors {
	t.Helper()
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, want *config.Errors: %v", err, err)
	}
	return errs
}

func TestExampleFileLoads(t *testing.T) {
	s := sharedDir(t)
	if s == "" {
		t.Skip("../shared (flowsctl.example.yaml) is absent: nothing to check")
	}
	path := filepath.Join(s, "flowsctl.example.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s is absent: %v", path, err)
	}
	c, err := load(path, b, func(string) string { return "" })
	if err != nil {
		t.Fatalf("example config has problems:\n%v", err)
	}
	if c.Access.MobileFlowsTemplate.TokenLength != 32 || c.Azure.App.Secret.Lifetime.String() != "12mo" {
		t.Errorf("example values not decoded: %+v", c.Access.MobileFlowsTemplate)
	}
	if got, want := c.LogoutURL(), "https://acme.vmwareidentity.com/SAAS/auth/logout"; got != want {
		t.Errorf("LogoutURL = %q, want %q", got, want)
	}
	if got := c.IdentityURL(); got != "https://acme.vmwareidentity.com" {
		t.Errorf("IdentityURL = %q", got)
	}
}

func TestUnknownKeyLineColumnAndSuggestion(t *testing.T) {
	doc := `apiVersion: flowsctl/v1

azure:
  tenantId: 11111111-2222-3333-4444-555555555555
  app:
    uniqueName: x
    displayNme: Teams
  sigIn:
    method: devicecode
`
	_, err := Parse("flowsctl.yaml", []byte(doc))
	errs := problems(t, err)
	want := []string{
		`flowsctl.yaml:7:5: unknown key "displayNme" in azure.app (did you mean "displayName"?)`,
		`flowsctl.yaml:8:3: unknown key "sigIn" in azure (did you mean "signIn"?)`,
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing line %q in:\n%v", w, err)
		}
	}
	if errs.Problems[0].Key != "displayNme" || errs.Problems[0].Path != "azure.app" {
		t.Errorf("first problem = %+v", errs.Problems[0])
	}
	_, err = Parse("f.yaml", []byte("azur:\n  tenantId: x\n"))
	if err == nil || !strings.Contains(err.Error(), `f.yaml:1:1: unknown key "azur" at the top level (did you mean "azure"?)`) {
		t.Errorf("top-level typo: %v", err)
	}
	_, err = Parse("f.yaml", []byte("doctor:\n  zzzzzzzz: 1\n"))
	if err == nil || !strings.Contains(err.Error(), "valid keys: warnSecretExpiryBefore") {
		t.Errorf("no suggestion should list the valid keys: %v", err)
	}
}

func TestEveryProblemIsListed(t *testing.T) {
	doc := `azure:
  tenantId: not a tenant
  signIn: {method: password}
  app: {displayNme: x, secret: {lifetime: 3y}}
uem:
  url: http://uem.example.com
  auth: {oauth: {region: mars, clientId: c, clientSecret: hunter2hunter2}}
  integrations:
    - {name: h, groups: [g], deviceSyncInterval: 15m, appSyncInterval: 2000m, deviceDeletionThreshold: 101, deviceDeletionAfter: 0}
`
	_, err := Parse("flowsctl.yaml", []byte(doc))
	errs := problems(t, err)
	if errs.Len() < 11 {
		t.Fatalf("want at least 11 problems, got %d:\n%v", errs.Len(), err)
	}
	if strings.Contains(err.Error(), "hunter2hunter2") {
		t.Fatalf("literal secret echoed:\n%v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != errs.Len() {
		t.Errorf("want one line per problem: %d lines, %d problems", len(lines), errs.Len())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "flowsctl.yaml:") {
			t.Errorf("problem without a position: %q", l)
		}
	}
	_, err2 := Parse("f.yaml", []byte(okAccess+"  mobileFlowsTemplate: {tokenLength: abc}\n"))
	if n := problems(t, err2).Len(); n != 1 {
		t.Errorf("a type error is reported %d times:\n%v", n, err2)
	}
	if !strings.Contains(err.Error(), "uem.integrations[0].deviceSyncInterval: 15m is not a multiple of 10m between 10m and 1440m") {
		t.Errorf("interval message not as documented:\n%v", err)
	}
}

const (
	okAzure  = "azure:\n  tenantId: 11111111-2222-3333-4444-555555555555\n"
	okAccess = "access:\n  url: https://acme.vmwareidentity.com\n  auth: {clientId: flowsctl-admin, clientSecret: env:FLOWSCTL_ACCESS_SECRET}\n"
	okUEM    = "uem:\n  url: https://as1234.awmdm.com\n  auth: {oauth: {region: na, clientId: c, clientSecret: env:FLOWSCTL_UEM_OAUTH_SECRET}}\n"
)

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open-secret")
	if err := os.WriteFile(open, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, doc, path, msg string
		secret               string // must not appear in the error
	}{
		{"syntax", "azure: [\n", "", "invalid YAML", ""},
		{"top level not a mapping", "- a\n- b\n", "", "expected a mapping", ""},
		{"unknown key", okAzure + "  app: {displayNme: x}\n", "azure.app", `did you mean "displayName"?`, ""},
		{"duplicate key", okAzure + "  tenantId: 11111111-2222-3333-4444-555555555555\n", "azure.tenantId", "set twice", ""},
		{"int type", okAccess + "  mobileFlowsTemplate: {tokenLength: abc}\n", "access.mobileFlowsTemplate.tokenLength", `expected a whole number, got a string "abc"`, ""},
		{"bool type", okAzure + "  app: {adminConsent: maybe}\n", "azure.app.adminConsent", "expected true or false", ""},
		{"list type", okAzure + "  app: {redirectUris: https://x.example.com}\n", "azure.app.redirectUris", "expected a list", ""},
		{"section type", "azure: 5\n", "azure", "expected a mapping of keys", ""},
		{"duration syntax", "doctor: {warnSecretExpiryBefore: 30 days}\n", "doctor.warnSecretExpiryBefore", "unknown unit", ""},
		{"duration mapping", "doctor: {warnSecretExpiryBefore: {d: 1}}\n", "doctor.warnSecretExpiryBefore", "expected a duration", ""},
		{"apiVersion", "apiVersion: flowsctl/v2\n", "apiVersion", `"flowsctl/v2" is not supported`, ""},
		{"tenant id", "azure: {tenantId: not-a-tenant}\n", "azure.tenantId", "is not a tenant id", ""},
		{"tenant missing", "azure: {}\n", "azure.tenantId", "is required", ""},
		{"sign-in method", okAzure + "  signIn: {method: devicecod}\n", "azure.signIn.method", `"devicecod" is not one of devicecode, browser, cli, clientsecret, certificate, workload, default (did you mean "devicecode"?)`, ""},
		{"clientsecret needs id", okAzure + "  signIn: {method: clientsecret, clientSecret: env:X}\n", "azure.signIn.clientId", "is required", ""},
		{"sign-in client id", okAzure + "  signIn: {clientId: abc}\n", "azure.signIn.clientId", "not an application (client) id", ""},
		{"literal sign-in secret", okAzure + "  signIn: {method: clientsecret, clientId: 11111111-2222-3333-4444-555555555555, clientSecret: Zq8~literalValue_123}\n",
			"azure.signIn.clientSecret", "a literal secret is not allowed here; use env:FLOWSCTL_AZURE_SIGNIN_SECRET or file:/path/to/secret (mode 0600)", "Zq8~literalValue_123"},
		{"audience", okAzure + "  app: {signInAudience: AzureADMultipleOrg}\n", "azure.app.signInAudience", "is not one of AzureADMyOrg", ""},
		{"redirect http", okAzure + "  app: {redirectUris: [http://hero.example.com/cb]}\n", "azure.app.redirectUris[0]", "uses http: use https", ""},
		{"redirect relative", okAzure + "  app: {redirectUris: [/callback]}\n", "azure.app.redirectUris[0]", "is not an absolute https URL", ""},
		{"url with credentials", okAzure + "  graphUrl: https://admin:Sup3rS3cret@graph.example.com\n", "azure.graphUrl", "must not contain credentials", "Sup3rS3cret"},
		{"permission duplicate", okAzure + "  app: {delegatedPermissions: [User.Read, User.Read]}\n", "azure.app.delegatedPermissions[1]", "listed twice", ""},
		{"secret lifetime", okAzure + "  app: {secret: {lifetime: 3y}}\n", "azure.app.secret.lifetime", "3y is not between 1d and 2y", ""},
		{"warnBefore vs lifetime", okAzure + "  app: {secret: {lifetime: 30d, warnBefore: 60d}}\n", "azure.app.secret.warnBefore", "must be shorter than azure.app.secret.lifetime", ""},
		{"sink env", okAzure + "  app: {secret: {sink: env:TEAMS_SECRET}}\n", "azure.app.secret.sink", "must be file:PATH", ""},
		{"sink literal", okAzure + "  app: {secret: {sink: s3cr3t-sink-value}}\n", "azure.app.secret.sink", "must be file:PATH", "s3cr3t-sink-value"},
		{"replication budget", okAzure + "  replicationBudget: 2h\n", "azure.replicationBudget", "2h is not between 1m and 1h", ""},
		{"access url scheme", "access: {url: ftp://acme.example.com, auth: {clientId: a, clientSecret: env:A}}\n", "access.url", `scheme "ftp"`, ""},
		{"access url missing", "access: {auth: {clientId: a, clientSecret: env:A}}\n", "access.url", "is required", ""},
		{"access literal secret", "access:\n  url: https://acme.example.com\n  auth: {clientId: a, clientSecret: 'p@ss w0rd!'}\n",
			"access.auth.clientSecret", "a literal secret is not allowed here; use env:FLOWSCTL_ACCESS_SECRET or file:/path/to/secret (mode 0600)", "p@ss w0rd!"},
		{"secret as mapping", "access:\n  url: https://acme.example.com\n  auth: {clientId: a, clientSecret: {value: topsecretvalue}}\n",
			"access.auth.clientSecret", "expected a secret reference env:NAME or file:PATH", "topsecretvalue"},
		{"bad env name", "access:\n  url: https://acme.example.com\n  auth: {clientId: a, clientSecret: env:1BAD-NAME}\n", "access.auth.clientSecret", "not a valid environment variable name", ""},
		{"empty file ref", "access:\n  url: https://acme.example.com\n  auth: {clientId: a, clientSecret: 'file:'}\n", "access.auth.clientSecret", "file: needs a path", ""},
		{"group readable secret", "access:\n  url: https://acme.example.com\n  auth: {clientId: a, clientSecret: file:" + open + "}\n", "access.auth.clientSecret", "has mode 0644: other users can read it (run: chmod 600 " + open + ")", ""},
		{"client id chars", "access:\n  url: https://acme.example.com\n  auth: {clientId: 'a b', clientSecret: env:A}\n", "access.auth.clientId", "letters, digits", ""},
		{"media type", okAccess + "  mediaType: xml\n", "access.mediaType", `"xml" is not one of auto, vendor, json`, ""},
		{"token length", okAccess + "  mobileFlowsTemplate: {tokenLength: 48}\n", "access.mobileFlowsTemplate.tokenLength", "48 is not one of 32, 64, 128", ""},
		{"token type", okAccess + "  mobileFlowsTemplate: {tokenType: MAC}\n", "access.mobileFlowsTemplate.tokenType", `"MAC" is not one of Bearer`, ""},
		{"template ttl", okAccess + "  mobileFlowsTemplate: {accessTokenTTL: 5m}\n", "access.mobileFlowsTemplate.accessTokenTTL", "5m is shorter than the minimum 10m", ""},
		{"template ttl zero", okAccess + "  mobileFlowsTemplate: {idleTokenTTL: 0m}\n", "access.mobileFlowsTemplate.idleTokenTTL", "0m is shorter than the minimum 10m", ""},
		{"template scope", okAccess + "  mobileFlowsTemplate: {scope: [email, mail]}\n", "access.mobileFlowsTemplate.scope[1]", `"mail" is not one of admin`, ""},
		{"scim ttl", okAccess + "  scimClient: {accessTokenTTL: 1m}\n", "access.scimClient.accessTokenTTL", "shorter than the minimum 10m", ""},
		{"directory name chars", okAccess + "  directory: {name: 'Okta/Directory', domains: [okta.example.com]}\n", "access.directory.name", "may only contain letters, digits, spaces, '-' and '_'", ""},
		{"directory name length", okAccess + "  directory: {name: " + strings.Repeat("a", 129) + ", domains: [okta.example.com]}\n", "access.directory.name", "is 129 characters long; at most 128", ""},
		{"directory domain", okAccess + "  directory: {domains: [okta_com]}\n", "access.directory.domains[0]", "is not a domain name", ""},
		{"directory no domains", okAccess + "  directory: {name: Okta}\n", "access.directory.domains", "needs at least one domain", ""},
		{"identity directory name", "identityServices: {directory: {name: 'Okta!', domain: example.com}}\n", "identityServices.directory.name", "may only contain", ""},
		{"identity domain", "identityServices: {directory: {name: Okta, domain: example}}\n", "identityServices.directory.domain", "is not a domain name", ""},
		{"identity enabled needs directory", okAccess + "identityServices: {enabled: true}\n", "identityServices.directory.name", "is required", ""},
		{"identity source", "identityServices: {directory: {source: LDAP}}\n", "identityServices.directory.source", `"LDAP" is not one of OKTA, AZURE, PING, ACCESS, GENERIC`, ""},
		{"identity lifespan", "identityServices: {scimToken: {lifespan: 25mo}}\n", "identityServices.scimToken.lifespan", "25mo is not between 1mo and 24mo", ""},
		{"identity lifespan short", "identityServices: {scimToken: {lifespan: 7d}}\n", "identityServices.scimToken.lifespan", "7d is not between 1mo", ""},
		{"identity services", "identityServices: {services: [access, hub]}\n", "identityServices.services[1]", `"hub" is not one of access, uem`, ""},
		{"identity url", "identityServices: {url: 'https://'}\n", "identityServices.url", "is not an absolute https URL", ""},
		{"oidc literal", "identityServices:\n  oidc: {issuerUrl: https://example.okta.com, clientId: c, clientSecret: 0kta-Secret-Value}\n", "identityServices.oidc.clientSecret", "use env:FLOWSCTL_OKTA_OIDC_SECRET or file:/path/to/secret", "0kta-Secret-Value"},
		{"uem http", "uem:\n  url: http://uem.example.com\n  auth: {oauth: {region: na, clientId: c, clientSecret: env:S}}\n", "uem.url", "http is allowed only for 127.0.0.0/8, ::1 and localhost", ""},
		{"uem no auth", "uem: {url: https://uem.example.com}\n", "uem.auth", "set oauth", ""},
		{"region", "uem:\n  url: https://uem.example.com\n  auth: {oauth: {region: mars, clientId: c, clientSecret: env:S}}\n", "uem.auth.oauth.region", `"mars" is not one of uat, na, emea, apac`, ""},
		{"region and tokenUrl", "uem:\n  url: https://uem.example.com\n  auth: {oauth: {region: na, tokenUrl: https://t.example.com/token, clientId: c, clientSecret: env:S}}\n", "uem.auth.oauth.tokenUrl", "not both", ""},
		{"neither region nor tokenUrl", "uem:\n  url: https://uem.example.com\n  auth: {oauth: {clientId: c, clientSecret: env:S}}\n", "uem.auth.oauth.region", "set region (uat, na, emea, apac) or tokenUrl", ""},
		{"basic needs api key", "uem:\n  url: https://uem.example.com\n  auth: {basic: {username: u, password: env:P}}\n", "uem.auth.apiKey", "is required with basic", ""},
		{"literal password", "uem:\n  url: https://uem.example.com\n  auth: {basic: {username: u, password: Tr0ub4dor&3}, apiKey: env:K}\n", "uem.auth.basic.password", "use env:FLOWSCTL_UEM_PASSWORD", "Tr0ub4dor&3"},
		{"literal api key", "uem:\n  url: https://uem.example.com\n  auth: {basic: {username: u, password: env:P}, apiKey: 1A2B3C4D5E6F}\n", "uem.auth.apiKey", "use env:FLOWSCTL_UEM_API_KEY", "1A2B3C4D5E6F"},
		{"ca file missing", okUEM + "  caFile: no-such-ca.pem\n", "uem.caFile", "no such file", ""},
		{"mode", okUEM + "  mobileFlows: {mode: auto}\n", "uem.mobileFlows.mode", `"auto" is not one of guided, api`, ""},
		{"api needs adminUrl", okUEM + "  mobileFlows: {mode: api}\n", "uem.mobileFlows.adminUrl", "is required", ""},
		{"notification", okUEM + "  mobileFlows: {connectors: [{catalog: teams, name: T, notification: pull}]}\n", "uem.mobileFlows.connectors[0].notification", `"pull" is not one of poll, push`, ""},
		{"catalog push", okUEM + "  mobileFlows: {connectors: [{catalog: teams, name: T, notification: push}]}\n", "uem.mobileFlows.connectors[0].notification", "push is not available for VMware-hosted", ""},
		{"teams base url", okUEM + "  mobileFlows: {connectors: [{catalog: teams, name: T, baseUrl: 'https://graph.microsoft.com/v1.0'}]}\n", "uem.mobileFlows.connectors[0].baseUrl", "the Teams connector needs https://graph.microsoft.com/beta", ""},
		{"teams web address", okUEM + "  mobileFlows: {connectors: [{catalog: teams, name: T, baseUrl: 'https://teams.microsoft.com/'}]}\n", "uem.mobileFlows.connectors[0].baseUrl", "is the Teams web address, not an API", ""},
		{"not graph", okUEM + "  mobileFlows: {connectors: [{catalog: teams, name: T, baseUrl: 'https://graph.example.com/beta'}]}\n", "uem.mobileFlows.connectors[0].baseUrl", "not a Microsoft Graph endpoint", ""},
		{"connector kind", okUEM + "  mobileFlows: {connectors: [{name: T}]}\n", "uem.mobileFlows.connectors[0]", "set catalog", ""},
		{"connector duplicate", okUEM + "  mobileFlows: {connectors: [{catalog: teams, name: T}, {catalog: teams, name: t}]}\n", "uem.mobileFlows.connectors[1].name", "names must be unique", ""},
		{"boxer hours", okUEM + "  boxer: {syncTimeHours: -1}\n", "uem.boxer.syncTimeHours", "-1 is not between 1 and 8760", ""},
		{"sync interval step", okUEM + "  integrations: [{name: h, groups: [g], deviceSyncInterval: 15m}]\n", "uem.integrations[0].deviceSyncInterval", "15m is not a multiple of 10m between 10m and 1440m", ""},
		{"sync interval max", okUEM + "  integrations: [{name: h, groups: [g], appSyncInterval: 2d}]\n", "uem.integrations[0].appSyncInterval", "2d is not a multiple of 10m between 10m and 1440m", ""},
		{"threshold", okUEM + "  integrations: [{name: h, groups: [g], deviceDeletionThreshold: 101}]\n", "uem.integrations[0].deviceDeletionThreshold", "101 is not between 0 and 100", ""},
		{"deletion after", okUEM + "  integrations: [{name: h, groups: [g], deviceDeletionAfter: 0}]\n", "uem.integrations[0].deviceDeletionAfter", "0 is not between 1 and 100", ""},
		{"integration auth", okUEM + "  integrations: [{name: h, groups: [g], auth: {oauth: {region: na, clientId: dash, clientSecret: s3cr3t-literal}}}]\n", "uem.integrations[0].auth.oauth.clientSecret", "use env:", "s3cr3t-literal"},
		{"integration groups", okUEM + "  integrations: [{name: h}]\n", "uem.integrations[0].groups", "needs at least one", ""},
		{"doctor window", "doctor: {warnSecretExpiryBefore: 2y}\n", "doctor.warnSecretExpiryBefore", "2y is not between 1d and 1y", ""},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(filepath.Join(dir, "flowsctl.yaml"), []byte(tc.doc))
			if err == nil {
				t.Fatalf("no error; config: %+v", c)
			}
			errs := problems(t, err)
			var found bool
			for _, p := range errs.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.msg) {
					found = true
					if p.Line == 0 && tc.path != "" {
						t.Errorf("problem has no line: %s", p)
					}
				}
			}
			if !found {
				t.Errorf("no problem at %q containing %q; got:\n%v", tc.path, tc.msg, err)
			}
			if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
				t.Errorf("the literal secret appears in the error:\n%v", err)
			}
		})
	}
}

func TestSecretRefsAccepted(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s"), []byte("v\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := "access:\n  url: https://127.0.0.1:8443\n  auth: {clientId: flowsctl-admin, clientSecret: file:" + filepath.Join(dir, "s") + "}\n" +
		"uem:\n  url: http://localhost:9000\n  auth: {basic: {username: u, password: env:FLOWSCTL_UEM_PASSWORD}, apiKey: file:s}\n" +
		"identityServices:\n  url: https://[::1]:8444\n"
	if _, err := Parse(filepath.Join(dir, "flowsctl.yaml"), []byte(doc)); err != nil {
		t.Fatalf("valid refs rejected:\n%v", err)
	}
}

func TestRelativeSecretPaths(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "conf", "flowsctl.yaml")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		t.Fatal(err)
	}
	doc := okAccess + "  scimClient: {secretSink: file:secrets/scim}\n"
	if err := os.WriteFile(cfgPath, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(cfgPath, []byte(doc), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	sink := c.Access.SCIMClient.SecretSink
	want := filepath.Join(dir, "conf", "secrets", "scim")
	if got := c.ResolvePath(sink.Target()); got != want {
		t.Fatalf("ResolvePath = %q, want %q", got, want)
	}
	if err := c.WriteSecret(sink, "generated-value"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(want)
	if err != nil {
		t.Fatalf("secret not written next to the config: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", st.Mode().Perm())
	}
	v, err := c.Secret(sink)
	if err != nil || v != "generated-value" {
		t.Fatalf("Secret = %q, %v", v, err)
	}
	// The default sink is relative too.
	if got := c.ResolveRef(c.Access.SCIMClient.SecretSink); got.Kind() != "file" || !filepath.IsAbs(got.Target()) {
		t.Errorf("ResolveRef = %q", got)
	}
	// Absolute paths and env refs are unchanged.
	if got := c.ResolvePath("/abs/x"); got != "/abs/x" {
		t.Errorf("absolute path changed: %q", got)
	}
	if got := c.ResolveRef("env:X"); got != "env:X" {
		t.Errorf("env ref changed: %q", got)
	}
	// Once the file is group-readable, Load rejects it naming the chmod.
	if err := os.Chmod(want, 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = load(cfgPath, []byte(doc), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "run: chmod 600 "+want) {
		t.Fatalf("mode 0640 not rejected: %v", err)
	}
	if _, err := c.Secret(sink); err == nil || strings.Contains(err.Error(), "generated-value") {
		t.Fatalf("Secret on a 0640 file: %v", err)
	}
}

func TestEnvOverridePrecedence(t *testing.T) {
	doc := okAzure + okAccess + okUEM + "identityServices: {}\n"
	env := map[string]string{
		"FLOWSCTL_AZURE_TENANT_ID": "contoso.onmicrosoft.com",
		"FLOWSCTL_ACCESS_URL":      "https://other.vmwareidentity.com",
		"FLOWSCTL_UEM_URL":         "https://as99.awmdm.com",
	}
	getenv := func(k string) string { return env[k] }
	c, err := load("flowsctl.yaml", []byte(doc), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Azure.TenantID != "contoso.onmicrosoft.com" || c.Access.URL != "https://other.vmwareidentity.com" || c.UEM.URL != "https://as99.awmdm.com" {
		t.Errorf("env did not override the file: %s %s %s", c.Azure.TenantID, c.Access.URL, c.UEM.URL)
	}
	// Derived defaults follow the overridden access.url.
	if c.IdentityURL() != "https://other.vmwareidentity.com" || c.LogoutURL() != "https://other.vmwareidentity.com/SAAS/auth/logout" {
		t.Errorf("derived URLs: %s %s", c.IdentityURL(), c.LogoutURL())
	}
	// A flag applied after Load (by the CLI) wins and the derived values follow it.
	c.Access.URL = "https://flag.example.com/SAAS"
	if c.IdentityURL() != "https://flag.example.com" || c.LogoutURL() != "https://flag.example.com/SAAS/auth/logout" {
		t.Errorf("derived URLs after flag: %s %s", c.IdentityURL(), c.LogoutURL())
	}
	// FLOWSCTL_IDENTITY_URL replaces the derived value.
	env["FLOWSCTL_IDENTITY_URL"] = "https://id.example.com"
	c, err = load("flowsctl.yaml", []byte(doc), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.IdentityURL() != "https://id.example.com" {
		t.Errorf("IdentityURL = %s", c.IdentityURL())
	}
	// An override does not invent a section.
	c, err = load("flowsctl.yaml", []byte(okAzure), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Access != nil || c.UEM != nil {
		t.Errorf("env created sections: %+v %+v", c.Access, c.UEM)
	}
	// A bad value from the environment names the variable.
	env["FLOWSCTL_UEM_URL"] = "http://uem.example.com"
	_, err = load("flowsctl.yaml", []byte(doc), getenv)
	if err == nil || !strings.Contains(err.Error(), "FLOWSCTL_UEM_URL: uem.url:") {
		t.Errorf("env problem does not name the variable: %v", err)
	}
	// Load uses the process environment.
	dir := t.TempDir()
	p := filepath.Join(dir, "flowsctl.yaml")
	if err := os.WriteFile(p, []byte(okAccess), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FLOWSCTL_ACCESS_URL", "https://env.example.com")
	c, err = Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Access.URL != "https://env.example.com" {
		t.Errorf("Load ignored FLOWSCTL_ACCESS_URL: %s", c.Access.URL)
	}
}

func TestDefaultsOnlyInPresentSectionsAndKeepExplicitValues(t *testing.T) {
	doc := okAzure + "  app: {adminConsent: false, redirectUris: [https://x.example.com/cb]}\n" + okAccess +
		"  mobileFlowsTemplate: {issueRefreshToken: false, tokenLength: 64}\n" + okUEM +
		"  mobileFlows:\n    connectors: [{catalog: teams, name: Teams}, {catalog: planner, name: Planner}, {name: Jira, discoveryUrl: https://c.example.com/jira/}]\n" +
		"  boxer: {}\n  integrations: [{name: h, groups: [g], deviceDeletionThreshold: 0}]\n"
	c, err := Parse("flowsctl.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if c.Azure.App.AdminConsent || c.Access.MobileFlowsTemplate.IssueRefreshToken {
		t.Error("explicit false replaced by a default")
	}
	if c.Access.MobileFlowsTemplate.TokenLength != 64 || c.Azure.App.RedirectURIs[0] != "https://x.example.com/cb" {
		t.Error("explicit values replaced")
	}
	if c.IdentityServices != nil || c.Doctor != nil || c.Access.SCIMClient != nil {
		t.Error("absent sections were created")
	}
	mf := c.UEM.MobileFlows
	if mf.Host != HeroHost || mf.Mode != "guided" || mf.Connectors[0].BaseURL != TeamsGraphBaseURL ||
		mf.Connectors[1].BaseURL != PlannerGraphBaseURL || mf.Connectors[2].BaseURL != "" || mf.Connectors[2].Notification != "poll" {
		t.Errorf("mobile flows defaults: %+v", mf)
	}
	if !c.UEM.Boxer.Enabled || c.UEM.Boxer.SyncTimeHours != 24 || c.UEM.Boxer.AutoEnableConnectors {
		t.Errorf("boxer defaults: %+v", c.UEM.Boxer)
	}
	in := c.UEM.Integrations[0]
	if in.DeviceDeletionThreshold != 0 || in.DeviceDeletionAfter != 3 || in.DeviceSyncInterval.String() != "60m" || in.AppSyncInterval.String() != "240m" {
		t.Errorf("integration defaults: %+v", in)
	}
	tpl := c.Access.MobileFlowsTemplate
	if tpl.TemplateID != DefaultTemplateID || strings.Join(tpl.Scope, " ") != "email profile user openid" || tpl.RedirectURI != HeroRedirectURI ||
		tpl.TokenType != "Bearer" || tpl.AccessTokenTTL.D != Day || tpl.RefreshTokenTTL.D != 90*Day || tpl.IdleTokenTTL.D != 10*Day || tpl.UserGrant {
		t.Errorf("template defaults: %+v", tpl)
	}
	az := c.Azure
	if az.SignIn.Method != "devicecode" || az.ReplicationBudget.String() != "3m" || az.App.SignInAudience != "AzureADMultipleOrgs" ||
		len(az.App.DelegatedPermissions) != 5 || az.App.Secret.Lifetime.String() != "12mo" || az.App.Secret.WarnBefore.String() != "30d" ||
		az.App.Secret.Sink != c.ResolveRef(DefaultTeamsSecretSink) || az.App.Secret.DisplayName != "flowsctl" {
		t.Errorf("azure defaults: %+v", az)
	}
	// A section written with nothing in it still gets its defaults.
	c, err = Parse("flowsctl.yaml", []byte(okAccess+"  scimClient:\nidentityServices:\ndoctor:\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Access.SCIMClient == nil || c.Access.SCIMClient.AccessTokenTTL.String() != "1y" || c.Access.SCIMClient.Scope[0] != "admin" {
		t.Errorf("scimClient defaults: %+v", c.Access.SCIMClient)
	}
	is := c.IdentityServices
	if is == nil || is.SCIMToken.Lifespan.String() != "6mo" || is.Directory.Source != "OKTA" || strings.Join(is.Services, ",") != "access,uem" || c.IdentityURL() != "https://acme.vmwareidentity.com" {
		t.Errorf("identity defaults: %+v", is)
	}
	if c.Doctor == nil || c.Doctor.WarnSecretExpiryBefore.String() != "30d" {
		t.Errorf("doctor defaults: %+v", c.Doctor)
	}
}

func TestDefaultRoundTrip(t *testing.T) {
	d := Default()
	if err := d.Validate(); err != nil {
		t.Fatalf("Default() is not valid:\n%v", err)
	}
	// Loading makes file: references absolute; compare against the same form.
	d.Path = "flowsctl.yaml"
	d.absolutize()
	y, err := Marshal(d, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("flowsctl.yaml", y)
	if err != nil {
		t.Fatalf("Marshal(Default()) does not parse:\n%v\n%s", err, y)
	}
	y2, err := Marshal(c, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(y) != string(y2) {
		t.Errorf("round trip changed the config:\n%s\n---\n%s", y, y2)
	}
	j, err := Marshal(d, "json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		t.Fatalf("json: %v\n%s", err, j)
	}
	tpl := m["access"].(map[string]any)["mobileFlowsTemplate"].(map[string]any)
	if tpl["tokenLength"] != float64(32) || tpl["accessTokenTTL"] != "1d" || tpl["issueRefreshToken"] != true {
		t.Errorf("json values: %v", tpl)
	}
	// Sections that are not configured are left out.
	j, err = Marshal(&Config{APIVersion: APIVersion, Doctor: &Doctor{WarnSecretExpiryBefore: MustDuration("30d")}}, "json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j), "azure") || !strings.Contains(string(j), `"warnSecretExpiryBefore": "30d"`) {
		t.Errorf("json: %s", j)
	}
	if _, err := Marshal(d, "toml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestSandboxStyleConfig(t *testing.T) {
	dir := t.TempDir()
	sec := filepath.Join(dir, "secrets")
	if err := os.MkdirAll(sec, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"access", "uem", "okta"} {
		if err := os.WriteFile(filepath.Join(sec, n), []byte("v\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ref := func(n string) string { return "file:" + filepath.Join(sec, n) }
	doc := `apiVersion: flowsctl/v1
azure:
  tenantId: 11111111-2222-3333-4444-555555555555
  authority: https://127.0.0.1:40001
  graphUrl: https://127.0.0.1:40002
  signIn: {method: clientsecret, clientId: 22222222-3333-4444-5555-666666666666, clientSecret: ` + ref("access") + `}
  app: {secret: {sink: ` + ref("teams") + `}}
access:
  url: https://127.0.0.1:40003
  auth: {clientId: flowsctl-admin, clientSecret: ` + ref("access") + `}
identityServices:
  enabled: true
  directory: {name: Okta, domain: example.com}
  scimToken: {sink: ` + ref("identity") + `}
  oidc: {issuerUrl: https://127.0.0.1:40004, clientId: c, clientSecret: ` + ref("okta") + `}
uem:
  url: https://127.0.0.1:40005
  caFile: ` + filepath.Join(sec, "uem") + `
  auth: {oauth: {tokenUrl: https://127.0.0.1:40006/connect/token, clientId: c, clientSecret: ` + ref("uem") + `}}
  mobileFlows: {mode: api, adminUrl: https://127.0.0.1:40007, connectors: [{catalog: teams, name: Microsoft Teams}]}
`
	if _, err := Parse(filepath.Join(dir, "flowsctl.yaml"), []byte(doc)); err != nil {
		t.Fatalf("sandbox-style config rejected:\n%v", err)
	}
}

func TestRequire(t *testing.T) {
	c, err := Parse("my.yaml", []byte(okAzure))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Require("azure"); err != nil {
		t.Error(err)
	}
	if err := c.Require("azure", "uem", "access"); err == nil || !strings.Contains(err.Error(), "my.yaml has no uem, access section") {
		t.Errorf("Require: %v", err)
	}
}

func TestParseEdgeCases(t *testing.T) {
	for _, doc := range []string{"", "# only a comment\n", "---\n", "~\n"} {
		// A file with no settings would make every command a silent no-op: it is one problem.
		_, err := Parse("f.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), "f.yaml: the file is empty") || strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("%q: want one \"the file is empty\" problem, got %v", doc, err)
		}
	}
	// Anchors, aliases and merge keys work like in yaml.v3.
	doc := okUEM + "  integrations:\n    - &base {name: a, groups: [g], deviceSyncInterval: 30m}\n    - {<<: *base, name: b}\n"
	c, err := Parse("f.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if in := c.UEM.Integrations[1]; in.Name != "b" || in.DeviceSyncInterval.String() != "30m" || in.Groups[0] != "g" {
		t.Errorf("merge: %+v", in)
	}
	// A merge key that refers to its own mapping is a problem, not a stack overflow.
	_, err = Parse("f.yaml", []byte(okUEM+"  integrations:\n    - &a {<<: *a, name: bl, groups: [g]}\n"))
	if err == nil || !strings.Contains(err.Error(), "refers to the mapping that contains it") {
		t.Errorf("self merge: %v", err)
	}
	// Exponential aliases stop at the budget instead of hanging.
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	if _, err := Parse("f.yaml", []byte(bomb)); err == nil {
		t.Error("unknown keys a, b accepted")
	}
	// Aliases that expand inside the schema stop at the budget, with one problem.
	big := okUEM + "  integrations:\n    - &i {name: a, groups: &g [" + strings.Repeat("x,", 3000) + "x]}\n" +
		strings.Repeat("    - {<<: *i, groups: *g}\n", 300)
	_, err = Parse("f.yaml", []byte(big))
	if errs := problems(t, err); errs.Len() != 1 || !strings.Contains(err.Error(), "aliases (*name) expand") {
		t.Errorf("alias expansion: %d problems, first %v", errs.Len(), errs.Problems[0])
	}
	// Many real problems are capped.
	many := okUEM + "  integrations:\n" + strings.Repeat("    - {}\n", 150)
	_, err = Parse("f.yaml", []byte(many))
	if errs := problems(t, err); errs.Len() != maxProblems+1 || !strings.Contains(err.Error(), "more problems not shown") {
		t.Errorf("cap: %d problems", errs.Len())
	}
}

func TestInMemoryConfigKeepsFalse(t *testing.T) {
	c := &Config{Azure: &Azure{TenantID: "11111111-2222-3333-4444-555555555555", App: AzureApp{AdminConsent: false}},
		UEM: &UEM{Boxer: &Boxer{}, Integrations: []Integration{{DeviceDeletionThreshold: 0}}}}
	ApplyEnv(c, func(k string) string {
		if k == "FLOWSCTL_UEM_URL" {
			return "https://uem.example.com"
		}
		return ""
	})
	ApplyDefaults(c)
	if c.Azure.App.AdminConsent || c.UEM.Boxer.Enabled || c.UEM.Integrations[0].DeviceDeletionThreshold != 0 {
		t.Errorf("in-memory false/0 replaced: %+v %+v", c.Azure.App, c.UEM.Boxer)
	}
	if c.UEM.URL != "https://uem.example.com" || c.UEM.Boxer.SyncTimeHours != 24 || c.Azure.App.Secret.Lifetime.String() != "12mo" {
		t.Errorf("defaults/env not applied: %+v", c.UEM)
	}
}

func TestResolvePath(t *testing.T) {
	home, _ := os.UserHomeDir()
	wd, _ := os.Getwd()
	cases := []struct{ cfg, in, want string }{
		{"", "rel/x", "rel/x"},
		{"/etc/flowsctl/flowsctl.yaml", "secrets/x", "/etc/flowsctl/secrets/x"},
		{"/etc/flowsctl/flowsctl.yaml", "/abs/x", "/abs/x"},
		{"conf/flowsctl.yaml", "s", filepath.Join(wd, "conf", "s")},
		{"flowsctl.yaml", "../s", filepath.Join(filepath.Dir(wd), "s")},
		{"/etc/f.yaml", "~/s", filepath.Join(home, "s")},
		{"/etc/f.yaml", "", ""},
	}
	for _, tc := range cases {
		c := &Config{Path: tc.cfg}
		if got := c.ResolvePath(tc.in); got != tc.want {
			t.Errorf("ResolvePath(%q) with config %q = %q, want %q", tc.in, tc.cfg, got, tc.want)
		}
	}
}

// Characters YAML refuses are reported at their line and column (yaml.v3 says only "control
// characters are not allowed"), and only a document that uses aliases is told its aliases expand.
func TestUnreadableDocumentsArePositioned(t *testing.T) {
	tests := []struct {
		name, doc, want string
		line, col       int
	}{
		{"nul", "azure:\n  tenant: \"a\x00b\"\n", "NUL byte", 2, 13},
		{"bell", "\x07azure: {}\n", "control character (0x07)", 1, 1},
		{"del", "azure:\n  x: \x7f\n", "control character (0x7F)", 2, 6},
		{"not utf-8", "azure:\n  x: \xff\xfe\n", "not UTF-8 (0xFF)", 2, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			p := problems(t, err).Problems[0]
			if !strings.Contains(p.Message, tt.want) || p.Line != tt.line || p.Column != tt.col {
				t.Errorf("got %d:%d %q, want %d:%d %q", p.Line, p.Column, p.Message, tt.line, tt.col, tt.want)
			}
		})
	}
	// A big document without aliases is too large, not an alias bomb.
	big := okUEM + "  integrations:\n    - {name: a, groups: [" + strings.Repeat("x,", decodeBudget) + "x]}\n"
	_, err := Parse("f.yaml", []byte(big))
	if err == nil || !strings.Contains(err.Error(), "too large") || strings.Contains(err.Error(), "alias") {
		t.Errorf("big document: %v", err)
	}
}

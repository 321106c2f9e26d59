package oktaemu

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// Seeded identifiers.
const (
	// ServiceClientID is the API service app that signs in with private_key_jwt.
	ServiceClientID = "0oaFlowsctlService"
	// ServiceKeyID is the kid the service app's public key is registered under.
	ServiceKeyID = "flowsctl-key"
	// DefaultUserType is the id of the default Okta user type (the profile mappings' source).
	DefaultUserType = "otyDefault"
	// Domain is the seeded users' login and email domain.
	Domain = "okta.example.com"
	// ServiceKeyFile is the secret file (under DIR/secrets) holding the service app's PEM key.
	ServiceKeyFile = "okta-service-key.pem"
)

// Catalog app names the emulator accepts on POST /api/v1/apps.
const (
	AppSCIM2  = "scim2testapp"
	AppAccess = "vmwareworkspaceone"
	AppOIDC   = "oidc_client"
)

// GrantedScopes are the scopes granted to the service app.
var GrantedScopes = []string{"okta.apps.manage", "okta.apps.read", "okta.groups.read", "okta.users.read",
	"okta.profileMappings.manage", "okta.schemas.read", "okta.logs.read"}

// DefaultRateLimit is the per-minute request limit announced in X-Rate-Limit-Limit.
const DefaultRateLimit = 600

// Emulator is the "okta" service. Safe for concurrent requests.
type Emulator struct {
	// RefuseConnections makes POST /api/v1/apps/{appId}/connections/default answer 400, as Okta
	// does for catalog apps whose provisioning connection cannot be set up through the API.
	// Set it before serving requests.
	RefuseConnections bool

	serviceKey *rsa.PrivateKey // the service app's key pair (public half registered)
	orgKey     *rsa.PrivateKey // signs access tokens, published at /oauth2/v1/keys
	orgKid     string
	apiToken   string

	mu     sync.Mutex
	now    func() time.Time
	url    string
	client *httpx.Client // outgoing provisioning requests (sandbox CA)

	rate rateWindow

	tokens map[string]accessToken
	jtis   map[string]time.Time

	users    []*user
	groups   []*group
	apps     []*app
	mappings []*profileMapping
	logs     []logEvent // the System Log, oldest first

	// prov serialises provisioning runs: they call other services without holding mu.
	prov sync.Mutex
}

type accessToken struct {
	scopes map[string]bool
	exp    time.Time
}

// New returns an emulator with the seeded org and a fresh service app key pair.
func New() *Emulator {
	e := &Emulator{now: time.Now}
	var err error
	if e.serviceKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic("oktaemu: " + err.Error())
	}
	if e.orgKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic("oktaemu: " + err.Error())
	}
	e.orgKid = "org-" + randHex(8)
	e.apiToken = "00" + randHex(20)
	e.resetLocked()
	return e
}

func (e *Emulator) Name() string { return "okta" }

// ServiceKey is the service app's private key (the config fragment writes it as PEM).
func (e *Emulator) ServiceKey() *rsa.PrivateKey { return e.serviceKey }

// ServiceKeyPEM is the service app's private key as a PKCS#8 PEM block.
func (e *Emulator) ServiceKeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(e.serviceKey)
	if err != nil {
		panic("oktaemu: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// APIToken is the seeded API token, accepted as Authorization: SSWS <token>.
func (e *Emulator) APIToken() string { return e.apiToken }

// Bind learns the org URL and builds the outgoing client trusting the sandbox CA.
func (e *Emulator) Bind(env *sandbox.Env) {
	c, _ := httpx.New(httpx.Options{CAPEM: env.CAPEM, UserAgent: "Okta SCIM Client 1.0.0", MaxRetries: 1,
		BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond, Timeout: 10 * time.Second})
	e.mu.Lock()
	e.url = strings.TrimRight(env.URL("okta"), "/")
	e.client = c
	e.mu.Unlock()
}

// OIDCSecretFile is where, under the sandbox's secrets folder, apply writes the OIDC app's
// client secret.
const OIDCSecretFile = "okta-oidc-client-secret"

// ConfigFragment is the okta section, present when the sandbox has a Workspace ONE service
// for Okta to provision into. The service app's private key becomes a secret file.
func (e *Emulator) ConfigFragment(env *sandbox.Env) (map[string]any, map[string]string) {
	if env.Has == nil || (!env.Has("identity") && !env.Has("access")) {
		return nil, nil
	}
	sec := map[string]any{
		"okta": map[string]any{
			"url": env.URL("okta"),
			"auth": map[string]any{
				"clientId":   ServiceClientID,
				"privateKey": "file:" + env.SecretPath(ServiceKeyFile),
				"keyId":      ServiceKeyID,
				// The defaults and okta.logs.read, so that doctor can quote the System Log.
				"scopes": GrantedScopes,
			},
			"assignGroups": []string{"WS1 Users"},
			"pushGroups":   []string{"WS1 Push"},
		},
	}
	if env.Has("identity") {
		// The OIDC app (the Identity Services path) writes its secret in the sandbox's folder
		// like every other secret, so a copy of the config (a fleet folder's tenant) never
		// shares it with another sandbox's.
		sec["okta"].(map[string]any)["oidcApp"] = map[string]any{"secretSink": "file:" + env.SecretPath(OIDCSecretFile)}
	}
	return sec, map[string]string{ServiceKeyFile: string(e.ServiceKeyPEM())}
}

// Reset restores the seeded org: five users, three groups, no apps, no tokens.
func (e *Emulator) Reset() {
	e.mu.Lock()
	e.resetLocked()
	e.mu.Unlock()
}

func (e *Emulator) resetLocked() {
	e.tokens = map[string]accessToken{}
	e.jtis = map[string]time.Time{}
	e.rate = rateWindow{limit: DefaultRateLimit}
	e.apps, e.mappings, e.logs = nil, nil, nil
	t := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	e.users = nil
	for _, n := range []struct{ login, first, last string }{
		{"ann", "Ann", "Archer"}, {"bob", "Bob", "Baker"}, {"carol", "Carol", "Cole"}, {"dave", "Dave", "Dunn"}, {"erin", "Erin", "Evans"},
	} {
		e.users = append(e.users, &user{id: seedID("00u", n.login), login: n.login + "@" + Domain, email: n.login + "@" + Domain,
			first: n.first, last: n.last, status: "ACTIVE", created: t, updated: t})
	}
	ids := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, seedID("00u", n))
		}
		return out
	}
	e.groups = []*group{
		{id: seedID("00g", "everyone"), name: "Everyone", desc: "All users in your organization", typ: "BUILT_IN",
			members: ids("ann", "bob", "carol", "dave", "erin"), created: t, updated: t},
		{id: seedID("00g", "ws1users"), name: "WS1 Users", desc: "Provisioned to Workspace ONE", typ: "OKTA_GROUP",
			members: ids("ann", "bob", "carol"), created: t, updated: t},
		{id: seedID("00g", "ws1push"), name: "WS1 Push", desc: "Pushed to Workspace ONE", typ: "OKTA_GROUP",
			members: ids("ann", "bob"), created: t, updated: t},
	}
}

// seedID is a stable 20-character Okta-style id for a seeded object.
func seedID(prefix, name string) string {
	id := prefix + "seed" + name
	for len(id) < 20 {
		id += "0"
	}
	return id
}

const idChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newID is an Okta-style id: a 3-character prefix and 17 random alphanumerics.
func newID(prefix string) string {
	b := make([]byte, 17)
	rand.Read(b)
	for i := range b {
		b[i] = idChars[int(b[i])%len(idChars)]
	}
	return prefix + string(b)
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (e *Emulator) orgURL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.url
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Handler serves the org: OAuth endpoints and the management API, every answer with rate-limit headers.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/v1/token", e.token)
	mux.HandleFunc("GET /oauth2/v1/keys", e.keys)
	mux.HandleFunc("GET /.well-known/openid-configuration", e.discovery)

	const a = "/api/v1/apps"
	read, manage := []string{"okta.apps.read", "okta.apps.manage"}, []string{"okta.apps.manage"}
	mux.HandleFunc("GET "+a, e.api(read, e.listApps))
	mux.HandleFunc("POST "+a, e.api(manage, e.createApp))
	mux.HandleFunc("GET "+a+"/{appId}", e.api(read, e.withApp(e.getApp)))
	mux.HandleFunc("PUT "+a+"/{appId}", e.api(manage, e.replaceApp))
	mux.HandleFunc("GET "+a+"/{appId}/credentials/secrets", e.api(read, e.withApp(e.listSecrets)))
	mux.HandleFunc("POST "+a+"/{appId}/credentials/secrets", e.api(manage, e.withApp(e.createSecret)))
	mux.HandleFunc("GET "+a+"/{appId}/connections/default", e.api(read, e.withApp(e.getConnection)))
	mux.HandleFunc("POST "+a+"/{appId}/connections/default", e.api(manage, e.setConnection))
	mux.HandleFunc("POST "+a+"/{appId}/connections/default/lifecycle/activate", e.api(manage, e.activateConnection))
	mux.HandleFunc("POST "+a+"/{appId}/connections/default/lifecycle/deactivate", e.api(manage, e.deactivateConnection))
	mux.HandleFunc("GET "+a+"/{appId}/features", e.api(read, e.withApp(e.listFeatures)))
	mux.HandleFunc("GET "+a+"/{appId}/features/{name}", e.api(read, e.withApp(e.getFeature)))
	mux.HandleFunc("PUT "+a+"/{appId}/features/{name}", e.api(manage, e.putFeature))
	mux.HandleFunc("GET "+a+"/{appId}/groups", e.api(read, e.withApp(e.listAppGroups)))
	mux.HandleFunc("GET "+a+"/{appId}/groups/{groupId}", e.api(read, e.withApp(e.getAppGroup)))
	mux.HandleFunc("PUT "+a+"/{appId}/groups/{groupId}", e.api(manage, e.assignGroup))
	mux.HandleFunc("DELETE "+a+"/{appId}/groups/{groupId}", e.api(manage, e.withApp(e.unassignGroup)))
	mux.HandleFunc("GET "+a+"/{appId}/users", e.api(read, e.withApp(e.listAppUsers)))
	mux.HandleFunc("GET "+a+"/{appId}/users/{userId}", e.api(read, e.withApp(e.getAppUser)))
	gp := a + "/{appId}/group-push/mappings"
	mux.HandleFunc("GET "+gp, e.api(read, e.withApp(e.listPush)))
	mux.HandleFunc("POST "+gp, e.api(manage, e.createPush))
	mux.HandleFunc("GET "+gp+"/{mappingId}", e.api(read, e.withApp(e.getPush)))
	mux.HandleFunc("PATCH "+gp+"/{mappingId}", e.api(manage, e.patchPush))
	mux.HandleFunc("DELETE "+gp+"/{mappingId}", e.api(manage, e.withApp(e.deletePush)))

	groups := []string{"okta.groups.read", "okta.groups.manage"}
	mux.HandleFunc("GET /api/v1/groups", e.api(groups, e.listGroups))
	mux.HandleFunc("GET /api/v1/groups/{groupId}", e.api(groups, e.getGroup))
	mux.HandleFunc("GET /api/v1/groups/{groupId}/users", e.api(groups, e.listGroupUsers))
	users := []string{"okta.users.read", "okta.users.manage"}
	mux.HandleFunc("GET /api/v1/users", e.api(users, e.listUsers))
	mux.HandleFunc("GET /api/v1/users/{userId}", e.api(users, e.getUser))

	maps := []string{"okta.profileMappings.manage", "okta.profileMappings.read"}
	mux.HandleFunc("GET /api/v1/logs", e.api([]string{"okta.logs.read"}, e.listLogs))
	mux.HandleFunc("GET /api/v1/mappings", e.api(maps, e.listMappings))
	mux.HandleFunc("GET /api/v1/mappings/{mappingId}", e.api(maps, e.getMapping))
	mux.HandleFunc("POST /api/v1/mappings/{mappingId}", e.api([]string{"okta.profileMappings.manage"}, e.updateMapping))
	mux.HandleFunc("GET /api/v1/meta/schemas/apps/{appId}/default", e.api([]string{"okta.schemas.read", "okta.schemas.manage"}, e.withApp(e.getAppSchema)))

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		notFound(w, r.URL.Path, "Page")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !e.rateLimit(w) {
			return
		}
		mux.ServeHTTP(w, r)
	})
}

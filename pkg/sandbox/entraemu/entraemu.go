// Package entraemu emulates the two Microsoft services flowsctl's Entra step talks to: the
// Entra ID security token service ("sts": OpenID metadata, instance discovery, the v2.0 token
// endpoint with client credentials (secret, certificate assertion or federated workload
// assertion), device code and refresh tokens, RS256 JWTs) and Microsoft
// Graph v1.0 ("graph": applications, servicePrincipals, oauth2PermissionGrants with their OData
// key syntax, $filter/$select, Graph's error bodies and Entra's replication delay).
//
// Both emulators share one tenant: tokens the STS signs are the ones Graph accepts.
package entraemu

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// Sandbox identities. They are fixed so a generated flowsctl.yaml reads the same on every run.
const (
	// TenantID is the emulated directory.
	TenantID = "7d0a5c1e-3b4f-4e8a-9c21-5f6e7a8b9c0d"
	// SignInClientID is the confidential client the sandbox config signs in with (clientsecret).
	SignInClientID = "0f4b6a52-8c1d-4e7f-a3b9-2d5c6e7f8a91"
	// PublicClientID is a public client for the device code flow.
	PublicClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	// AdminUPN is the signed-in user of delegated flows (a Cloud Application Administrator).
	AdminUPN = "admin@flowsctl-sandbox.onmicrosoft.com"
	// GraphAppID is Microsoft Graph's application id (the same in every tenant).
	GraphAppID = "00000003-0000-0000-c000-000000000000"

	// EnvReplicationDelay sets the replication delay of a sandbox started by `flowsctl sandbox up`
	// (a Go duration such as 5s). The default is 0 so that apply is fast.
	EnvReplicationDelay = "FLOWSCTL_SANDBOX_ENTRA_REPLICATION_DELAY"
)

// Client is an application registered in the emulated tenant that may sign in to the STS.
type Client struct {
	ID     string
	Secret string // "" for a public client
	// Roles are the application permissions (app roles on Microsoft Graph) of client-credentials tokens.
	Roles []string
	// Scopes are the delegated permissions of user tokens (device code, refresh).
	Scopes []string
	// Certificates sign client assertions of the certificate credential (x5t / x5t#S256).
	Certificates []*x509.Certificate
	// Federated are workload identity federation records (client assertions from another issuer).
	Federated []FederatedCredential
}

// Option configures the emulators.
type Option func(*tenant)

// WithReplicationDelay makes a new application or service principal invisible to reads and
// dependent writes for d, answering with Entra's real replication errors meanwhile.
func WithReplicationDelay(d time.Duration) Option { return func(t *tenant) { t.delay = d } }

// WithClient registers another client (e.g. one that lacks a permission).
func WithClient(c Client) Option { return func(t *tenant) { t.clients[c.ID] = &c } }

// New returns the STS and Graph emulators sharing one tenant.
func New(opts ...Option) (sts, graph sandbox.Emulator) {
	t := newTenant(opts...)
	return &STS{t: t}, &Graph{t: t}
}

// tenant is the shared state of both emulators.
type tenant struct {
	mu sync.Mutex

	key   *rsa.PrivateKey
	kid   string
	delay time.Duration
	// delaySet records that an option fixed the delay (the environment does not override it).
	delaySet    bool
	devicePolls int
	signInKey   string // secret of SignInClientID
	clients     map[string]*Client
	stsURL      string
	graphURL    string
	dir         string

	devices map[string]*deviceCode
	refresh map[string]refreshGrant
	codes   map[string]*authCode

	apps   *collection
	sps    *collection
	grants *collection
	now    func() time.Time
}

func newTenant(opts ...Option) *tenant {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(fmt.Sprintf("entraemu: generate signing key: %v", err))
	}
	t := &tenant{key: key, kid: randomString(16), devicePolls: 1, clients: map[string]*Client{}, now: time.Now}
	t.signInKey = "sbx" + randomString(37)
	t.clients[SignInClientID] = &Client{ID: SignInClientID, Secret: t.signInKey,
		Roles: []string{"Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"}}
	t.clients[PublicClientID] = &Client{ID: PublicClientID,
		Scopes: []string{"Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All", "User.Read"}}
	for _, o := range opts {
		before := t.delay
		o(t)
		if t.delay != before {
			t.delaySet = true
		}
	}
	t.resetObjects()
	return t
}

// resetObjects returns the directory to its seed: the Microsoft Graph service principal only.
func (t *tenant) resetObjects() {
	t.apps = newCollection()
	t.sps = newCollection()
	t.grants = newCollection()
	t.devices = map[string]*deviceCode{}
	t.refresh = map[string]refreshGrant{}
	t.codes = map[string]*authCode{}
	sp := graphServicePrincipal()
	t.sps.put(sp["id"].(string), sp, time.Time{})
}

func (t *tenant) bind(env *sandbox.Env) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stsURL = env.URL("sts")
	t.graphURL = env.URL("graph")
	t.dir = env.Dir
	if !t.delaySet {
		if v := os.Getenv(EnvReplicationDelay); v != "" {
			if d, err := time.ParseDuration(v); err == nil && d >= 0 {
				t.delay = d
			}
		}
	}
}

// SetReplicationDelay changes the delay for objects created from now on (tests).
func (g *Graph) SetReplicationDelay(d time.Duration) {
	g.t.mu.Lock()
	g.t.delay = d
	g.t.delaySet = true
	g.t.mu.Unlock()
}

// SignInSecret is the client secret of SignInClientID (the sandbox config references it by file).
func (s *STS) SignInSecret() string { return s.t.signInKey }

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	s := base64.RawURLEncoding.EncodeToString(b)
	out := make([]byte, 0, n)
	for i := 0; len(out) < n; i++ {
		c := s[i%len(s)]
		if c == '-' || c == '_' {
			c = 'x'
		}
		out = append(out, c)
	}
	return string(out)
}

func newGUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

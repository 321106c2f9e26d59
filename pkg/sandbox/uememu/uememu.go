// Package uememu emulates the Workspace ONE UEM REST API (the "as" host) for the sandbox:
// system info, organization groups (v1 and v2 shapes, children), smart groups, users, admins,
// devices, apps search, v2 app assignment rules with application_configuration, tags; the OAuth
// token endpoint (per region path) and Basic + aw-tenant-code; version negotiation through
// Accept; 204 on empty searches; x-ratelimit-* headers and 429 when the quota is spent.
// Response shapes and headers follow the recorded session in contracts/uem/recorded-session.har.
package uememu

import (
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// Emulator is the `uem` service.
type Emulator struct {
	mu sync.Mutex

	oauthSecret, restrictedSecret, dashboardSecret, password, tenantCode string

	ogs    []*og
	sgs    []*smartGroup
	apps   []*app
	users  []user
	devs   []device
	tags   []tag
	tokens map[string]tokenInfo

	quota     int
	window    time.Duration
	used      int
	windowEnd time.Time
	now       func() time.Time

	url string
}

type tokenInfo struct {
	client string
	exp    time.Time
}

// Option tunes an emulator (tests).
type Option func(*Emulator)

// WithQuota sets the API quota per window (default 250000 per 24h).
func WithQuota(n int, window time.Duration) Option {
	return func(e *Emulator) { e.quota, e.window = n, window }
}

// New returns a seeded emulator with fresh random credentials.
func New(opts ...Option) *Emulator {
	e := &Emulator{quota: defaultQuota, window: 24 * time.Hour, now: time.Now,
		oauthSecret: "uem-oauth-" + sandbox.RandHex(16), restrictedSecret: "uem-restricted-" + sandbox.RandHex(16),
		dashboardSecret: "uem-dashboard-" + sandbox.RandHex(16),
		password:        "uem-pass-" + sandbox.RandHex(12), tenantCode: "uem-key-" + sandbox.RandHex(16)}
	for _, o := range opts {
		o(e)
	}
	e.Reset()
	return e
}

// Credentials the sandbox hands out (tests use them directly).
func (e *Emulator) OAuthSecret() string      { return e.oauthSecret }
func (e *Emulator) RestrictedSecret() string { return e.restrictedSecret }
func (e *Emulator) DashboardSecret() string  { return e.dashboardSecret }
func (e *Emulator) Password() string         { return e.password }
func (e *Emulator) TenantCode() string       { return e.tenantCode }

func (e *Emulator) Name() string { return "uem" }

// Reset restores the seeded tenant (credentials stay: the config files point at them).
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ogs, e.sgs, e.apps = seedOGs(), seedSmartGroups(), seedApps()
	e.users, e.devs, e.tags = seedUsers(), seedDevices(), seedTags()
	e.tokens = map[string]tokenInfo{}
	e.used, e.windowEnd = 0, time.Time{}
}

// Bind learns the emulator's own URL for the config fragment and HAL-style links.
func (e *Emulator) Bind(env *sandbox.Env) { e.url = env.URL("uem") }

// ConfigFragment is the uem section: OAuth (tokenUrl at this emulator) and Basic + API key,
// the ACME OG, Boxer on "All Boxer Users" and one third-party integration inside the integration preflight guide's ranges.
func (e *Emulator) ConfigFragment(env *sandbox.Env) (map[string]any, map[string]string) {
	u := env.URL("uem")
	uemSec := map[string]any{
		"url": u,
		"auth": map[string]any{
			"oauth": map[string]any{
				"tokenUrl":     u + "/na/connect/token",
				"clientId":     OAuthClientID,
				"clientSecret": "file:" + env.SecretPath("uem-oauth-client-secret"),
			},
			"basic": map[string]any{
				"username": BasicUser,
				"password": "file:" + env.SecretPath("uem-api-password"),
			},
			"apiKey": "file:" + env.SecretPath("uem-api-key"),
		},
		"organizationGroup": "ACME",
		"boxer": map[string]any{
			"enabled":              true,
			"smartGroups":          []any{AllBoxerUsersName},
			"syncTimeHours":        24,
			"autoEnableConnectors": false,
		},
		"integrations": []any{
			map[string]any{
				"name":                    "Harmony Mobile",
				"groups":                  []any{"ACME Sales", "Executives"},
				"deviceSyncInterval":      "60m",
				"deviceDeletionThreshold": 100,
				"deviceDeletionAfter":     3,
				"appSyncInterval":         "1440m",
				"tagging":                 map[string]any{"status": true, "risk": true, "threatFactors": true},
				"auth": map[string]any{"oauth": map[string]any{
					"tokenUrl":     u + "/na/connect/token",
					"clientId":     DashboardClientID,
					"clientSecret": "file:" + env.SecretPath("uem-dashboard-client-secret"),
				}},
			},
		},
	}
	return map[string]any{"uem": uemSec}, map[string]string{
		"uem-oauth-client-secret":     e.oauthSecret,
		"uem-api-password":            e.password,
		"uem-api-key":                 e.tenantCode,
		"uem-dashboard-client-secret": e.dashboardSecret,
	}
}

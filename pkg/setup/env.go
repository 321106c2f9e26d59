package setup

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// PublicEndpoints are the cloud hosts a real deployment depends on even when the config does not
// name them: the mobile flows service (Boxer, connectors and the Entra redirect URI point at it),
// Microsoft Graph (the Teams connector's backend) and the Entra sign-in authority.
//
// The rule: doctor probes them only when the config is NOT all-loopback. A config whose every
// URL is on 127.0.0.1, ::1 or localhost is a sandbox rehearsal (flowsctl sandbox up / demo), which
// must work offline; any other config is a real tenant, whose users' devices need these hosts.
var PublicEndpoints = []Endpoint{
	{Name: "mobileflows-cloud", URL: "https://prod.hero.vmwservices.com"},
	{Name: "graph-cloud", URL: "https://graph.microsoft.com"},
	{Name: "entra-cloud", URL: "https://login.microsoftonline.com"},
}

// Endpoint is one URL doctor checks for reachability and clock skew.
type Endpoint struct {
	Name string // short id used in the check id: env.reach.<name>
	URL  string
	// Field is the config path the URL came from (for the fix), "" for built-in endpoints.
	Field string
}

// Endpoints lists the distinct service base URLs flowsctl itself calls for a config, in a stable
// order: the Entra authority and Graph, Access, Identity Services, UEM (and its token URL) and the
// mobile flows admin API.
func Endpoints(cfg *config.Config) []Endpoint {
	var l endpointList
	if cfg.Azure != nil {
		l.add("entra", "azure.authority", cfg.Azure.Authority)
		l.add("graph", "azure.graphUrl", cfg.Azure.GraphURL)
	}
	if cfg.Access != nil {
		l.add("access", "access.url", string(cfg.Access.URL))
	}
	if cfg.IdentityServices != nil && cfg.IdentityServices.Enabled {
		l.add("identity", "identityServices.url", string(cfg.IdentityServices.URL))
	}
	if cfg.UEM != nil {
		l.add("uem", "uem.url", string(cfg.UEM.URL))
		if o := cfg.UEM.Auth.OAuth; o != nil {
			l.add("uem-auth", "uem.auth.oauth.tokenUrl", string(o.TokenURL))
		}
		if mf := cfg.UEM.MobileFlows; mf != nil && mf.Mode == "api" {
			l.add("mobileflows-admin", "uem.mobileFlows.adminUrl", string(mf.AdminURL))
		}
	}
	return l.out
}

// Dependencies are URLs the tenant's services call but flowsctl does not (the mobile flows host
// Boxer and the connectors use, the Okta issuer Identity Services federates with). Doctor probes
// them, with PublicEndpoints, only for a config that is not all-loopback.
func Dependencies(cfg *config.Config) []Endpoint {
	var l endpointList
	if cfg.UEM != nil && cfg.UEM.MobileFlows != nil {
		l.add("mobileflows", "uem.mobileFlows.host", string(cfg.UEM.MobileFlows.Host))
	}
	if is := cfg.IdentityServices; is != nil && is.Enabled && is.OIDC != nil {
		l.add("okta", "identityServices.oidc.issuerUrl", string(is.OIDC.IssuerURL))
	}
	return l.out
}

type endpointList struct {
	out  []Endpoint
	seen map[string]bool
}

func (l *endpointList) add(name, field, u string) {
	u = strings.TrimSpace(u)
	if u == "" {
		return
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return
	}
	key := pu.Scheme + "://" + pu.Host
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	l.out = append(l.out, Endpoint{Name: name, URL: key, Field: field})
}

// AllLoopback reports whether every URL flowsctl calls for this config is on a loopback host (a
// sandbox config; URLs only the tenant's services call, such as the Okta issuer, do not count).
// A config naming no URL at all is not loopback.
func AllLoopback(cfg *config.Config) bool {
	eps := Endpoints(cfg)
	if len(eps) == 0 {
		return false
	}
	for _, e := range eps {
		if !isLoopbackURL(e.URL) {
			return false
		}
	}
	return true
}

func isLoopbackURL(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	h := pu.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// EnvOptions tune the environment checks.
type EnvOptions struct {
	// MaxSkew is the clock difference that fails (default 5m: OAuth tokens and JWTs start failing).
	MaxSkew time.Duration
	// WarnSkew warns (default 30s).
	WarnSkew time.Duration
	// Now is the clock (tests).
	Now func() time.Time
}

// EnvProbes are doctor's environment checks for cfg: reachability (DNS, TLS, HTTP) and clock skew
// of every endpoint (plus PublicEndpoints unless the config is all-loopback), and the secret
// files the config points at (present, 0600, and for tokens, not expired).
func EnvProbes(cfg *config.Config, hc *httpx.Client, o EnvOptions) []doctor.Probe {
	if o.MaxSkew <= 0 {
		o.MaxSkew = 5 * time.Minute
	}
	if o.WarnSkew <= 0 {
		o.WarnSkew = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	eps := Endpoints(cfg)
	if !AllLoopback(cfg) {
		have := map[string]bool{}
		for _, e := range eps {
			have[e.URL] = true
		}
		for _, e := range append(Dependencies(cfg), PublicEndpoints...) {
			if !have[e.URL] {
				have[e.URL] = true
				eps = append(eps, e)
			}
		}
	}
	var ps []doctor.Probe
	for _, e := range eps {
		ps = append(ps, doctor.Probe{ID: "env.reach." + e.Name, Title: "reach " + e.URL, Run: func(ctx context.Context) []doctor.Check {
			return reach(ctx, hc, e, o)
		}})
	}
	warn := 30 * config.Day
	if cfg.Doctor != nil && !cfg.Doctor.WarnSecretExpiryBefore.IsZero() {
		warn = cfg.Doctor.WarnSecretExpiryBefore.D
	}
	for _, s := range secretRefs(cfg) {
		ps = append(ps, doctor.Probe{ID: "env.secret." + s.name, Title: "secret " + s.field, Run: func(ctx context.Context) []doctor.Check {
			return []doctor.Check{secretCheck(cfg, s, warn, o.Now())}
		}})
	}
	return ps
}

// reach resolves the host, shakes hands over TLS with the configured trust and reads the Date header.
func reach(ctx context.Context, hc *httpx.Client, e Endpoint, o EnvOptions) []doctor.Check {
	id := "env.reach." + e.Name
	title := fmt.Sprintf("%s is reachable (DNS, TLS, HTTP)", e.URL)
	fixField := "check the URL"
	if e.Field != "" {
		fixField = "check " + e.Field + " in flowsctl.yaml"
	}
	pu, _ := url.Parse(e.URL)
	host := pu.Hostname()
	var addrs []string
	if net.ParseIP(host) == nil {
		var err error
		addrs, err = net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail,
				Detail: fmt.Sprintf("DNS lookup of %s failed: %v", host, err),
				Fix:    fmt.Sprintf("%s, and that this machine's DNS resolves %s (try: nslookup %s)", fixField, host, host)}}
		}
	} else {
		addrs = []string{host}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, e.URL+"/", nil)
	if err != nil {
		return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: err.Error(), Fix: fixField}}
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		fix := fmt.Sprintf("%s; check the network path to %s:443 (proxy, firewall)", fixField, host)
		if strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "x509") {
			fix = fmt.Sprintf("the server's certificate is not trusted: pass its CA with --ca-file FILE (or uem.caFile for UEM), or %s", fixField)
		}
		return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: fmt.Sprintf("%s: %v", e.URL, err), Fix: fix}}
	}
	rtt := time.Since(start)
	resp.Body.Close()
	detail := fmt.Sprintf("%s resolves to %s; HTTP %d", host, strings.Join(addrs, ", "), resp.StatusCode)
	if cs := resp.TLS; cs != nil {
		detail += "; " + tlsVersion(cs.Version)
		if len(cs.PeerCertificates) > 0 {
			leaf := cs.PeerCertificates[0]
			detail += fmt.Sprintf(", certificate valid until %s", leaf.NotAfter.UTC().Format("2006-01-02"))
		}
	}
	out := []doctor.Check{{ID: id, Title: title, Status: doctor.Pass, Detail: detail}}
	// Clock skew: the Date header has one-second resolution and is stamped somewhere within the
	// round trip, so allow the RTT plus a second before calling it skew.
	cid := "env.clock." + e.Name
	ctitle := fmt.Sprintf("clock agrees with %s", host)
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		out = append(out, doctor.Check{ID: cid, Title: ctitle, Status: doctor.Skip, Detail: "the server sent no Date header"})
		return out
	}
	now := o.Now()
	skew := now.Sub(d)
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	slack := rtt + time.Second
	abs -= slack
	if abs < 0 {
		abs = 0
	}
	c := doctor.Check{ID: cid, Title: ctitle, Status: doctor.Pass, Detail: fmt.Sprintf("local clock differs from %s by %s", host, skew.Round(time.Second))}
	switch {
	case abs > o.MaxSkew:
		c.Status = doctor.Fail
		c.Fix = "synchronise this machine's clock (e.g. timedatectl set-ntp true, or w32tm /resync); OAuth tokens and JWTs fail beyond a few minutes of skew"
	case abs > o.WarnSkew:
		c.Status = doctor.Warn
		c.Fix = "synchronise this machine's clock (e.g. timedatectl set-ntp true)"
	}
	return append(out, c)
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLS 1.3"
	case tls.VersionTLS12:
		return "TLS 1.2"
	}
	return fmt.Sprintf("TLS 0x%04x", v)
}

type secretRef struct {
	name, field string
	ref         config.SecretRef
	// sink: flowsctl writes it (apply creates it); otherwise the admin provides it.
	sink bool
	// token: the value is a bearer token that may be a JWT with an exp claim.
	token bool
}

func secretRefs(cfg *config.Config) []secretRef {
	var out []secretRef
	add := func(name, field string, ref config.SecretRef, sink, token bool) {
		if ref != "" { // absolute already: config.Load made every file: reference absolute
			out = append(out, secretRef{name: name, field: field, ref: ref, sink: sink, token: token})
		}
	}
	if a := cfg.Azure; a != nil {
		add("azure-signin", "azure.signIn.clientSecret", a.SignIn.ClientSecret, false, false)
		add("azure-app", "azure.app.secret.sink", a.App.Secret.Sink, true, false)
	}
	if a := cfg.Access; a != nil {
		add("access-admin", "access.auth.clientSecret", a.Auth.ClientSecret, false, false)
		if a.SCIMClient != nil {
			add("access-scim-client", "access.scimClient.secretSink", a.SCIMClient.SecretSink, true, false)
		}
	}
	if is := cfg.IdentityServices; is != nil && is.Enabled {
		add("identity-scim-token", "identityServices.scimToken.sink", is.SCIMToken.Sink, true, true)
		if is.OIDC != nil {
			add("okta-oidc", "identityServices.oidc.clientSecret", is.OIDC.ClientSecret, false, false)
		}
	}
	if u := cfg.UEM; u != nil {
		if u.Auth.OAuth != nil {
			add("uem-oauth", "uem.auth.oauth.clientSecret", u.Auth.OAuth.ClientSecret, false, false)
		}
		if u.Auth.Basic != nil {
			add("uem-basic", "uem.auth.basic.password", u.Auth.Basic.Password, false, false)
		}
		add("uem-apikey", "uem.auth.apiKey", u.Auth.APIKey, false, false)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// secretCheck resolves a reference (never showing the value): an env var set, a file present and
// 0600; a token that is a JWT is checked for expiry against warn.
func secretCheck(cfg *config.Config, s secretRef, warn time.Duration, now time.Time) doctor.Check {
	c := doctor.Check{ID: "env.secret." + s.name, Title: fmt.Sprintf("secret %s (%s) is readable", s.field, s.ref), Status: doctor.Pass}
	v, err := cfg.Secret(s.ref)
	if err != nil && s.sink && s.ref.Kind() == "file" && os.IsNotExist(unwrapPathErr(s.ref)) {
		// A sink is written by apply; whether it must exist is its step's check.
		c.Status, c.Detail = doctor.Skip, fmt.Sprintf("%s is not written yet (flowsctl apply writes it)", s.ref)
		return c
	}
	if err != nil {
		c.Status, c.Detail = doctor.Fail, err.Error()
		switch {
		case s.sink && s.ref.Kind() == "file" && os.IsNotExist(unwrapPathErr(s.ref)):
			c.Fix = "run: flowsctl apply (it creates the secret and writes it to " + s.ref.Target() + ")"
		case strings.Contains(err.Error(), "chmod"):
			c.Fix = "run: chmod 600 " + s.ref.Target()
		case s.ref.Kind() == "file" && os.IsNotExist(unwrapPathErr(s.ref)):
			c.Fix = fmt.Sprintf("write the secret to %s (mode 0600), or point %s at env:NAME", s.ref.Target(), s.field)
		case s.ref.Kind() == "env":
			c.Fix = fmt.Sprintf("export %s (in CI: from the secret store, see docs/ci.md)", s.ref.Target())
		default:
			c.Fix = fmt.Sprintf("set %s to env:NAME or file:PATH holding the secret", s.field)
		}
		return c
	}
	c.Detail = fmt.Sprintf("%s resolves (%d characters)", s.ref, len(v))
	if !s.token {
		return c
	}
	exp, ok := httpx.JWTExpiry(v)
	if !ok {
		return c
	}
	left := exp.Sub(now)
	c.Detail = fmt.Sprintf("token expires %s (in %s)", exp.UTC().Format(time.RFC3339), config.FormatDuration(left.Truncate(time.Minute)))
	switch {
	case left <= 0:
		c.Status = doctor.Fail
		c.Detail = fmt.Sprintf("token expired %s", exp.UTC().Format(time.RFC3339))
		c.Fix = "run: flowsctl identity token generate (then paste the new token into Okta's SCIM app, Provisioning > Integration)"
	case left < warn:
		c.Status = doctor.Warn
		c.Fix = "rotate before it expires: flowsctl identity token generate, then update Okta's SCIM app"
	}
	return c
}

func unwrapPathErr(ref config.SecretRef) error {
	_, err := os.Stat(ref.Target())
	return err
}

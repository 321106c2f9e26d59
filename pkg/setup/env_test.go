package setup

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
)

func TestAllLoopbackRule(t *testing.T) {
	tests := []struct {
		name string
		cfg  config.Config
		want bool
	}{
		{"empty config", config.Config{}, false},
		{"sandbox", config.Config{Access: &config.Access{URL: "https://127.0.0.1:4443"}, UEM: &config.UEM{URL: "https://localhost:1"}}, true},
		{"real access", config.Config{Access: &config.Access{URL: "https://acme.vmwareidentity.com"}}, false},
		{"one real among loopback", config.Config{Access: &config.Access{URL: "https://127.0.0.1:1"}, Azure: &config.Azure{GraphURL: "https://graph.microsoft.com"}}, false},
		{"sandbox with a real Okta issuer (not called by flowsctl)", config.Config{Access: &config.Access{URL: "https://127.0.0.1:4443"},
			IdentityServices: &config.IdentityServices{Enabled: true, URL: "https://127.0.0.1:4444", OIDC: &config.IdentityOIDC{IssuerURL: "https://example.okta.com"}},
			UEM:              &config.UEM{URL: "https://127.0.0.1:4445", MobileFlows: &config.MobileFlows{Host: "https://prod.hero.vmwservices.com"}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AllLoopback(&tt.cfg); got != tt.want {
				t.Fatalf("AllLoopback = %v, want %v", got, tt.want)
			}
			hc, _ := httpx.New(httpx.Options{})
			ps := EnvProbes(&tt.cfg, hc, EnvOptions{})
			public := false
			for _, p := range ps {
				if p.ID == "env.reach.mobileflows-cloud" {
					public = true
				}
			}
			if public == tt.want {
				t.Fatalf("public endpoints probed = %v for all-loopback = %v", public, tt.want)
			}
		})
	}
}

func jwt(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(fmt.Sprintf(`{"exp":%d}`, exp.Unix()))) + ".sig"
}

func TestSecretCheck(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	write := func(name, v string, mode os.FileMode) config.SecretRef {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v+"\n"), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return config.SecretRef("file:" + p)
	}
	tests := []struct {
		name   string
		s      secretRef
		status doctor.Status
		fix    string
	}{
		{"env unset", secretRef{name: "a", field: "access.auth.clientSecret", ref: "env:FLOWSCTL_TEST_UNSET_VAR"}, doctor.Fail, "export FLOWSCTL_TEST_UNSET_VAR"},
		{"sink not written yet", secretRef{name: "b", field: "azure.app.secret.sink", ref: config.SecretRef("file:" + filepath.Join(dir, "nope")), sink: true}, doctor.Skip, ""},
		{"input secret file missing", secretRef{name: "b2", field: "access.auth.clientSecret", ref: config.SecretRef("file:" + filepath.Join(dir, "nope"))}, doctor.Fail, "write the secret to"},
		{"world readable", secretRef{name: "c", field: "x", ref: write("loose", "v", 0o644)}, doctor.Fail, "chmod 600"},
		{"ok", secretRef{name: "d", field: "x", ref: write("ok", "v", 0o600)}, doctor.Pass, ""},
		{"token expired", secretRef{name: "e", field: "t", token: true, ref: write("t1", jwt(now.Add(-time.Hour)), 0o600)}, doctor.Fail, "identity token generate"},
		{"token expiring", secretRef{name: "f", field: "t", token: true, ref: write("t2", jwt(now.Add(5*config.Day)), 0o600)}, doctor.Warn, "rotate"},
		{"token fine", secretRef{name: "g", field: "t", token: true, ref: write("t3", jwt(now.Add(90*config.Day)), 0o600)}, doctor.Pass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := secretCheck(&config.Config{}, tt.s, 30*config.Day, now)
			if c.Status != tt.status || !strings.Contains(c.Fix, tt.fix) {
				t.Fatalf("got %s %q fix %q", c.Status, c.Detail, c.Fix)
			}
			if strings.Contains(c.Detail, "eyJ") {
				t.Fatal("a token value leaked into the detail")
			}
		})
	}
}

func TestReachAndClockSkew(t *testing.T) {
	tests := []struct {
		name string
		skew time.Duration
		want doctor.Status
	}{
		{"in sync", 0, doctor.Pass},
		{"a minute off", time.Minute, doctor.Warn},
		{"an hour off", time.Hour, doctor.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", time.Now().Add(tt.skew).UTC().Format(http.TimeFormat))
				w.WriteHeader(404)
			}))
			defer srv.Close()
			pemCA := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
			hc, err := httpx.New(httpx.Options{CAPEM: pemCA})
			if err != nil {
				t.Fatal(err)
			}
			cs := reach(context.Background(), hc, Endpoint{Name: "x", URL: srv.URL}, EnvOptions{MaxSkew: 5 * time.Minute, WarnSkew: 30 * time.Second, Now: time.Now})
			if len(cs) != 2 || cs[0].Status != doctor.Pass || cs[1].Status != tt.want {
				t.Fatalf("%+v", cs)
			}
			if tt.want != doctor.Pass && cs[1].Fix == "" {
				t.Fatal("a clock failure needs a fix")
			}
		})
	}
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		defer srv.Close()
		hc, _ := httpx.New(httpx.Options{MaxRetries: -1})
		cs := reach(context.Background(), hc, Endpoint{Name: "x", URL: srv.URL, Field: "access.url"}, EnvOptions{Now: time.Now})
		if cs[0].Status != doctor.Fail || !strings.Contains(cs[0].Fix, "--ca-file") {
			t.Fatalf("%+v", cs)
		}
	})
}

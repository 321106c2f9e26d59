package azure

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

var adminRoles = []string{"Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"}

const (
	certClientID     = "6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
	workloadClientID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
	federatedIssuer  = "https://oidc.ci.example.test/cluster-1"
	federatedSubject = "system:serviceaccount:platform:flowsctl"
)

// TestSignInMethods: each non-interactive azure.signIn.method signs in for real against the
// emulated STS (or, for cli, through a stand-in `az` that prints a token the STS issued) and
// registers the app; a credential the STS rejects is an authentication error naming the method.
// devicecode is TestDeviceCodeSignIn; browser needs a person at a browser and is not run here.
func TestSignInMethods(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM, cert := selfSigned(t, "flowsctl-signin")
	certFile := filepath.Join(dir, "signin.pem")
	if err := os.WriteFile(certFile, append(certPEM, keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	otherPEM, otherKey, _ := selfSigned(t, "not-registered")
	otherFile := filepath.Join(dir, "other.pem")
	if err := os.WriteFile(otherFile, append(otherPEM, otherKey...), 0o600); err != nil {
		t.Fatal(err)
	}
	fedKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clients := []entraemu.Option{
		entraemu.WithClient(entraemu.Client{ID: certClientID, Roles: adminRoles, Certificates: []*x509.Certificate{cert}}),
		entraemu.WithClient(entraemu.Client{ID: workloadClientID, Roles: adminRoles,
			Federated: []entraemu.FederatedCredential{{Issuer: federatedIssuer, Subject: federatedSubject, Key: &fedKey.PublicKey}}}),
	}
	tests := []struct {
		name    string
		signIn  config.AzureSignIn
		setup   func(t *testing.T, f *fixture)
		wantErr string // "" = registers
		viaSTS  bool   // flowsctl itself got a token from the STS (the clients of certificate and workload have no secret)
	}{
		{name: "certificate", signIn: config.AzureSignIn{Method: "certificate", ClientID: certClientID, CertificateFile: certFile},
			viaSTS: true},
		{name: "certificate not registered", signIn: config.AzureSignIn{Method: "certificate", ClientID: certClientID, CertificateFile: otherFile},
			wantErr: "AADSTS700027"},
		{name: "workload identity", signIn: config.AzureSignIn{Method: "workload", ClientID: workloadClientID},
			setup: func(t *testing.T, f *fixture) {
				tokenFile := filepath.Join(t.TempDir(), "token")
				jwt := federatedToken(t, fedKey, federatedIssuer, federatedSubject, entraemu.FederationAudience)
				if err := os.WriteFile(tokenFile, []byte(jwt), 0o600); err != nil {
					t.Fatal(err)
				}
				t.Setenv("AZURE_FEDERATED_TOKEN_FILE", tokenFile)
			},
			viaSTS: true},
		{name: "workload identity, wrong subject", signIn: config.AzureSignIn{Method: "workload", ClientID: workloadClientID},
			setup: func(t *testing.T, f *fixture) {
				tokenFile := filepath.Join(t.TempDir(), "token")
				jwt := federatedToken(t, fedKey, federatedIssuer, "system:serviceaccount:other:job", entraemu.FederationAudience)
				os.WriteFile(tokenFile, []byte(jwt), 0o600)
				t.Setenv("AZURE_FEDERATED_TOKEN_FILE", tokenFile)
			},
			wantErr: "AADSTS70021"},
		{name: "workload identity, wrong audience", signIn: config.AzureSignIn{Method: "workload", ClientID: workloadClientID},
			setup: func(t *testing.T, f *fixture) {
				tokenFile := filepath.Join(t.TempDir(), "token")
				os.WriteFile(tokenFile, []byte(federatedToken(t, fedKey, federatedIssuer, federatedSubject, "api://something-else")), 0o600)
				t.Setenv("AZURE_FEDERATED_TOKEN_FILE", tokenFile)
			},
			wantErr: "AADSTS700212"},
		{name: "default (environment credential)", signIn: config.AzureSignIn{Method: "default"},
			setup: func(t *testing.T, f *fixture) {
				secret, err := f.cfg.Azure.SignIn.ClientSecret.Resolve()
				if err != nil {
					t.Fatal(err)
				}
				t.Setenv("AZURE_TENANT_ID", entraemu.TenantID)
				t.Setenv("AZURE_CLIENT_ID", entraemu.SignInClientID)
				t.Setenv("AZURE_CLIENT_SECRET", secret)
				t.Setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential") // never probe managed identity
			},
			viaSTS: true},
		{name: "cli (az account get-access-token)", signIn: config.AzureSignIn{Method: "cli"},
			setup: func(t *testing.T, f *fixture) { fakeAz(t, f, 0) }},
		{name: "cli, az fails", signIn: config.AzureSignIn{Method: "cli"},
			setup: func(t *testing.T, f *fixture) { fakeAz(t, f, 1) }, wantErr: "az login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := start(t, clients...)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			f.cfg.Azure.SignIn = tt.signIn
			f.sb.ClearRequests("sts")
			res, err := f.registerWith(t, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !httpx.IsAuth(err) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.signIn.Method) {
					t.Fatalf("want an authentication error with %q naming the method, got %v", tt.wantErr, err)
				}
				if w := sandboxtest.Writes(t, f.sb, "graph"); len(w) > 0 {
					t.Errorf("%d Graph writes after a failed sign-in", len(w))
				}
				return
			}
			if err != nil || res.ClientID == "" {
				t.Fatalf("register with %s: %v %+v", tt.signIn.Method, err, res)
			}
			issued := 0
			for _, e := range sandboxtest.Requests(t, f.sb, "sts") {
				if strings.HasSuffix(e.Path, "/oauth2/v2.0/token") && e.Status == http.StatusOK {
					issued++
				}
			}
			if tt.viaSTS != (issued > 0) {
				t.Errorf("%d tokens issued by the STS during the run; want some: %v", issued, tt.viaSTS)
			}
		})
	}
}

// fakeAz puts an `az` on PATH that prints a Graph token the STS issued (exit 0), or fails
// as an az that is not signed in does.
func fakeAz(t *testing.T, f *fixture, exit int) {
	t.Helper()
	bin := t.TempDir()
	script := "#!/bin/sh\necho 'ERROR: Please run az login to setup account.' >&2\nexit 1\n"
	if exit == 0 {
		tok := graphToken(t, f)
		out, _ := json.Marshal(map[string]any{"accessToken": tok, "expires_on": time.Now().Add(time.Hour).Unix(),
			"tenant": entraemu.TenantID, "tokenType": "Bearer"})
		script = "#!/bin/sh\ncat <<'EOF'\n" + string(out) + "\nEOF\n"
	}
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// graphToken gets a client-credentials token for the emulated Graph from the emulated STS.
func graphToken(t *testing.T, f *fixture) string {
	t.Helper()
	secret, err := f.cfg.Azure.SignIn.ClientSecret.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	gu, _ := url.Parse(string(f.cfg.Azure.GraphURL))
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {entraemu.SignInClientID},
		"client_secret": {secret}, "scope": {gu.Scheme + "://" + gu.Host + "/.default"}}
	resp, err := f.hc.HTTPClient().PostForm(f.sb.Services["sts"].URL+"/"+entraemu.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil || out.AccessToken == "" {
		t.Fatalf("token from the STS: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

func selfSigned(t *testing.T, cn string) (certPEM, keyPEM []byte, cert *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), cert
}

// federatedToken is what a workload identity issuer (a Kubernetes cluster, a CI system) hands
// the job: an ES256 JWT about the job's identity.
func federatedToken(t *testing.T, key *ecdsa.PrivateKey, iss, sub, aud string) string {
	t.Helper()
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	now := time.Now()
	in := enc(map[string]any{"alg": "ES256", "typ": "JWT", "kid": "k1"}) + "." +
		enc(map[string]any{"iss": iss, "sub": sub, "aud": []string{aud}, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	sum := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

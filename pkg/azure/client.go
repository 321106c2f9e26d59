package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	textser "github.com/microsoft/kiota-serialization-text-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
)

const (
	defaultAuthority = "https://login.microsoftonline.com/"
	defaultGraph     = "https://graph.microsoft.com"
	// azureCLIClientID is the public client used for devicecode/browser when signIn.clientId is empty.
	azureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	sdkVersion       = "1.89.0"
)

// Client talks to Entra ID through Microsoft Graph with one sign-in.
type Client struct {
	adapter   abs.RequestAdapter
	cred      azcore.TokenCredential
	scopes    []string
	method    string
	tenant    string
	graphBase string
	hc        *httpx.Client

	requests atomic.Int64

	tokMu  sync.Mutex
	claims map[string]any

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// NewClient signs in with azure.signIn (lazily: the first Graph call fetches the token) and
// points the Graph SDK at azure.graphUrl. Both go through hc, so the CA bundle, User-Agent,
// retries and --debug redaction apply. msg receives sign-in prompts (the device code).
func NewClient(ctx context.Context, cfg *config.Config, hc *httpx.Client, msg io.Writer) (*Client, error) {
	if cfg == nil || cfg.Azure == nil {
		return nil, errors.New("flowsctl.yaml has no azure section (add one with: flowsctl init)")
	}
	if hc == nil {
		return nil, errors.New("azure: no HTTP client")
	}
	if msg == nil {
		msg = io.Discard
	}
	az := cfg.Azure
	if strings.TrimSpace(az.TenantID) == "" {
		return nil, errors.New("azure.tenantId is empty: set your Entra tenant id (Entra admin center > Overview > Tenant ID)")
	}
	graphRoot := strings.TrimRight(az.GraphURL, "/")
	if graphRoot == "" {
		graphRoot = defaultGraph
	}
	gu, err := url.Parse(graphRoot)
	if err != nil || gu.Scheme != "https" || gu.Host == "" {
		return nil, fmt.Errorf("azure.graphUrl %q: must be an https URL such as %s", az.GraphURL, defaultGraph)
	}
	c := &Client{
		hc:        hc,
		tenant:    az.TenantID,
		method:    strings.ToLower(strings.TrimSpace(az.SignIn.Method)),
		graphBase: strings.TrimSuffix(graphRoot, "/v1.0") + "/v1.0",
		scopes:    []string{gu.Scheme + "://" + gu.Host + "/.default"},
		now:       time.Now,
		sleep:     httpx.Sleep,
	}
	if c.method == "" {
		c.method = "devicecode"
	}
	c.cred, err = newCredential(cfg, hc, msg, c.method)
	if err != nil {
		return nil, err
	}
	if err := c.newAdapter(gu.Hostname()); err != nil {
		return nil, err
	}
	return c, nil
}

// newCredential builds the azidentity credential of the configured sign-in method.
func newCredential(cfg *config.Config, hc *httpx.Client, msg io.Writer, method string) (azcore.TokenCredential, error) {
	az := cfg.Azure
	authority := strings.TrimSpace(az.Authority)
	if authority == "" {
		authority = defaultAuthority
	}
	au, err := url.Parse(authority)
	if err != nil || au.Scheme != "https" || au.Host == "" {
		return nil, fmt.Errorf("azure.authority %q: must be an https URL such as %s", authority, defaultAuthority)
	}
	if !strings.HasSuffix(authority, "/") {
		authority += "/"
	}
	opts := azcore.ClientOptions{
		Transport: hc.HTTPClient(),
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: authority},
	}
	// MSAL sends instance discovery for unknown hosts to login.microsoftonline.com; an
	// authority that is not one of Microsoft's (a sovereign proxy, the sandbox) must not leak there.
	noDiscovery := !knownAuthority(au.Hostname())
	clientID := strings.TrimSpace(az.SignIn.ClientID)
	tenant := az.TenantID
	where := "azure.signIn.method=" + method
	switch method {
	case "clientsecret":
		if clientID == "" {
			return nil, fmt.Errorf("%s needs azure.signIn.clientId (the app that signs in)", where)
		}
		secret, err := cfg.Secret(az.SignIn.ClientSecret)
		if err != nil {
			return nil, fmt.Errorf("%s: azure.signIn.clientSecret: %w", where, err)
		}
		hc.AddSecret(secret)
		return azidentity.NewClientSecretCredential(tenant, clientID, secret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
	case "certificate":
		if clientID == "" || az.SignIn.CertificateFile == "" {
			return nil, fmt.Errorf("%s needs azure.signIn.clientId and azure.signIn.certificateFile (PEM with the private key)", where)
		}
		p := az.SignIn.CertificateFile // absolute after config.Load
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("azure.signIn.certificateFile: %w", err)
		}
		certs, key, err := azidentity.ParseCertificates(data, nil)
		if err != nil {
			return nil, fmt.Errorf("azure.signIn.certificateFile %s: %w", p, err)
		}
		return azidentity.NewClientCertificateCredential(tenant, clientID, certs, key, &azidentity.ClientCertificateCredentialOptions{
			ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
	case "devicecode":
		if clientID == "" {
			clientID = azureCLIClientID
		}
		return azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: opts, TenantID: tenant, ClientID: clientID, DisableInstanceDiscovery: noDiscovery,
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				_, err := fmt.Fprintln(msg, m.Message)
				return err
			}})
	case "browser":
		if clientID == "" {
			clientID = azureCLIClientID
		}
		return azidentity.NewInteractiveBrowserCredential(&azidentity.InteractiveBrowserCredentialOptions{
			ClientOptions: opts, TenantID: tenant, ClientID: clientID, DisableInstanceDiscovery: noDiscovery})
	case "cli":
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenant})
	case "workload":
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: opts, TenantID: tenant, ClientID: clientID, DisableInstanceDiscovery: noDiscovery})
	case "default":
		return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: opts, TenantID: tenant, DisableInstanceDiscovery: noDiscovery})
	}
	return nil, fmt.Errorf("azure.signIn.method %q: use devicecode, browser, cli, clientsecret, certificate, workload or default", method)
}

func knownAuthority(host string) bool {
	switch strings.ToLower(host) {
	case "login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn", "login.partner.microsoftonline.cn",
		"login.windows.net", "login.microsoft.com", "sts.windows.net", "login.usgovcloudapi.net":
		return true
	}
	return false
}

var registerSerializers sync.Once

// newAdapter builds the kiota request adapter over the httpx transport, with Graph's
// telemetry header and query-name decoding, but without kiota's retry handler: httpx's
// transport is the one layer that repeats transient failures; this package only waits out
// Entra's replication errors (see call). Nor does it gzip request bodies: they are a few
// hundred bytes, and each gzip writer allocates about a megabyte (a quarter of a fleet run's
// garbage).
func (c *Client) newAdapter(graphHost string) error {
	registerSerializers.Do(func() {
		abs.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return jsonser.NewJsonSerializationWriterFactory() })
		abs.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return textser.NewTextSerializationWriterFactory() })
		abs.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return jsonser.NewJsonParseNodeFactory() })
		abs.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return textser.NewTextParseNodeFactory() })
	})
	opts := core.GraphClientOptions{GraphServiceLibraryVersion: sdkVersion}
	hcl := c.hc.HTTPClient()
	hcl.Transport = khttp.NewCustomTransportWithParentTransport(&counting{base: hcl.Transport, n: &c.requests},
		core.NewGraphTelemetryHandler(&opts),
		khttp.NewParametersNameDecodingHandler(),
	)
	auth := &bearer{c: c, host: strings.ToLower(graphHost)}
	ad, err := core.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, opts, nil, nil, hcl)
	if err != nil {
		return fmt.Errorf("graph client: %w", err)
	}
	ad.SetBaseUrl(c.graphBase)
	c.adapter = ad
	return nil
}

// counting counts the Graph requests handed to the HTTP stack.
type counting struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (t *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.StatusCode < 400 || strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return resp, err
	}
	// A gateway or throttler answered with text or HTML: give it Graph's error shape so the SDK
	// surfaces the status (and Retry-After) instead of a parse error.
	b, rerr := httpx.ReadBody(resp)
	msg := strings.TrimSpace(string(b))
	if rerr != nil || len(msg) > 300 || strings.HasPrefix(msg, "<") {
		msg = http.StatusText(resp.StatusCode)
	}
	j, _ := json.Marshal(map[string]any{"error": map[string]string{"code": strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", ""), "message": msg}})
	resp.Body = io.NopCloser(bytes.NewReader(j))
	resp.ContentLength = int64(len(j))
	resp.Header.Set("Content-Type", "application/json")
	resp.Header.Del("Content-Encoding")
	return resp, nil
}

// Requests is the number of Graph requests made so far by this client.
func (c *Client) Requests() int { return int(c.requests.Load()) }

// bearer adds the access token to requests for the configured Graph host only.
type bearer struct {
	c    *Client
	host string
}

var _ absauth.AuthenticationProvider = (*bearer)(nil)

func (b *bearer) AuthenticateRequest(ctx context.Context, req *abs.RequestInformation, _ map[string]any) error {
	u, err := req.GetUri()
	if err != nil {
		return err
	}
	if !strings.EqualFold(u.Hostname(), b.host) {
		return nil
	}
	tok, err := b.c.token(ctx)
	if err != nil {
		return err
	}
	req.Headers.Add("Authorization", "Bearer "+tok)
	return nil
}

// token returns an access token for Graph, remembering its claims for the permission check.
func (c *Client) token(ctx context.Context) (string, error) {
	tk, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: c.scopes})
	if err != nil {
		return "", c.signInErr(err)
	}
	c.tokMu.Lock()
	if c.claims == nil {
		c.claims = httpx.JWTClaims(tk.Token)
	}
	c.tokMu.Unlock()
	return tk.Token, nil
}

package azure

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// recording wraps the Graph emulator and keeps every request body (gunzipped).
type recording struct {
	g    *entraemu.Graph
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path string
	body         map[string]any
}

func (r *recording) Name() string          { return r.g.Name() }
func (r *recording) State() any            { return r.g.State() }
func (r *recording) Reset()                { r.g.Reset() }
func (r *recording) Bind(env *sandbox.Env) { r.g.Bind(env) }
func (r *recording) ConfigFragment(env *sandbox.Env) (map[string]any, map[string]string) {
	return r.g.ConfigFragment(env)
}
func (r *recording) Handler() http.Handler {
	h := r.g.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		plain := raw
		if strings.EqualFold(req.Header.Get("Content-Encoding"), "gzip") {
			if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
				plain, _ = io.ReadAll(zr)
			}
		}
		var m map[string]any
		if len(plain) > 0 {
			json.Unmarshal(plain, &m)
		}
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{req.Method, req.URL.Path, m})
		r.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(raw))
		h.ServeHTTP(w, req)
	})
}

type fixture struct {
	sb    *sandbox.Sandbox
	rec   *recording
	graph *entraemu.Graph
	cfg   *config.Config
	hc    *httpx.Client
}

func start(t testing.TB, opts ...entraemu.Option) *fixture {
	t.Helper()
	sts, graph := entraemu.New(opts...)
	rec := &recording{g: graph.(*entraemu.Graph)}
	sb := sandboxtest.Start(t, sts, rec)
	cfg, err := config.Load(filepath.Join(sb.Env.Dir, "flowsctl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{sb: sb, rec: rec, graph: rec.g, cfg: cfg, hc: sandboxtest.Client(t, sb)}
}

// reg builds the config's registration, as the azure.app step does.
func (f *fixture) reg(t testing.TB) *Registration {
	t.Helper()
	r, err := NewRegistration(f.cfg, f.hc, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// applied is the config's registration, applied once.
func (f *fixture) applied(t testing.TB) *Registration {
	t.Helper()
	r := f.reg(t)
	if _, err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// sink is the value the registration's sink holds ("" when none).
func (f *fixture) sink(r *Registration) string {
	v, _ := f.cfg.Secret(r.Spec.Sink)
	return v
}

// TestClientBodiesMatchCSDL: every property flowsctl sends in application, servicePrincipal,
// oAuth2PermissionGrant and passwordCredential bodies is declared in Graph's CSDL.
func TestClientBodiesMatchCSDL(t *testing.T) {
	dir := sandboxtest.ContractsDir(t)
	csdl, err := sandboxtest.LoadCSDL(filepath.Join(dir, "graph", "graph-v1.0-csdl-subset.xml"))
	if err != nil {
		t.Fatal(err)
	}
	f := start(t)
	r := f.reg(t)
	r.Spec.LogoutURL = "https://acme.example.com/SAAS/auth/logout"
	if _, err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Spec.Scopes = append(r.Spec.Scopes, "Calendars.Read") // forces an app PATCH and a grant PATCH
	if _, err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Rotate(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range f.rec.reqs {
		if r.body == nil {
			continue
		}
		var typ string
		switch {
		case strings.HasSuffix(r.path, "/addPassword"):
			typ = "passwordCredential"
			r.body, _ = r.body["passwordCredential"].(map[string]any)
		case strings.HasSuffix(r.path, "/removePassword"):
			continue // action parameter keyId only
		case strings.Contains(r.path, "/applications"):
			typ = "application"
		case strings.Contains(r.path, "/servicePrincipals"):
			typ = "servicePrincipal"
		case strings.Contains(r.path, "/oauth2PermissionGrants"):
			typ = "oAuth2PermissionGrant"
		}
		seen[typ] = true
		if bad := csdl.Check(typ, r.body); len(bad) > 0 {
			t.Errorf("%s %s sends undeclared properties %v", r.method, r.path, bad)
		}
	}
	for _, typ := range []string{"application", "servicePrincipal", "oAuth2PermissionGrant", "passwordCredential"} {
		if !seen[typ] {
			t.Errorf("no %s body was sent", typ)
		}
	}
}

func TestMissingPermissionFailsBeforeAnyWrite(t *testing.T) {
	f := start(t, entraemu.WithClient(entraemu.Client{ID: "11111111-0000-4000-8000-000000000001", Secret: "limited-secret-x1",
		Roles: []string{"Application.Read.All", "Directory.Read.All"}}))
	f.cfg.Azure.SignIn.ClientID = "11111111-0000-4000-8000-000000000001"
	p := filepath.Join(f.sb.Env.Dir, "secrets", "limited")
	if err := config.SecretRef("file:" + p).Write("limited-secret-x1"); err != nil {
		t.Fatal(err)
	}
	f.cfg.Azure.SignIn.ClientSecret = config.SecretRef("file:" + p)
	_, err := f.reg(t).Apply(context.Background())
	if err == nil || !httpx.IsAuth(err) || !strings.Contains(err.Error(), "Cloud Application Administrator") ||
		!strings.Contains(err.Error(), "Application.ReadWrite.All") {
		t.Fatalf("err = %v", err)
	}
	if w := sandboxtest.Writes(t, f.sb, "graph"); len(w) != 0 {
		t.Errorf("writes despite missing rights: %v", w)
	}
}

func TestWrongSecretIsAuthError(t *testing.T) {
	f := start(t)
	p := filepath.Join(f.sb.Env.Dir, "secrets", "wrong")
	config.SecretRef("file:" + p).Write("not-the-secret")
	f.cfg.Azure.SignIn.ClientSecret = config.SecretRef("file:" + p)
	_, err := f.reg(t).Plan(context.Background())
	if !httpx.IsAuth(err) || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("err = %v", err)
	}
}

// registerWith signs in as f.cfg.Azure.SignIn says (prompts to msg) and runs one Apply of the
// config's app, bounded by a minute.
func (f *fixture) registerWith(t *testing.T, msg io.Writer) (State, error) {
	t.Helper()
	r, err := NewRegistration(f.cfg, f.hc, msg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = r.Apply(ctx)
	return r.State(), err
}

// TestDeviceCodeSignIn: azidentity's device code flow against the emulated STS, prompt on msg.
func TestDeviceCodeSignIn(t *testing.T) {
	f := start(t)
	f.cfg.Azure.SignIn = config.AzureSignIn{Method: "devicecode", ClientID: entraemu.PublicClientID}
	var msg bytes.Buffer
	res, err := f.registerWith(t, &msg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.String(), "enter the code") || res.ClientID == "" {
		t.Errorf("prompt %q, result %+v", msg.String(), res)
	}
}

func TestSinkLostAddsOneSecret(t *testing.T) {
	f := start(t)
	r := f.applied(t)
	ctx := context.Background()
	if err := f.cfg.WriteSecret(r.Spec.Sink, "something-else-entirely"); err != nil {
		t.Fatal(err)
	}
	changes, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := changes[len(changes)-1]
	if last.Action != "create" || !strings.Contains(last.Note, "matches no unexpired flowsctl secret") {
		t.Errorf("plan: %+v", last)
	}
	_, err = r.Apply(ctx)
	res := r.State()
	if err != nil || !res.SecretCreated {
		t.Fatalf("apply: %v %+v", err, res)
	}
	_, err = r.Apply(ctx)
	res2 := r.State()
	if err != nil || res2.SecretCreated || res2.Secret == nil || res2.Secret.KeyID != res.Secret.KeyID || !res2.Secret.InSink {
		t.Fatalf("third run should reuse %s: %v %+v", res.Secret.KeyID, err, res2)
	}
}

func TestKeepsOtherResourceAccess(t *testing.T) {
	f := start(t)
	r := f.applied(t)
	ctx := context.Background()
	res := r.State()
	// An admin adds a permission on another API in the portal.
	other := `{"requiredResourceAccess":[{"resourceAppId":"00000002-0000-0ff1-ce00-000000000000","resourceAccess":[{"id":"` +
		"2e83d72d-8895-4b66-9eea-abb43449ab8b" + `","type":"Scope"}]}]}`
	req, _ := http.NewRequest("PATCH", f.sb.Services["graph"].URL+"/v1.0/applications/"+res.ObjectID, strings.NewReader(other))
	req.Header.Set("Authorization", "Bearer "+f.graph.AdminToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.hc.Do(req)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("admin patch: %v %v", err, resp)
	}
	resp.Body.Close()
	changes, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	app := changes[0]
	kept := false
	for _, fc := range app.Fields {
		kept = kept || (fc.Keep && strings.Contains(fc.Path, "00000002-0000-0ff1-ce00-000000000000"))
	}
	if app.Action != "update" || !kept {
		t.Fatalf("plan: %+v", app)
	}
	if _, err := r.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := r.Show(ctx)
	if got.OtherResources != 1 || len(got.Permissions) != 5 {
		t.Errorf("after ensure: %d other APIs, %d Graph permissions", got.OtherResources, len(got.Permissions))
	}
}

func TestEnsureTable(t *testing.T) {
	tests := []struct {
		name string
		scp  []string
		want string
	}{
		{"typo", []string{"Mailboxsettings.Read"}, "did you mean MailboxSettings.Read"},
		{"unknown", []string{"Teams.Everything"}, `unknown Microsoft Graph delegated permission "Teams.Everything"`},
	}
	f := start(t)
	r := f.reg(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.Spec.Scopes = tc.scp
			_, err := r.Plan(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkRegister measures Graph requests for a fresh register and a re-run, and the wall
// time of a fresh register with 100 ms injected latency on every Graph and STS request.
//
//	go test -run '^$' -bench Register -benchtime 3x ./pkg/azure
func BenchmarkRegister(b *testing.B) {
	for _, latency := range []int{0, 100} {
		name := "latency0ms"
		if latency > 0 {
			name = "latency100ms"
		}
		b.Run(name, func(b *testing.B) {
			var fresh, rerun, rerunWrites int
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f := start(b)
				if latency > 0 {
					body := `{"fixedMs":100,"jitterMs":0}`
					sandboxtest.Admin(b, f.sb, "graph", "POST", "/latency", body, nil)
					sandboxtest.Admin(b, f.sb, "sts", "POST", "/latency", body, nil)
				}
				r := f.reg(b)
				b.StartTimer()
				t0 := time.Now()
				_, err := r.Apply(context.Background())
				wall += time.Since(t0)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				fresh += r.State().Requests
				before := len(sandboxtest.Writes(b, f.sb, "graph"))
				r2 := f.applied(b)
				rerun += r2.State().Requests
				rerunWrites += len(sandboxtest.Writes(b, f.sb, "graph")) - before
				b.StartTimer()
			}
			b.ReportMetric(float64(fresh)/float64(b.N), "fresh-requests")
			b.ReportMetric(float64(rerun)/float64(b.N), "rerun-requests")
			b.ReportMetric(float64(rerunWrites)/float64(b.N), "rerun-writes")
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "fresh-ms")
		})
	}
}

// TestFaultsConvergeWithoutDuplicates: a lost answer (commit-then-500, reset, 500) on any write
// of a fresh register still ends with one app, one SP, one grant and one secret whose value the sink holds.
func TestFaultsConvergeWithoutDuplicates(t *testing.T) {
	tests := []struct {
		name, method, path, kind string
		// also is a second rule (method, path, kind), e.g. on the clean-up after the first fault
		also []string
	}{
		{"grant committed, answer lost", "POST", "/v1.0/oauth2PermissionGrants", "commit-then-500", nil},
		{"secret lost, orphan removal refused", "POST", "/v1.0/applications/*/addPassword", "commit-then-500",
			[]string{"POST", "/v1.0/applications/*/removePassword", "502"}},
		{"secret lost, orphan removal's answer lost", "POST", "/v1.0/applications/*/addPassword", "commit-then-500",
			[]string{"POST", "/v1.0/applications/*/removePassword", "commit-then-500"}},
		{"secret committed, answer lost", "POST", "/v1.0/applications/*/addPassword", "commit-then-500", nil},
		{"app upsert reset", "PATCH", "/v1.0/applications*", "reset", nil},
		{"sp upsert 500", "PATCH", "/v1.0/servicePrincipals*", "500", nil},
		{"grant 503 before commit", "POST", "/v1.0/oauth2PermissionGrants", "503", nil},
		{"read 500", "GET", "/v1.0/servicePrincipals*", "500", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := start(t)
			rules := `{"method":"` + tc.method + `","path":"` + tc.path + `","kind":"` + tc.kind + `","count":1}`
			if tc.also != nil {
				rules += `,{"method":"` + tc.also[0] + `","path":"` + tc.also[1] + `","kind":"` + tc.also[2] + `","count":1}`
			}
			rule := `{"seed":3,"rules":[` + rules + `]}`
			sandboxtest.Admin(t, f.sb, "graph", "POST", "/faults", rule, nil)
			r := f.reg(t)
			r.c.sleep = func(context.Context, time.Duration) error { return nil }
			_, err := r.Apply(context.Background())
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			res := r.State()
			var st struct {
				Applications []struct {
					AppID               string                  `json:"appId"`
					PasswordCredentials []struct{ Hint string } `json:"passwordCredentials"`
				} `json:"applications"`
				ServicePrincipals      []map[string]any `json:"servicePrincipals"`
				OAuth2PermissionGrants []map[string]any `json:"oauth2PermissionGrants"`
			}
			sandboxtest.Admin(t, f.sb, "graph", "GET", "/state", "", &st)
			if len(st.Applications) != 1 || len(st.ServicePrincipals) != 2 || len(st.OAuth2PermissionGrants) != 1 {
				t.Fatalf("%d apps, %d SPs, %d grants", len(st.Applications), len(st.ServicePrincipals), len(st.OAuth2PermissionGrants))
			}
			pcs := st.Applications[0].PasswordCredentials
			v := f.sink(r)
			if len(pcs) != 1 || !strings.HasPrefix(v, pcs[0].Hint) || res.Secret == nil {
				t.Fatalf("secrets %v, sink matches: %v", pcs, len(pcs) == 1 && strings.HasPrefix(v, pcs[0].Hint))
			}
			faults := 0
			for _, q := range sandboxtest.Requests(t, f.sb, "graph") {
				if q.Fault != "" {
					faults++
				}
			}
			if want := 1 + len(tc.also)/3; faults != want {
				t.Errorf("%d faults fired, want %d", faults, want)
			}
		})
	}
}

// TestOrphanFromEarlierRunIsRemoved: a secret added by a run that died before its value reached
// the sink (here: the sink cannot be written) is removed by the next run, which leaves exactly
// one flowsctl secret, the one the sink holds. A secret added outside flowsctl is kept.
func TestOrphanFromEarlierRunIsRemoved(t *testing.T) {
	tests := []struct {
		name      string
		breakSink bool // the first run's secret is orphaned
		wantPlan  bool // plan shows a delete
	}{
		{"orphan of a failed sink write", true, true},
		{"note without an add (process died before the request)", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := start(t)
			r := f.reg(t)
			spec := r.Spec
			ctx := context.Background()
			sink := spec.Sink.Target()
			if tt.breakSink {
				os.Remove(sink)
				if err := os.MkdirAll(sink, 0o700); err != nil { // a directory cannot be replaced by the sink file
					t.Fatal(err)
				}
				if _, err := r.Apply(ctx); err == nil || !strings.Contains(err.Error(), "was created but writing it") {
					t.Fatalf("first run: want the sink write error, got %v", err)
				}
				if err := os.Remove(sink); err != nil {
					t.Fatal(err)
				}
			} else {
				if _, err := r.Apply(ctx); err != nil {
					t.Fatal(err)
				}
				app, err := r.c.getApp(ctx, spec.ReplicationBudget, spec.UniqueName, retryRead)
				if err != nil {
					t.Fatal(err)
				}
				if err := writePending(spec, app, secretDisplayName(spec, r.c.now()), ""); err != nil {
					t.Fatal(err)
				}
			}
			note := pendingPath(spec.Sink)
			if st, err := os.Stat(note); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("the note %s must exist with mode 0600: %v", note, err)
			}
			changes, err := r.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			deletes := 0
			for _, ch := range changes {
				if ch.Action == plan.Delete {
					deletes++
				}
			}
			if (deletes == 1) != tt.wantPlan || deletes > 1 {
				t.Errorf("plan shows %d deletes, want %v: %+v", deletes, tt.wantPlan, changes)
			}
			_, err = r.Apply(ctx)
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			res := r.State()
			if tt.breakSink && (len(res.RemovedSecrets) != 1 || !res.SecretCreated) {
				t.Errorf("second run removed %v, created %v; want the orphan removed and a secret added", res.RemovedSecrets, res.SecretCreated)
			}
			if _, err := os.Stat(note); !os.IsNotExist(err) {
				t.Errorf("the note is still there after a successful run: %v", err)
			}
			var st struct {
				Applications []struct {
					PasswordCredentials []struct{ Hint string } `json:"passwordCredentials"`
				} `json:"applications"`
			}
			sandboxtest.Admin(t, f.sb, "graph", "GET", "/state", "", &st)
			pcs := st.Applications[0].PasswordCredentials
			v := f.sink(r)
			if len(pcs) != 1 || !strings.HasPrefix(v, pcs[0].Hint) {
				t.Fatalf("%d secrets after the second run, want 1 matching the sink", len(pcs))
			}
			if changes, err := r.Plan(ctx); err != nil || plan.Pending(changes) {
				t.Errorf("plan after the second run: %v %+v", err, changes)
			}
		})
	}
}

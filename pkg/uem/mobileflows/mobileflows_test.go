package mobileflows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
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
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
	"github.com/flowsctl/flowsctl/pkg/uem"
	mf "github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const teamsClientID = "5b3c8e1a-2f4d-4a6b-9c8d-0e1f2a3b4c5d"

func TestCatalogFromTeamsGuide(t *testing.T) {
	want := []string{"Salesforce", "ServiceNow", "Concur", "Coupa", "Jira Service Desk", "Workday", "Microsoft OneDrive", "Microsoft Teams",
		"Microsoft Planner", "LinkedIn Learning", "Saba", "Zoom", "Box", "Google Docs", "Microsoft Dynamics", "Zendesk", "Hubspot", "Adobe Sign",
		"ServiceNow (chatbot)", "Workspace ONE UEM (chatbot)", "LinkedIn Learning (chatbot)"}
	for _, name := range want {
		e, ok := mf.Lookup(name)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if e.AccountType() == "" || e.Authentication() == "" || len(e.UseCases) == 0 {
			t.Errorf("%s lacks account type or authentication", name)
		}
	}
	if len(mf.Catalog) != len(want) {
		t.Errorf("catalog has %d entries, want %d", len(mf.Catalog), len(want))
	}
	cases := map[string]string{"teams": mf.GraphBeta, "planner": mf.GraphV1, "microsoft-teams": mf.GraphBeta, "coupa": ""}
	for k, base := range cases {
		e, ok := mf.Lookup(k)
		if !ok || e.BaseURL != base {
			t.Errorf("%s: base %q ok %v", k, e.BaseURL, ok)
		}
	}
	if e, _ := mf.Lookup("concur"); e.Authentication() != mf.AuthOAuth2Password || e.AccountType() != mf.AccountService {
		t.Errorf("concur: %+v", e)
	}
}

func entra(t *testing.T, secret string) *mf.EntraOutputs {
	p := filepath.Join(t.TempDir(), "teams-client-secret")
	if err := os.WriteFile(p, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &mf.EntraOutputs{ClientID: teamsClientID, SecretSink: config.SecretRef("file:" + p), TenantID: "7d0a5c1e-3b4f-4e8a-9c21-5f6e7a8b9c0d"}
}

// teamsSpec is the Teams catalog connector's spec with the Entra outputs ent.
func teamsSpec(t *testing.T, ent *mf.EntraOutputs) mf.ConnectorSpec {
	t.Helper()
	spec, err := mf.SpecFrom(config.Connector{Catalog: "teams"}, ent, nil)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestSpecFrom(t *testing.T) {
	no := false
	e := &mf.EntraOutputs{ClientID: teamsClientID, SecretSink: "file:/s", TenantID: "tid"}
	cases := []struct {
		name  string
		c     config.Connector
		entra *mf.EntraOutputs
		want  string // error substring, "" = ok
		check func(mf.ConnectorSpec) bool
	}{
		{"teams", config.Connector{Catalog: "teams"}, e, "", func(s mf.ConnectorSpec) bool {
			return s.Name == "Microsoft Teams" && s.BaseURL == mf.GraphBeta && s.Grant.ClientID == teamsClientID &&
				s.Grant.AuthorizeURL == "https://login.microsoftonline.com/tid/oauth2/v2.0/authorize" && s.Notification == "poll" && s.Active
		}},
		{"teams without entra", config.Connector{Catalog: "teams"}, nil, "flowsctl azure register", nil},
		{"teams push", config.Connector{Catalog: "teams", Notification: "push"}, e, "poll only", nil},
		{"typo", config.Connector{Catalog: "teamz"}, e, `did you mean "teams"`, nil},
		{"custom http", config.Connector{Name: "x", DiscoveryURL: "http://c.example.com/"}, nil, "https", nil},
		{"custom", config.Connector{Name: "x", DiscoveryURL: "https://c.example.com/", Active: &no, Authentication: "Service Account"}, nil, "", func(s mf.ConnectorSpec) bool {
			return s.Auth == mf.AuthServiceAccount && !s.Active
		}},
		{"both", config.Connector{Name: "x", Catalog: "teams", DiscoveryURL: "https://c.example.com/"}, e, "not both", nil},
		{"bad auth", config.Connector{Name: "x", DiscoveryURL: "https://c.example.com/", Authentication: "kerberos"}, nil, "authentication", nil},
	}
	for _, c := range cases {
		s, err := mf.SpecFrom(c.c, c.entra, nil)
		if c.want != "" {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.want)
			}
			continue
		}
		if err != nil || !c.check(s) {
			t.Errorf("%s: %+v %v", c.name, s, err)
		}
	}
}

// discovery documents: name -> (json, valid)
var discoveryDocs = []struct {
	name  string
	doc   string
	valid bool
}{
	{"minimal", `{"object_types":{"card":{"endpoint":{"href":"https://c.example.com/cards/requests"}}}}`, true},
	{"full", `{"image":{"href":"https://c.example.com/i.png"},"test_auth":{"href":"https://c.example.com/test-auth"},
	  "object_types":{"card":{"pollable":true,"doc":{"href":"https://d"},"endpoint":{"href":"https://c.example.com/cards"},
	    "fields":{"id":{"regex":"A-[0-9]+","capture_group":0,"required":true},"email":{"env":"USER_EMAIL"}},
	    "supported_actions":{"approve":{"label":{"en-US":"Approve"},"category":"a"}},"metadata":{"x":1}}},
	  "actions":{"reply":{"url":{"href":"https://c.example.com/r"},"type":"POST","label":{"en-US":"Reply"},"action_key":"USER_INPUT",
	    "user_input":[{"id":"comment","label":{"en-US":"Comment"},"format":"select","select":[{"value":"a","label":{"en-US":"A"}}],"min_length":1}]}},
	  "config":{"k":{"type":"STRING","label":{"en-US":"K"},"validators":[{"type":"required","description":{"en-US":"d"}}]}}}`, true},
	{"missing endpoint", `{"object_types":{"card":{"pollable":true}}}`, false},
	{"endpoint not a link", `{"object_types":{"card":{"endpoint":"https://c/cards"}}}`, false},
	{"pollable string", `{"object_types":{"card":{"endpoint":{"href":"https://c"},"pollable":"yes"}}}`, false},
	{"user input missing", `{"actions":{"a":{"url":{"href":"https://c"},"type":"POST","label":{"en-US":"A"},"action_key":"USER_INPUT"}}}`, false},
	{"bad method", `{"actions":{"a":{"url":{"href":"https://c"},"type":"FETCH","label":{"en-US":"A"},"action_key":"DIRECT"}}}`, false},
	{"select without choices", `{"actions":{"a":{"url":{"href":"https://c"},"type":"POST","label":{},"action_key":"USER_INPUT","user_input":[{"id":"x","label":{},"format":"select"}]}}}`, false},
	{"negative length", `{"actions":{"a":{"url":{"href":"https://c"},"type":"POST","label":{},"action_key":"USER_INPUT","user_input":[{"id":"x","label":{},"format":"text","max_length":-1}]}}}`, false},
	{"config without label", `{"config":{"k":{"type":"STRING"}}}`, false},
	{"validator without description", `{"config":{"k":{"type":"STRING","label":{},"validators":[{"type":"regex"}]}}}`, false},
	{"capture group without regex", `{"object_types":{"card":{"endpoint":{"href":"https://c"},"fields":{"f":{"capture_group":1}}}}}`, false},
	{"object_types array (2018 form)", `{"object_types":[{"name":"card"}]}`, false},
	{"image without href", `{"image":{}}`, false},
}

func TestParseDiscovery(t *testing.T) {
	for _, c := range discoveryDocs {
		d, err := mf.ParseDiscovery([]byte(c.doc))
		if c.valid != (err == nil) {
			t.Errorf("%s: valid=%v, err %v", c.name, c.valid, err)
		}
		if err == nil && c.name == "full" {
			if len(d.ObjectTypes) != 1 || d.ObjectTypes[0].Name != "card" || len(d.Actions) != 1 || d.Actions[0].Key != "reply" ||
				d.ObjectTypes[0].Actions[0] != "approve" || !d.ObjectTypes[0].Pollable {
				t.Errorf("summary: %+v", d)
			}
		}
	}
	if _, err := mf.ParseDiscovery([]byte(`[1]`)); err == nil {
		t.Error("an array must be invalid")
	}
}

// TestDiscoveryContract checks that the embedded checks agree with connector-discovery-schema.json
// on every sample document, plus the MS Teams connector's published discovery document.
func TestDiscoveryContract(t *testing.T) {
	dir := sandboxtest.ContractsDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "mobileflows", "connector-discovery-schema.json"))
	if err != nil {
		t.Skipf("schema not available: %v", err)
	}
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	v := schemaValidator{root: root}
	docs := discoveryDocs
	if teams, err := os.ReadFile(filepath.Join(dir, "mobileflows", "hub-ms-teams-connector-discovery.json")); err == nil {
		docs = append(docs, struct {
			name  string
			doc   string
			valid bool
		}{"hub-ms-teams-connector", string(teams), true})
	}
	for _, c := range docs {
		var x any
		if err := json.Unmarshal([]byte(c.doc), &x); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		schemaErrs := v.Validate(x)
		_, ours := mf.ParseDiscovery([]byte(c.doc))
		if (len(schemaErrs) == 0) != (ours == nil) {
			t.Errorf("%s: schema says %v, our checks say %v", c.name, schemaErrs, ours)
		}
		if (len(schemaErrs) == 0) != c.valid {
			t.Errorf("%s: schema verdict %v differs from the table's %v", c.name, schemaErrs, c.valid)
		}
	}
	// the Teams document advertises ${CONNECTOR_HOST} links: valid, but warned about
	if teams, err := os.ReadFile(filepath.Join(dir, "mobileflows", "hub-ms-teams-connector-discovery.json")); err == nil {
		d, err := mf.ParseDiscovery(teams)
		if err != nil || len(d.Warnings) == 0 || d.ObjectTypes[0].Name != "card" {
			t.Errorf("teams discovery: %+v %v", d, err)
		}
	}
}

func TestFetchDiscovery(t *testing.T) {
	emu := mfemu.New()
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	base := sb.Services["mobileflows"].URL
	ctx := context.Background()
	d, err := mf.FetchDiscovery(ctx, hc, base+mfemu.SamplePath)
	if err != nil || len(d.ObjectTypes) != 1 || len(d.Actions) != 1 || len(d.Warnings) != 0 || !strings.Contains(mf.Summary(d), "card (actions: approve)") {
		t.Fatalf("sample connector: %+v %v", d, err)
	}
	// served by a test server: wrong content type, schema-invalid JSON
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/text":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`{"object_types":{}}`))
		case "/invalid":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"object_types":{"card":{"pollable":true}}}`))
		case "/auth":
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	hc2, err := httpx.New(httpx.Options{CAPEM: pemCert(srv), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ url, want string }{
		{srv.URL + "/text", "Content-Type is text/html, must be application/json"},
		{srv.URL + "/invalid", "object_types.card: endpoint is required"},
		{srv.URL + "/auth", "without authentication"},
		{strings.Replace(srv.URL, "https://", "http://", 1) + "/x", "must use https"},
	}
	for _, c := range cases {
		_, err := mf.FetchDiscovery(ctx, hc2, c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.url, err, c.want)
		}
	}
	var de *mf.DiscoveryError
	if _, err := mf.FetchDiscovery(ctx, hc2, srv.URL+"/invalid"); !errors.As(err, &de) {
		t.Errorf("want a DiscoveryError, got %T", err)
	}
}

type mfEnv struct {
	uemEmu *uememu.Emulator
	mfEmu  *mfemu.Emulator
	api    *mf.API
	writes func() int
	state  func() []map[string]any
}

func startAPI(t *testing.T) *mfEnv {
	ue, me := uememu.New(), mfemu.New()
	sb := sandboxtest.Start(t, ue, me)
	hc := sandboxtest.Client(t, sb)
	uc := uem.NewClient(hc, sb.Services["uem"].URL, uem.Credentials{OAuth: &uem.OAuthCredentials{
		TokenURL: sb.Services["uem"].URL + "/na/connect/token", ClientID: uememu.OAuthClientID, ClientSecret: ue.OAuthSecret()}})
	e := &mfEnv{uemEmu: ue, mfEmu: me, api: &mf.API{HC: hc, Base: sb.Services["mobileflows"].URL, Authorize: uc.Authorize}}
	e.writes = func() int { return len(sandboxtest.Writes(t, sb, "mobileflows")) }
	e.state = func() []map[string]any {
		var st struct{ Connectors []map[string]any }
		b, _ := json.Marshal(me.State())
		json.Unmarshal(b, &st)
		return st.Connectors
	}
	return e
}

func TestTeamsConnectorThroughAPIMode(t *testing.T) {
	e := startAPI(t)
	ctx := context.Background()
	secret := "entra-secret-value-0123456789abcdef"
	ent := entra(t, secret)
	spec := teamsSpec(t, ent)
	cs := &mf.Connector{Spec: spec, Registrar: e.api}
	ch, err := cs.Plan(ctx)
	if err != nil || len(ch) != 1 || ch[0].Action != plan.Create || e.writes() != 0 {
		t.Fatalf("plan %+v %v", ch, err)
	}
	if strings.Contains(ch[0].String(), secret) {
		t.Fatal("plan shows the secret")
	}
	res, err := cs.Apply(ctx)
	if err != nil || len(res.AllChanges()) != 1 || !res.Wrote() || res.Operator != "" {
		t.Fatalf("apply %+v %v", res, err)
	}
	st := e.state()
	if len(st) != 1 {
		t.Fatalf("state %+v", st)
	}
	b, _ := json.Marshal(st[0])
	for _, want := range []string{mf.GraphBeta, teamsClientID, `"name":"Microsoft Teams"`, `"clientSecretSet":true`, "oauth2_authorization_code", `"method":"poll"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("connector lacks %s: %s", want, b)
		}
	}
	if bytes.Contains(b, []byte(secret)) {
		t.Fatal("the emulator state shows the secret")
	}
	// second run: zero writes
	w := e.writes()
	res, err = cs.Apply(ctx)
	if err != nil || len(res.AllChanges()) != 0 || res.Wrote() || e.writes() != w {
		t.Fatalf("second apply: %+v %v writes %d -> %d", res, err, w, e.writes())
	}
	if checks := cs.Verify(ctx); doctor.Failed(checks) {
		t.Fatalf("verify %+v", checks)
	}
	// a rotated secret is detected (without showing it) and sent again
	spec2 := spec
	os.WriteFile(ent.SecretSink.Target(), []byte("rotated-secret-value-9876543210\n"), 0o600)
	rch, err := e.api.Plan(ctx, spec2)
	if err != nil || rch.Action != plan.Update || len(rch.Fields) != 1 || rch.Fields[0].Path != "authentication.clientSecret" {
		t.Fatalf("rotation plan %+v %v", rch, err)
	}
	if checks := e.api.Verify(ctx, spec2); !doctor.Failed(checks) || checks[0].Fix != "flowsctl rotate teams-secret" || strings.Contains(fmt.Sprint(checks), "rotated-secret") {
		t.Fatalf("verify must fail while the connector holds the old secret (fix: rotate teams-secret): %+v", checks)
	}
	if _, err := e.api.Apply(ctx, spec2); err != nil || e.writes() != w+1 {
		t.Fatalf("rotation ensure: %v", err)
	}
	// another client id is an update of that field
	spec3 := spec2
	spec3.Grant.ClientID = "00000000-0000-0000-0000-000000000001"
	if ch, _ := e.api.Plan(ctx, spec3); ch.Action != plan.Update || ch.Fields[0].Path != "authentication.clientId" {
		t.Fatalf("client id plan %+v", ch)
	}
	if checks := e.api.Verify(ctx, spec3); !doctor.Failed(checks) {
		t.Fatal("verify should fail on another client id")
	}
	list, err := e.api.List(ctx)
	if err != nil || len(list) != 1 || list[0].ClientID != teamsClientID {
		t.Fatalf("list %+v %v", list, err)
	}
}

// TestConnectorUsersFromApplysAnswer: after Apply registered the connector, the user count its
// answer carried serves the next ConnectorUsers without a read (apply's users.teamsActivation
// step, issue 18 item 5); once only: the call after that asks the API again.
func TestConnectorUsersFromApplysAnswer(t *testing.T) {
	e := startAPI(t)
	e.api.Seen = &mf.Seen{}
	ctx := context.Background()
	spec := teamsSpec(t, entra(t, "entra-secret-value-0123456789abcdef"))
	if _, err := (&mf.Connector{Spec: spec, Registrar: e.api}).Apply(ctx); err != nil {
		t.Fatal(err)
	}
	e.mfEmu.SetAuthorizedUsers(spec.Name, 5) // after the answer: only a new read sees it
	if n, known, err := e.api.ConnectorUsers(ctx, strings.ToUpper(spec.Name)); err != nil || !known || n != 1 {
		t.Errorf("users after apply: %d %v %v, want the 1 of the PUT's answer", n, known, err)
	}
	if n, known, err := e.api.ConnectorUsers(ctx, spec.Name); err != nil || !known || n != 5 {
		t.Errorf("users asked again: %d %v %v, want 5 (read from the API)", n, known, err)
	}
}

func TestCustomConnectorThroughAPIMode(t *testing.T) {
	e := startAPI(t)
	ctx := context.Background()
	url := strings.TrimSuffix(e.api.Base, "/") + mfemu.SamplePath
	spec, err := mf.SpecFrom(config.Connector{Name: mfemu.SampleName, DiscoveryURL: config.URL(url), Categories: []string{"Approvals"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs := &mf.Connector{Spec: spec, Registrar: e.api, HTTP: e.api.HC}
	if _, err := cs.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	checks := cs.Verify(ctx)
	if doctor.Failed(checks) || len(checks) != 2 {
		t.Fatalf("verify %+v", checks)
	}
}

func guidedSpec(t *testing.T) (mf.ConnectorSpec, string) {
	secret := "guided-secret-value-abcdef0123456789"
	ent := entra(t, secret)
	ent.SecretSink = config.SecretRef("file:/etc/flowsctl/secrets/teams-client-secret")
	s := teamsSpec(t, ent)
	return s, secret
}

func TestGuidedChecklistGolden(t *testing.T) {
	s, _ := guidedSpec(t)
	got, err := mf.ConnectorChecklist(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "teams-checklist.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if got != string(want) {
		t.Fatalf("checklist differs from %s:\n%s", golden, got)
	}
	for _, v := range []string{"Content > Mobile Flows > Catalog", "Microsoft Teams and click Add", mf.GraphBeta, teamsClientID, "Collaboration",
		"OAuth 2.0 - Authorization code", "https://login.microsoftonline.com/7d0a5c1e-3b4f-4e8a-9c21-5f6e7a8b9c0d/oauth2/v2.0/authorize",
		"/oauth2/v2.0/token", "offline_access User.Read User.Read.All MailboxSettings.Read Group.ReadWrite.All",
		"file:/etc/flowsctl/secrets/teams-client-secret", "--show-secret", "Poll"} {
		if !strings.Contains(got, v) {
			t.Errorf("checklist lacks %q", v)
		}
	}
}

func TestGuidedSecretOnlyWhenAsked(t *testing.T) {
	secret := "shown-only-on-request-0123456789"
	ent := entra(t, secret)
	s := teamsSpec(t, ent)
	plain, _ := mf.ConnectorChecklist(s, nil)
	shown, err := mf.ConnectorChecklist(s, (*config.Config)(nil).Secret)
	if err != nil || strings.Contains(plain, secret) || !strings.Contains(shown, secret) {
		t.Fatalf("secret shown without --show-secret or missing with it (err %v)", err)
	}
}

func TestGuidedConfirmation(t *testing.T) {
	ctx := context.Background()
	s, secret := guidedSpec(t)
	store := &mf.ConfirmStore{Path: filepath.Join(t.TempDir(), ".flowsctl", "operator-steps.json")}
	var out bytes.Buffer
	g := &mf.Guided{Store: store, Out: &out, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	if ch, err := g.Plan(ctx, s); err != nil || ch.Action != plan.Operator {
		t.Fatalf("plan %+v %v", ch, err)
	}
	o, err := g.Apply(ctx, s)
	if err != nil || o.Operator == "" || !strings.Contains(out.String(), mf.GraphBeta) {
		t.Fatalf("no-input ensure %+v %v", o, err)
	}
	if checks := g.Verify(ctx, s); len(checks) != 1 || checks[0].Status != doctor.Todo {
		t.Fatalf("verify before confirmation: %+v, want todo", checks)
	}
	asked := 0
	g.Ask = func(string) (bool, error) { asked++; return true, nil }
	if o, err = g.Apply(ctx, s); err != nil || o.Operator != "" || o.Action != plan.Operator || len(o.AllChanges()) != 1 || asked != 1 {
		t.Fatalf("confirmed ensure %+v %v", o, err)
	}
	st, err := os.Stat(store.Path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("store %v %v", st, err)
	}
	b, _ := os.ReadFile(store.Path)
	if bytes.Contains(b, []byte(secret)) || !bytes.Contains(b, []byte(teamsClientID)) {
		t.Fatalf("store content: %s", b)
	}
	out.Reset()
	if o, err = g.Apply(ctx, s); err != nil || o.Action != plan.NoOp || out.Len() != 0 || asked != 1 {
		t.Fatalf("second ensure %+v %v %q", o, err, out.String())
	}
	if checks := g.Verify(ctx, s); len(checks) != 1 || checks[0].Status != doctor.Confirmed {
		t.Fatalf("verify after confirmation %+v, want confirmed (never an observed pass)", checks)
	}
	// other values invalidate the confirmation
	s.Grant.ClientID = "00000000-0000-0000-0000-0000000000ff"
	if ch, _ := g.Plan(ctx, s); ch.Action != plan.Operator || !strings.Contains(ch.Note, "changed") {
		t.Fatalf("plan after change %+v", ch)
	}
	g.Ask = nil
	g.Confirm = true
	if o, err = g.Apply(ctx, s); err != nil || o.Operator != "" {
		t.Fatalf("--confirm: %+v %v", o, err)
	}
	list, err := g.List(ctx)
	if err != nil || len(list) != 1 || list[0].ClientID != s.Grant.ClientID {
		t.Fatalf("list %+v %v", list, err)
	}
}

func TestTenantRegistration(t *testing.T) {
	ctx := context.Background()
	store := &mf.ConfirmStore{Path: filepath.Join(t.TempDir(), "ops.json")}
	exists := false
	var out bytes.Buffer
	tn := &mf.Tenant{AccessURL: "https://acme.vmwareidentity.com", Store: store, Out: &out,
		TemplateExists: func(context.Context) (bool, error) { return exists, nil }}
	if _, err := tn.Apply(ctx); err == nil || !strings.Contains(err.Error(), "flowsctl access template apply") {
		t.Fatalf("missing template: %v", err)
	}
	exists = true
	res, err := tn.Apply(ctx)
	if err != nil || res.Operator == "" || !strings.Contains(out.String(), "Begin") {
		t.Fatalf("pending: %+v %v", res, err)
	}
	tn.Confirm = true
	if res, err = tn.Apply(ctx); err != nil || res.Operator != "" || len(res.AllChanges()) != 1 {
		t.Fatalf("confirm: %+v %v", res, err)
	}
	if ch, _ := tn.Plan(ctx); ch[0].Action != plan.NoOp {
		t.Fatalf("plan %+v", ch)
	}
	if checks := tn.Verify(ctx); doctor.Failed(checks) {
		t.Fatalf("verify %+v", checks)
	}
	// api mode: registration observable
	e := startAPI(t)
	tn2 := &mf.Tenant{Store: &mf.ConfirmStore{Path: filepath.Join(t.TempDir(), "ops.json")}, Status: e.api.Tenant}
	if ch, err := tn2.Plan(ctx); err != nil || ch[0].Action != plan.NoOp {
		t.Fatalf("api tenant plan %+v %v", ch, err)
	}
	e.mfEmu.SetTenantRegistered(false)
	if ch, _ := tn2.Plan(ctx); ch[0].Action != plan.Operator {
		t.Fatalf("unregistered tenant plan %+v", ch)
	}
}

func pemCert(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// BenchmarkParseDiscovery measures the embedded discovery checks on the full sample document.
func BenchmarkParseDiscovery(b *testing.B) {
	doc := []byte(discoveryDocs[1].doc)
	for i := 0; i < b.N; i++ {
		if _, err := mf.ParseDiscovery(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLiveBaseURLDrift: a Teams connector whose stored base URL was changed to the Teams web
// address (in the console) fails doctor with the guide's explanation; a trailing slash is not
// drift.
func TestLiveBaseURLDrift(t *testing.T) {
	e := startAPI(t)
	ctx := context.Background()
	spec := teamsSpec(t, entra(t, "entra-secret-value-0123456789abcdef"))
	if _, err := e.api.Apply(ctx, spec); err != nil {
		t.Fatal(err)
	}
	slash := spec
	slash.BaseURL = mf.GraphBeta + "/"
	if ch, err := e.api.Plan(ctx, slash); err != nil || ch.Action != plan.NoOp {
		t.Errorf("trailing slash planned as %+v %v", ch, err)
	}
	trap := spec
	trap.BaseURL = "https://teams.microsoft.com/"
	if _, err := e.api.Apply(ctx, trap); err != nil { // what an edit in the console leaves behind
		t.Fatal(err)
	}
	checks := e.api.Verify(ctx, spec)
	if !doctor.Failed(checks) || !strings.Contains(checks[0].Detail, "Teams web address") || !strings.Contains(checks[0].Detail, mf.GraphBeta) {
		t.Fatalf("verify after the base URL moved to teams.microsoft.com: %+v", checks)
	}
	if ch, _ := e.api.Plan(ctx, spec); ch.Action != plan.Update || ch.Fields[0].Path != "baseUrl" {
		t.Errorf("plan after drift: %+v", ch)
	}
}

// TestGuidedRotatedSecretMakesConfirmationStale: the confirmation records a hash of the secret
// the operator pasted, so after a rotation the console step is to do again.
func TestGuidedRotatedSecretMakesConfirmationStale(t *testing.T) {
	ctx := context.Background()
	secret := "guided-secret-value-abcdef0123456789"
	ent := entra(t, secret)
	s := teamsSpec(t, ent)
	store := &mf.ConfirmStore{Path: filepath.Join(t.TempDir(), ".flowsctl", "operator-steps.json")}
	g := &mf.Guided{Store: store, Confirm: true, Config: &config.Config{}}
	if _, err := g.Apply(ctx, s); err != nil {
		t.Fatal(err)
	}
	if checks := g.Verify(ctx, s); checks[0].Status != doctor.Confirmed {
		t.Fatalf("verify after confirmation %+v", checks)
	}
	b, _ := os.ReadFile(store.Path)
	if bytes.Contains(b, []byte(secret)) || !bytes.Contains(b, []byte(mf.SecretFingerprint(secret))) {
		t.Fatalf("the store must hold the secret's hash, never the value: %s", b)
	}
	if err := os.WriteFile(ent.SecretSink.Target(), []byte("rotated-secret-value-9876543210\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checks := g.Verify(ctx, s)
	if checks[0].Status != doctor.Todo || !strings.Contains(checks[0].Fix, "rotate teams-secret") {
		t.Fatalf("verify after a rotation %+v, want todo", checks)
	}
	if ch, _ := g.Plan(ctx, s); ch.Action != plan.Operator {
		t.Fatalf("plan after a rotation %+v", ch)
	}
}

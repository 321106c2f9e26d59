package uem_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

type env struct {
	sb  *sandbox.Sandbox
	emu *uememu.Emulator
	hc  *httpx.Client
	url string
}

func start(t *testing.T, opts ...uememu.Option) *env {
	t.Helper()
	emu := uememu.New(opts...)
	sb := sandboxtest.Start(t, emu)
	return &env{sb: sb, emu: emu, hc: sandboxtest.Client(t, sb), url: sb.Services["uem"].URL}
}

func (e *env) oauth(id, secret string) uem.Credentials {
	return uem.Credentials{OAuth: &uem.OAuthCredentials{TokenURL: e.url + "/na/connect/token", ClientID: id, ClientSecret: secret}}
}

func (e *env) client() *uem.Client {
	return uem.NewClient(e.hc, e.url, e.oauth(uememu.OAuthClientID, e.emu.OAuthSecret()))
}

func (e *env) basic() *uem.Client {
	return uem.NewClient(e.hc, e.url, uem.Credentials{Basic: &uem.BasicCredentials{Username: uememu.BasicUser, Password: e.emu.Password()},
		APIKey: e.emu.TenantCode()})
}

// writes counts non-token writes to the uem emulator.
func (e *env) writes(t *testing.T) int {
	n := 0
	for _, w := range sandboxtest.Writes(t, e.sb, "uem") {
		if !strings.Contains(w.Path, "token") {
			n++
		}
	}
	return n
}

func TestTokenURLFor(t *testing.T) {
	cases := []struct{ region, want string }{
		{"na", "https://na.uemauth.workspaceone.com/connect/token"},
		{"EMEA", "https://emea.uemauth.workspaceone.com/connect/token"},
		{"apac-legacy", "https://apac.uemauth.vmwservices.com/connect/token"},
		{"legacy-uat", "https://uat.uemauth.vmwservices.com/connect/token"},
		{"mars", ""},
	}
	for _, c := range cases {
		got, err := uem.TokenURLFor(c.region)
		if c.want == "" {
			if err == nil {
				t.Errorf("%s: want an error", c.region)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.region, got, err, c.want)
		}
	}
}

func TestConsoleRelease(t *testing.T) {
	cases := []struct {
		v    string
		want int
	}{{"19.04.0.0", 1904}, {"1905", 1905}, {"23.10.0.1", 2310}, {"9.7.0.0", 907}, {"20.01", 2001}}
	for _, c := range cases {
		got, ok := uem.ConsoleRelease(c.v)
		if !ok || got != c.want {
			t.Errorf("%s: got %d %v, want %d", c.v, got, ok, c.want)
		}
	}
}

func TestCredentialsFrom(t *testing.T) {
	dir := t.TempDir()
	sec := filepath.Join(dir, "s")
	os.WriteFile(sec, []byte("v\n"), 0o600)
	ref := config.SecretRef("file:" + sec)
	cases := []struct {
		name string
		auth config.UEMAuth
		want string // "" = ok
	}{
		{"oauth region", config.UEMAuth{OAuth: &config.UEMOAuth{Region: "emea", ClientID: "c", ClientSecret: ref}}, ""},
		{"oauth bad region", config.UEMAuth{OAuth: &config.UEMOAuth{Region: "moon", ClientID: "c", ClientSecret: ref}}, "region"},
		{"basic without key", config.UEMAuth{Basic: &config.UEMBasic{Username: "u", Password: ref}}, "apiKey"},
		{"basic with key", config.UEMAuth{Basic: &config.UEMBasic{Username: "u", Password: ref}, APIKey: ref}, ""},
		{"nothing", config.UEMAuth{}, "configure oauth"},
	}
	for _, c := range cases {
		_, err := uem.CredentialsFrom(&config.Config{UEM: &config.UEM{URL: "https://as1.awmdm.com", Auth: c.auth}})
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

func TestSystemInfoWithOAuthAndBasic(t *testing.T) {
	e := start(t)
	for name, c := range map[string]*uem.Client{"oauth": e.client(), "basic": e.basic()} {
		si, err := c.SystemInfo(context.Background())
		if err != nil || si.ProductVersion != uememu.ProductVersion {
			t.Errorf("%s: %+v %v", name, si, err)
		}
		checks := c.VerifyReachable(context.Background())
		if doctor.Failed(checks) {
			t.Errorf("%s: %+v", name, checks)
		}
	}
}

func TestBadCredentialsAreAuthErrors(t *testing.T) {
	e := start(t)
	c := uem.NewClient(e.hc, e.url, e.oauth(uememu.OAuthClientID, "wrong"))
	_, err := c.SystemInfo(context.Background())
	if !httpx.IsAuth(err) {
		t.Fatalf("want an auth error, got %v", err)
	}
	b := uem.NewClient(e.hc, e.url, uem.Credentials{Basic: &uem.BasicCredentials{Username: uememu.BasicUser, Password: e.emu.Password()}, APIKey: "nope-nope"})
	_, err = b.SystemInfo(context.Background())
	var api *httpx.APIError
	if !errors.As(err, &api) || api.Service != "uem" || api.Code != "1013" || api.RequestID == "" {
		t.Fatalf("want errorCode 1013 with an activity id, got %v", err)
	}
	if strings.Contains(err.Error(), "nope-nope") {
		t.Fatalf("error shows the tenant code: %v", err)
	}
}

func TestEmptySearchIsEmptyList(t *testing.T) {
	e := start(t)
	devs, err := e.client().Devices(context.Background(), url.Values{"user": {"nobody-at-all"}})
	if err != nil || devs == nil && len(devs) != 0 {
		t.Fatalf("devices: %v %v", devs, err)
	}
	if len(devs) != 0 {
		t.Fatalf("want no devices, got %d", len(devs))
	}
	last := sandboxtest.Requests(t, e.sb, "uem")
	if got := last[len(last)-1].Status; got != http.StatusNoContent {
		t.Fatalf("emulator answered %d, want 204", got)
	}
}

func TestForbiddenCarriesActivityID(t *testing.T) {
	e := start(t)
	c := uem.NewClient(e.hc, e.url, e.oauth(uememu.RestrictedClientID, e.emu.RestrictedSecret()))
	_, err := c.Tags(context.Background(), nil)
	var api *httpx.APIError
	if !errors.As(err, &api) || api.Status != 403 || api.RequestID == "" || !uem.IsForbidden(err) || !httpx.IsAuth(err) {
		t.Fatalf("want a 403 APIError with activity id, got %v", err)
	}
	if !strings.Contains(err.Error(), "request id "+api.RequestID) || !strings.Contains(err.Error(), "Roles") {
		t.Fatalf("error lacks the activity id or the fix: %v", err)
	}
}

func TestVersionShapesV1AndV2(t *testing.T) {
	e := start(t)
	c := e.client()
	ctx := context.Background()
	var v1 struct {
		LocationGroups []uem.OrganizationGroup
	}
	var v2 struct {
		OrganizationGroups []uem.OrganizationGroup
	}
	if _, err := c.Do(ctx, "GET", "/API/system/groups/search", url.Values{"name": {"ACME Sales"}}, 1, nil, &v1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, "GET", "/api/system/groups/search", url.Values{"name": {"ACME Sales"}}, 2, nil, &v2); err != nil {
		t.Fatal(err)
	}
	if len(v1.LocationGroups) == 0 || len(v2.OrganizationGroups) == 0 || v1.LocationGroups[0].ID != v2.OrganizationGroups[0].ID || v1.LocationGroups[0].ID == 0 {
		t.Fatalf("v1 %+v v2 %+v", v1, v2)
	}
	// A version the endpoint does not serve is refused.
	_, err := c.Do(ctx, "GET", "/api/mam/apps/"+uememu.BoxerAppUUID+"/assignment-rules", nil, 1, nil, nil)
	if httpx.StatusOf(err) != http.StatusNotAcceptable {
		t.Fatalf("want 406, got %v", err)
	}
}

func TestGroupLookupsAndTypos(t *testing.T) {
	e := start(t)
	c := e.client()
	ctx := context.Background()
	cases := []struct {
		key, kind, want string // want: resolved name, or the suggestion expected
		found           bool
	}{
		{"ACME-SALES", "og", "ACME Sales", true},
		{"acme sales", "og", "ACME Sales", true},
		{"ACME Sale", "og", "ACME Sales", false},
		{"All Boxer Users", "sg", "All Boxer Users", true},
		{"All Boxr Users", "sg", "All Boxer Users", false},
		{"Executves", "any", "Executives", false},
		{"ACME Engineering", "any", "ACME Engineering", true},
	}
	for _, tc := range cases {
		var name string
		var err error
		switch tc.kind {
		case "og":
			var g uem.OrganizationGroup
			g, err = c.FindOrganizationGroup(ctx, tc.key)
			name = g.Name
		case "sg":
			var g uem.SmartGroup
			g, err = c.FindSmartGroup(ctx, tc.key, 0)
			name = g.Name
		default:
			var g uem.Group
			g, err = c.FindGroup(ctx, tc.key, 0)
			name = g.Name
		}
		if tc.found {
			if err != nil || name != tc.want {
				t.Errorf("%s: got %q %v", tc.key, name, err)
			}
			continue
		}
		var nf *uem.NotFoundError
		if !errors.As(err, &nf) {
			t.Errorf("%s: want NotFoundError, got %v", tc.key, err)
			continue
		}
		if !strings.Contains(err.Error(), "did you mean") || !strings.Contains(err.Error(), strconv.Quote(tc.want)) {
			t.Errorf("%s: %v lacks the suggestion %q", tc.key, err, tc.want)
		}
	}
	kids, err := c.Children(ctx, 1112)
	if err != nil || len(kids) != 3 {
		t.Fatalf("children of ACME: %+v %v", kids, err)
	}
}

func TestPagingFollowsTotal(t *testing.T) {
	var pages []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		pages = append(pages, r.URL.Query().Get("page")+"/"+r.URL.Query().Get("pagesize"))
		w.Header().Set("Content-Type", "application/json")
		rows := []map[string]any{}
		for i := 0; i < 2 && p*2+i < 5; i++ {
			rows = append(rows, map[string]any{"TagName": "t" + strconv.Itoa(p*2+i), "Id": map[string]any{"Value": p*2 + i}})
		}
		json.NewEncoder(w).Encode(map[string]any{"Tags": rows, "Page": p, "PageSize": 2, "Total": 5})
	}))
	defer srv.Close()
	c := basicClient(t, srv)
	tags, err := c.Tags(context.Background(), nil)
	if err != nil || len(tags) != 5 || tags[4].TagName != "t4" || int(tags[4].ID) != 4 {
		t.Fatalf("tags %+v %v", tags, err)
	}
	if strings.Join(pages, ",") != "0/500,1/500,2/500" {
		t.Fatalf("pages asked: %v", pages)
	}
}

func TestRateLimitHonouredBeforeQuotaRunsOut(t *testing.T) {
	e := start(t, uememu.WithQuota(3, 1500*time.Millisecond))
	c := e.client()
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if _, err := c.SystemInfo(ctx); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	for _, r := range sandboxtest.Requests(t, e.sb, "uem") {
		if r.Status == http.StatusTooManyRequests {
			t.Fatalf("the client ran into a 429: %+v", r)
		}
	}
	if _, rem, _, ok := c.RateLimit(); !ok || rem < 0 {
		t.Fatalf("rate limit not read")
	}
	// A reset too far away is an error, without sending the request.
	e2 := start(t, uememu.WithQuota(1, time.Hour))
	c2 := e2.client()
	c2.MaxQuotaWait = 10 * time.Millisecond
	if _, err := c2.SystemInfo(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(sandboxtest.Requests(t, e2.sb, "uem"))
	_, err := c2.SystemInfo(ctx)
	if err == nil || !strings.Contains(err.Error(), "quota") {
		t.Fatalf("want a quota error, got %v", err)
	}
	if after := len(sandboxtest.Requests(t, e2.sb, "uem")); after != before {
		t.Fatalf("a request was sent after the quota was spent (%d -> %d)", before, after)
	}
}

// basicClient is a UEM client of srv (trusting its certificate, no retries) with basic auth.
func basicClient(t *testing.T, srv *httptest.Server) *uem.Client {
	t.Helper()
	hc, err := httpx.New(httpx.Options{CAPEM: certPEM(srv), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return uem.NewClient(hc, srv.URL, uem.Credentials{Basic: &uem.BasicCredentials{Username: "u", Password: "p"}, APIKey: "k"})
}

func certPEM(srv *httptest.Server) []byte {
	return pemEncode(srv.Certificate().Raw)
}

func boxerSpec(sgs ...string) uem.BoxerSpec {
	cfg := &config.Config{
		Access: &config.Access{URL: "https://acme.vmwareidentity.com"},
		UEM:    &config.UEM{OrganizationGroup: "ACME", Boxer: &config.Boxer{Enabled: true, SmartGroups: sgs, SyncTimeHours: 24}},
	}
	s, err := uem.BoxerSpecFrom(cfg)
	if err != nil {
		panic(err)
	}
	return s
}

type rules struct {
	Assignments []map[string]any `json:"assignments"`
}

func boxerRules(t *testing.T, e *env) rules {
	t.Helper()
	var st struct {
		Application []struct {
			Uuid            string
			AssignmentRules rules `json:"assignment_rules"`
		}
	}
	b, _ := json.Marshal(e.emu.State())
	json.Unmarshal(b, &st)
	for _, a := range st.Application {
		if a.Uuid == uememu.BoxerAppUUID {
			return a.AssignmentRules
		}
	}
	t.Fatal("no Boxer app in the state")
	return rules{}
}

func configOf(a map[string]any) map[string][2]string {
	out := map[string][2]string{}
	list, _ := a["application_configuration"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		out[m["key"].(string)] = [2]string{m["value"].(string), m["type"].(string)}
	}
	return out
}

func TestBoxerMergeKeepsForeignKeysAndAssignments(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	before := boxerRules(t, e)
	b := &uem.Boxer{C: e.client(), Spec: boxerSpec(uememu.AllBoxerUsersName)}
	ch, err := b.Plan(ctx)
	if err != nil || len(ch) != 1 || ch[0].Action != plan.Update {
		t.Fatalf("plan %+v %v", ch, err)
	}
	var added, kept int
	for _, f := range ch[0].Fields {
		if f.Keep {
			kept++
		} else {
			added++
		}
	}
	if added != 5 || kept != 3 {
		t.Fatalf("want 5 key changes and 3 kept keys, got %d/%d: %s", added, kept, ch[0])
	}
	if e.writes(t) != 0 {
		t.Fatal("plan wrote")
	}
	if _, err := b.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	after := boxerRules(t, e)
	if len(after.Assignments) != 2 {
		t.Fatalf("assignments: %d", len(after.Assignments))
	}
	got := configOf(after.Assignments[0])
	want := map[string][2]string{
		"EmailSignature": {"Sent from Workspace ONE Boxer", "STRING"}, "AllowCopyPaste": {"false", "BOOLEAN"}, "SyncPeriodDays": {"14", "INTEGER"},
		uem.KeyEnabled: {"true", "BOOLEAN"}, uem.KeyHost: {uem.DefaultMobileFlowsHost, "STRING"}, uem.KeyVIDM: {"https://acme.vmwareidentity.com", "STRING"},
		uem.KeySyncHours: {"24", "INTEGER"}, uem.KeyAutoEnable: {"false", "BOOLEAN"},
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// the other assignment and the rest of the first one are untouched
	b1, _ := json.Marshal(before.Assignments[1])
	a1, _ := json.Marshal(after.Assignments[1])
	if string(b1) != string(a1) {
		t.Errorf("second assignment changed:\n%s\n%s", b1, a1)
	}
	for _, k := range []string{"distribution", "restriction", "tunnel", "priority"} {
		x, _ := json.Marshal(before.Assignments[0][k])
		y, _ := json.Marshal(after.Assignments[0][k])
		if string(x) != string(y) {
			t.Errorf("%s changed: %s -> %s", k, x, y)
		}
	}
	// second run: zero writes, plan no-op, verify passes
	w := e.writes(t)
	res, err := b.Apply(ctx)
	if err != nil || len(res.Changes) != 0 || e.writes(t) != w {
		t.Fatalf("second apply: %+v %v, writes %d -> %d", res, err, w, e.writes(t))
	}
	if checks := b.Verify(ctx); doctor.Failed(checks) {
		t.Fatalf("verify: %+v", checks)
	}
}

func TestBoxerFixesDriftAndAddsAssignment(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	b := &uem.Boxer{C: e.client(), Spec: boxerSpec(uememu.AllBoxerUsersName)}
	if _, err := b.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	// another sync time: a key-level update, old -> new
	b.Spec.Keys[3].Value = "48"
	ch, err := b.Plan(ctx)
	if err != nil || len(ch) != 1 || ch[0].Action != plan.Update || !strings.Contains(ch[0].String(), "AppMobileFlowsSyncTimeHours: 24 (INTEGER) -> 48 (INTEGER)") {
		t.Fatalf("plan %s %v", ch, err)
	}
	if checks := b.Verify(ctx); !doctor.Failed(checks) {
		t.Fatal("verify should fail on a different value")
	}
	// a smart group without an assignment gets a new one; the others stay
	b2 := &uem.Boxer{C: e.client(), Spec: boxerSpec("Sales Devices")}
	ch, err = b2.Plan(ctx)
	if err != nil || len(ch) != 1 || ch[0].Action != plan.Create {
		t.Fatalf("plan %+v %v", ch, err)
	}
	if _, err := b2.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(boxerRules(t, e).Assignments); n != 3 {
		t.Fatalf("assignments: %d", n)
	}
	// a typo in the smart group names the closest one
	b3 := &uem.Boxer{C: e.client(), Spec: boxerSpec("All Boxer User")}
	if _, err := b3.Plan(ctx); err == nil || !strings.Contains(err.Error(), `did you mean "All Boxer Users"`) {
		t.Fatalf("want a suggestion, got %v", err)
	}
}

// integrationCfg is a uem section signing in as flowsctl's client; integrations without auth
// get the dashboard's own OAuth client.
func integrationCfg(e *env, dir string, ins ...config.Integration) *config.UEM {
	p := filepath.Join(dir, "sec")
	os.WriteFile(p, []byte(e.emu.OAuthSecret()), 0o600)
	for i := range ins {
		if ins[i].Auth == nil {
			ins[i].Auth = dashboardAuth(e, dir, uememu.DashboardClientID, e.emu.DashboardSecret())
		}
	}
	return &config.UEM{URL: config.URL(e.url), Auth: config.UEMAuth{OAuth: &config.UEMOAuth{TokenURL: config.URL(e.url + "/na/connect/token"),
		ClientID: uememu.OAuthClientID, ClientSecret: config.SecretRef("file:" + p)}}, Integrations: ins}
}

// dashboardAuth is an integration's own OAuth client, its secret in a file.
func dashboardAuth(e *env, dir, id, secret string) *config.UEMAuth {
	p := filepath.Join(dir, "dash-"+id)
	os.WriteFile(p, []byte(secret), 0o600)
	return &config.UEMAuth{OAuth: &config.UEMOAuth{TokenURL: config.URL(e.url + "/na/connect/token"), ClientID: id, ClientSecret: config.SecretRef("file:" + p)}}
}

func integ(name string, groups ...string) config.Integration {
	return config.Integration{Name: name, Groups: groups, DeviceSyncInterval: config.MustDuration("60m"), DeviceDeletionThreshold: 100,
		DeviceDeletionAfter: 3, AppSyncInterval: config.MustDuration("240m"), Tagging: config.Tagging{Status: true}}
}

func TestCheckRanges(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*config.Integration)
		want   string
	}{
		{"ok", func(*config.Integration) {}, ""},
		{"sync too short", func(i *config.Integration) { i.DeviceSyncInterval = config.MustDuration("5m") }, "deviceSyncInterval is 5 minutes: allowed 10-1440"},
		{"sync off step", func(i *config.Integration) { i.DeviceSyncInterval = config.MustDuration("15m") }, "multiple of 10"},
		{"app sync too long", func(i *config.Integration) { i.AppSyncInterval = config.MustDuration("1450m") }, "appSyncInterval is 1450 minutes"},
		{"threshold", func(i *config.Integration) { i.DeviceDeletionThreshold = 101 }, "deviceDeletionThreshold is 101 %: allowed 0-100"},
		{"after", func(i *config.Integration) { i.DeviceDeletionAfter = 0 }, "deviceDeletionAfter is 0 sync tries: allowed 1-100"},
		{"max ok", func(i *config.Integration) {
			i.DeviceSyncInterval = config.MustDuration("24h")
			i.DeviceDeletionThreshold = 0
		}, ""},
	}
	for _, c := range cases {
		in := integ("x", "g")
		c.mutate(&in)
		errs := uem.CheckRanges("uem.integrations[0]", in)
		if c.want == "" {
			if len(errs) != 0 {
				t.Errorf("%s: %v", c.name, errs)
			}
			continue
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, errs, c.want)
		}
	}
}

func findCheck(cs []doctor.Check, suffix string) *doctor.Check {
	for i := range cs {
		if strings.HasSuffix(cs[i].ID, suffix) {
			return &cs[i]
		}
	}
	return nil
}

func TestIntegrationPreflight(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	dir := t.TempDir()
	cfg := integrationCfg(e, dir, integ("Harmony", "ACME", "Executives"), integ("Other", "ACME Sales"), integ("Typo", "ACME Engneering"))
	p := &uem.Integrations{C: e.client(), Cfg: cfg}
	reps, err := p.Run(ctx)
	if err != nil || len(reps) != 3 {
		t.Fatalf("%+v %v", reps, err)
	}
	if c := findCheck(reps[0].Checks, ".parent-child"); c == nil || c.Status != doctor.Fail || !strings.Contains(c.Detail, `"ACME Sales" is a child of "ACME"`) {
		t.Errorf("parent/child: %+v", c)
	}
	if c := findCheck(reps[1].Checks, ".parent-child"); c == nil || c.Status != doctor.Fail {
		t.Errorf("child side: %+v", c)
	}
	if c := findCheck(reps[2].Checks, ".group.acme-engneering"); c == nil || c.Status != doctor.Fail || !strings.Contains(c.Detail, `did you mean "ACME Engineering"`) {
		t.Errorf("typo: %+v", c)
	}
	for _, id := range []string{".permission.tags", ".credentials.oauth", ".settings", ".tls"} {
		if c := findCheck(reps[0].Checks, id); c == nil || c.Status != doctor.Pass {
			t.Errorf("%s: %+v", id, c)
		}
	}
	if len(reps[0].Info.Groups) != 2 || reps[0].Info.ClientID != uememu.DashboardClientID || reps[0].Info.DeviceSyncInterval != "60 minutes" {
		t.Errorf("info %+v", reps[0].Info)
	}
	b, _ := json.Marshal(reps)
	if strings.Contains(string(b), e.emu.OAuthSecret()) || strings.Contains(string(b), e.emu.DashboardSecret()) {
		t.Fatal("report holds a secret")
	}
	if c := findCheck(reps[0].Checks, ".deletion-threshold"); c == nil || c.Status != doctor.Warn || !strings.Contains(c.Detail, "evaluation only") {
		t.Errorf("100%% deletion threshold: %+v", c)
	}
	if c := findCheck(reps[0].Checks, ".permission.tags-write"); c == nil || c.Status != doctor.Skip {
		t.Errorf("tag write probe outside the preflight command: %+v", c)
	}
	if e.writes(t) != 0 {
		t.Fatal("preflight wrote")
	}
}

// TestPreflightUsesTheDashboardsCredentials: the credential and permission checks sign in as
// the integration's own client, never with flowsctl's; without uem.integrations[].auth they warn
// and skip the permissions; an auth block naming flowsctl's own client fails, and no text tells
// the admin to give the dashboard flowsctl's client.
func TestPreflightUsesTheDashboardsCredentials(t *testing.T) {
	e := start(t)
	dir := t.TempDir()
	in := integ("Harmony", "Executives")
	p := &uem.Integrations{C: e.client(), Cfg: integrationCfg(e, dir, in), ProbeTagWrite: true}
	reps, err := p.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ck := findCheck(reps[0].Checks, ".credentials.oauth"); ck == nil || ck.Status != doctor.Pass {
		t.Fatalf("dashboard client: %+v", ck)
	}
	if ck := findCheck(reps[0].Checks, ".permission.tags-write"); ck == nil || ck.Status != doctor.Pass || !strings.Contains(ck.Detail, "changes nothing") {
		t.Fatalf("tag write: %+v", ck)
	}

	noAuth := integrationCfg(e, dir, in)
	noAuth.Integrations[0].Auth = nil
	reps, err = (&uem.Integrations{C: e.client(), Cfg: noAuth}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ck := findCheck(reps[0].Checks, ".credentials"); ck == nil || ck.Status != doctor.Warn || !strings.Contains(ck.Fix, ".auth") {
		t.Errorf("no auth: %+v", ck)
	}
	if ck := findCheck(reps[0].Checks, ".permissions"); ck == nil || ck.Status != doctor.Skip {
		t.Errorf("permissions without the dashboard's credentials: %+v", ck)
	}
	own := integrationCfg(e, dir, in)
	own.Integrations[0].Auth = &own.Auth
	reps, err = (&uem.Integrations{C: e.client(), Cfg: own}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ck := findCheck(reps[0].Checks, ".credentials"); ck == nil || ck.Status != doctor.Fail || !strings.Contains(ck.Detail, "flowsctl's own") {
		t.Errorf("flowsctl's own client given to the dashboard: %+v", ck)
	}
	b, _ := json.Marshal(reps)
	if strings.Contains(strings.ToLower(string(b)), "give the dashboard flowsctl") || strings.Contains(string(b), "use flowsctl's client") {
		t.Errorf("a text suggests giving the dashboard flowsctl's client: %s", b)
	}
}

func TestPermissionProbeNamesMissingRole(t *testing.T) {
	e := start(t)
	dir := t.TempDir()
	in := integ("Harmony", "Executives")
	in.Auth = dashboardAuth(e, dir, uememu.RestrictedClientID, e.emu.RestrictedSecret())
	cfg := integrationCfg(e, dir, in)
	reps, err := (&uem.Integrations{C: e.client(), Cfg: cfg, ProbeTagWrite: true}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := findCheck(reps[0].Checks, ".permission.tags")
	if c == nil || c.Status != doctor.Fail || !strings.Contains(c.Detail, "403") || !strings.Contains(c.Detail, "Tags") || !strings.Contains(c.Fix, "Roles") {
		t.Fatalf("tags probe: %+v", c)
	}
	if d := findCheck(reps[0].Checks, ".permission.devices"); d == nil || d.Status != doctor.Pass {
		t.Fatalf("devices probe: %+v", d)
	}
	if w := findCheck(reps[0].Checks, ".permission.tags-write"); w == nil || w.Status != doctor.Fail || !strings.Contains(w.Detail, "403") {
		t.Fatalf("tag write probe: %+v", w)
	}
}

func pemEncode(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestIntegrationTLSWithServerCertificate(t *testing.T) {
	e := start(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "uem-ca.pem")
	os.WriteFile(good, e.sb.CA.CertPEM, 0o600)
	other := filepath.Join(dir, "other.pem")
	os.WriteFile(other, []byte("not a certificate"), 0o600)
	newHTTP := func(ca string) (*httpx.Client, error) { return httpx.New(httpx.Options{CAFile: ca, MaxRetries: -1}) }
	cases := []struct {
		cert string
		want doctor.Status
	}{{good, doctor.Pass}, {other, doctor.Fail}}
	for _, c := range cases {
		in := integ("Harmony", "Executives")
		in.ServerCertificate = c.cert
		p := &uem.Integrations{C: e.client(), Cfg: integrationCfg(e, dir, in), NewHTTP: newHTTP}
		reps, err := p.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ck := findCheck(reps[0].Checks, ".tls"); ck == nil || ck.Status != c.want {
			t.Errorf("%s: %+v", c.cert, ck)
		}
	}
}

// BenchmarkBoxerPlan measures a Boxer plan against the emulator (lookups + assignment rules).
func BenchmarkBoxerPlan(b *testing.B) {
	emu := uememu.New()
	sb := sandboxtest.Start(b, emu)
	hc := sandboxtest.Client(b, sb)
	u := sb.Services["uem"].URL
	c := uem.NewClient(hc, u, uem.Credentials{OAuth: &uem.OAuthCredentials{TokenURL: u + "/na/connect/token", ClientID: uememu.OAuthClientID, ClientSecret: emu.OAuthSecret()}})
	bx := &uem.Boxer{C: c, Spec: boxerSpec(uememu.AllBoxerUsersName)}
	ctx, n := httpx.WithCounter(context.Background())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := bx.Plan(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n.Load())/float64(b.N), "requests/op")
}

// TestSearchAnswerShapes: 204 and an empty list are "none found"; an empty 200 or an object
// without the list is an error naming the endpoint, never "no groups".
func TestSearchAnswerShapes(t *testing.T) {
	for _, tt := range []struct {
		name    string
		status  int
		body    string
		want    int
		wantErr string
	}{
		{"204 is empty", 204, "", 0, ""},
		{"empty list", 200, `{"OrganizationGroups":[],"Total":0}`, 0, ""},
		{"total only", 200, `{"Total":0}`, 0, ""},
		{"one group", 200, `{"OrganizationGroups":[{"Id":1,"Name":"ACME","GroupId":"acme"}],"Total":1}`, 1, ""},
		{"empty 200", 200, "", 0, "empty body"},
		{"whitespace 200", 200, " \n", 0, "empty body"},
		{"object of another shape", 200, `{"Message":"ok","Status":"fine"}`, 0, `no OrganizationGroups or LocationGroups list (keys: "Message", "Status")`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := basicClient(t, srv)
			ogs, err := c.OrganizationGroups(context.Background(), nil)
			if len(ogs) != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("%d groups, err %v; want %d, error containing %q", len(ogs), err, tt.want, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "/api/system/groups/search") {
				t.Errorf("the error must name the endpoint: %v", err)
			}
		})
	}
}

// TestBoxerVIDMWithoutSAAS: an access.url written with /SAAS gives AppMobileFlowsvIDM the
// tenant URL without it.
func TestBoxerVIDMWithoutSAAS(t *testing.T) {
	cfg := &config.Config{Access: &config.Access{URL: "https://acme.vmwareidentity.com/SAAS/"},
		UEM: &config.UEM{Boxer: &config.Boxer{Enabled: true, SmartGroups: []string{"All"}, SyncTimeHours: 24}}}
	s, err := uem.BoxerSpecFrom(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range s.Keys {
		if k.Key == uem.KeyVIDM && k.Value != "https://acme.vmwareidentity.com" {
			t.Errorf("%s = %q", k.Key, k.Value)
		}
	}
}

// TestBoxerVIDMLiveValue: a live AppMobileFlowsvIDM that differs only by a trailing slash or
// the host's case is not drift; one ending in /SAAS is, and the plan says why.
func TestBoxerVIDMLiveValue(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	b := &uem.Boxer{C: e.client(), Spec: boxerSpec(uememu.AllBoxerUsersName)}
	set := func(v string) {
		t.Helper()
		s := boxerSpec(uememu.AllBoxerUsersName)
		s.Keys[2].Value = v
		if _, err := (&uem.Boxer{C: e.client(), Spec: s}).Apply(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if b.Spec.Keys[2].Key != uem.KeyVIDM {
		t.Fatalf("key 2 is %s", b.Spec.Keys[2].Key)
	}
	set("https://ACME.vmwareidentity.com/")
	if ch, err := b.Plan(ctx); err != nil || len(ch) != 1 || ch[0].Action != plan.NoOp {
		t.Errorf("slash and case planned as %s %v", ch, err)
	}
	set("https://acme.vmwareidentity.com/SAAS")
	ch, err := b.Plan(ctx)
	if err != nil || len(ch) != 1 || ch[0].Action != plan.Update || !strings.Contains(ch[0].String(), "without /SAAS") {
		t.Errorf("/SAAS planned as %s %v", ch, err)
	}
}

package azure

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
)

// Environment of the stand-in browser: the test binary, run as xdg-open by the interactive
// browser credential, opens the sign-in URL, follows the STS's redirect to the loopback
// listener and exits, as a browser with a signed-in admin would.
const (
	envBrowser    = "FLOWSCTL_TEST_BROWSER"    // "1": this process is the browser
	envBrowserCA  = "FLOWSCTL_TEST_BROWSER_CA" // PEM file of the sandbox CA
	envBrowserLog = "FLOWSCTL_TEST_BROWSER_LOG"
)

func TestMain(m *testing.M) {
	if os.Getenv(envBrowser) == "1" {
		os.Exit(browse(os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

// browse GETs u trusting the sandbox CA, following redirects (to http://localhost too), and
// records the final URL's path and the listener's answer status in the log file.
func browse(u string) int {
	pool := x509.NewCertPool()
	if b, err := os.ReadFile(os.Getenv(envBrowserCA)); err == nil {
		pool.AppendCertsFromPEM(b)
	}
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(u)
	logf := func(format string, a ...any) {
		if p := os.Getenv(envBrowserLog); p != "" {
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
			fmt.Fprintf(f, format+"\n", a...)
			f.Close()
		}
	}
	if err != nil {
		logf("error %v", err)
		return 1
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	// response_mode=form_post: the page's form carries the code to the redirect URI.
	if m := formAction.FindSubmatch(page); m != nil {
		form := url.Values{}
		for _, in := range formInput.FindAllSubmatch(page, -1) {
			form.Set(html.UnescapeString(string(in[1])), html.UnescapeString(string(in[2])))
		}
		resp, err = c.PostForm(html.UnescapeString(string(m[1])), form)
		if err != nil {
			logf("error %v", err)
			return 1
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	logf("%d %s %s", resp.StatusCode, resp.Request.URL.Host, resp.Request.URL.Path)
	return 0
}

var (
	formAction = regexp.MustCompile(`<form method="POST" name="hiddenform" action="([^"]*)"`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)" />`)
)

// TestBrowserSignIn: azure.signIn.method=browser runs the authorization code flow with PKCE
// against the emulated STS: the credential starts a loopback listener and opens the system
// browser (here the test binary as xdg-open), the STS redirects back with a code, and the
// credential redeems it; the app is then registered with the admin's delegated token.
func TestBrowserSignIn(t *testing.T) {
	f := start(t)
	bin := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nexec \"" + self + "\" \"$@\"\n"
	for _, name := range []string{"xdg-open", "x-www-browser", "www-browser"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	logFile := filepath.Join(t.TempDir(), "browser.log")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(envBrowser, "1")
	t.Setenv(envBrowserCA, f.sb.CAPath())
	t.Setenv(envBrowserLog, logFile)

	f.cfg.Azure.SignIn = config.AzureSignIn{Method: "browser", ClientID: entraemu.PublicClientID}
	res, err := f.registerWith(t, io.Discard)
	if err != nil || res.ClientID == "" {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("register with browser sign-in: %v %+v\nbrowser: %s", err, res, log)
	}
	log, _ := os.ReadFile(logFile)
	if !strings.Contains(string(log), "200 localhost") && !strings.Contains(string(log), "200 127.0.0.1") {
		t.Errorf("the browser did not land on the loopback listener: %q", log)
	}
	var sawAuthorize, sawCode bool
	for _, e := range f.sb.Requests("sts") {
		sawAuthorize = sawAuthorize || strings.HasSuffix(e.Path, "/oauth2/v2.0/authorize") && (e.Status == http.StatusOK || e.Status == http.StatusFound)
		sawCode = sawCode || strings.HasSuffix(e.Path, "/oauth2/v2.0/token") && e.Status == http.StatusOK
	}
	if !sawAuthorize || !sawCode {
		t.Errorf("STS log: authorize answered %v, token 200 %v", sawAuthorize, sawCode)
	}
}

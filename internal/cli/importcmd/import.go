// Package importcmd is `flowsctl import`: adopt a tenant set up by hand (by the guides) by
// reading what exists and writing the flowsctl.yaml that reproduces it, so that `plan` right
// after shows no change. It only reads; secrets are never read back, only referenced.
package importcmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// Options configure `flowsctl import`.
type Options struct {
	cmdutil.Common
	Out    string
	Force  bool
	DryRun bool
	// Pick is --pick KIND=ID (repeatable, or comma-separated).
	Pick []string
}

// Kinds --pick accepts, in the order import resolves them.
var pickKinds = []string{"azure.app", "access.template", "access.scimClient", "access.directory", "identity.directory", "okta.scimApp", "okta.oidcApp"}

// NewCmdImport builds `flowsctl import`.
func NewCmdImport(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "import",
		Short: "Write the flowsctl.yaml that reproduces a tenant set up by hand (read-only)",
		Long: `Import adopts a tenant set up by hand, by the guides. It takes the connection settings and
credential references of the config given with -f (tenant URLs, sign-in) and reads everything
else from the tenant: the Entra app for Teams (found by its uniqueName, else by the hero redirect
URI or its display name) with its scopes, consent and secrets' metadata; the Access template,
SCIM service client and directory of type Other; the Identity Services directory; the
mobile flows keys on the Boxer assignments of uem.boxer.smartGroups; the Okta SCIM and OIDC
apps when the config has an okta section. It writes a config that reproduces them, so
that ` + "`flowsctl plan`" + ` right after shows no change.

Secrets are never read back: import keeps the references of the -f config (env:NAME or
file:PATH) and says on stderr which ones the admin must fill. When several objects match, import
asks (on a terminal) or takes --pick KIND=ID; with --no-input it fails naming the candidates.
Kinds: ` + strings.Join(pickKinds, ", ") + `.`,
		Example: `  flowsctl import -f flowsctl.yaml --out imported.yaml
  flowsctl import -f flowsctl.yaml --dry-run
  flowsctl import -f flowsctl.yaml --out imported.yaml --pick azure.app=11111111-2222-3333-4444-555555555555`,
	}, opts, &opts.Common, runF, importRun)
	fl := cmd.Flags()
	fl.StringVar(&opts.Out, "out", "", "write the config to this file (0600; refuses to overwrite without --force)")
	fl.BoolVar(&opts.Force, "force", false, "overwrite the --out file")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the config on stdout instead of writing a file")
	fl.StringSliceVar(&opts.Pick, "pick", nil, "choose among several candidates: KIND=ID (kinds: "+strings.Join(pickKinds, ", ")+")")
	return cmd
}

func importRun(o *Options) error {
	if o.Out == "" && !o.DryRun {
		return errors.New("say where the config goes: --out FILE (written 0600), or --dry-run to print it on stdout")
	}
	if o.Out != "" && !o.DryRun {
		if _, err := os.Lstat(o.Out); err == nil && !o.Force {
			return fmt.Errorf("%s exists: not overwriting it (use --force to replace it, or --out OTHER.yaml)", o.Out)
		}
	}
	picks, err := parsePicks(o.Pick)
	if err != nil {
		return err
	}
	cfg, hc, err := o.ConfigAndClient()
	if err != nil {
		return err
	}
	p, ho := o.Prompt(), o.HTTPOptsFor(cfg)
	im := &importer{cfg: cfg, hc: hc, httpOpts: ho, ctx: o.Context(), picks: picks, prompt: p, msg: o.IO.ErrOut}
	if err := im.run(); err != nil {
		if httpx.IsAuth(err) {
			return cmdutil.Exit(cmdutil.ExitAuth, err)
		}
		return err
	}
	body, err := config.Marshal(cfg, "yaml")
	if err != nil {
		return err
	}
	out := append([]byte(header(cfg)), body...)
	if o.DryRun {
		_, err := o.IO.Out.Write(out)
		im.report(o.IO.ErrOut, "")
		return err
	}
	if err := config.WriteFileAtomic(o.Out, out, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", o.Out, err)
	}
	im.report(o.IO.ErrOut, o.Out)
	return nil
}

func header(cfg *config.Config) string {
	from := "a tenant"
	if cfg.Path != "" {
		from = "the tenant of " + cfg.Path
	}
	return "# flowsctl.yaml written by `flowsctl import` from " + from + ".\n" +
		"# Secrets are references (env:NAME or file:PATH), never values. Check it with: flowsctl plan -f THIS_FILE\n"
}

// parsePicks reads --pick KIND=ID values.
func parsePicks(vals []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			k, id, ok := strings.Cut(p, "=")
			k, id = strings.TrimSpace(k), strings.TrimSpace(id)
			if !ok || id == "" {
				return nil, fmt.Errorf("--pick %q: write KIND=ID, e.g. --pick azure.app=APPID (kinds: %s)", p, strings.Join(pickKinds, ", "))
			}
			if !slices.Contains(pickKinds, k) {
				return nil, fmt.Errorf("--pick %q: unknown kind %q (kinds: %s)", p, k, strings.Join(pickKinds, ", "))
			}
			out[k] = id
		}
	}
	return out, nil
}

// candidate is one object that may be the one to adopt.
type candidate struct {
	ID    string // what --pick names
	Label string // how it is shown
}

// choose returns the index of the candidate to adopt: the only one, the one --pick names, or
// the one the admin picks on a terminal. Several candidates without a way to choose is an
// error naming them and the --pick syntax.
func (im *importer) choose(kind, what string, cs []candidate) (int, error) {
	if id, ok := im.picks[kind]; ok {
		for i, c := range cs {
			if strings.EqualFold(c.ID, id) {
				return i, nil
			}
		}
		return -1, fmt.Errorf("--pick %s=%s: no such %s here; candidates: %s", kind, id, what, labels(cs))
	}
	if len(cs) == 1 {
		return 0, nil
	}
	opts := make([]string, len(cs))
	for i, c := range cs {
		opts[i] = c.Label
	}
	if _, no := im.prompt.(prompt.NoInput); !no {
		ans, err := im.prompt.Select(fmt.Sprintf("Several %ss match; which one does flowsctl adopt?", what), opts, opts[0], "--pick "+kind+"=ID")
		if err == nil {
			if i := slices.Index(opts, ans); i >= 0 {
				return i, nil
			}
		}
		if err != nil {
			return -1, err
		}
	}
	return -1, fmt.Errorf("%d %ss match, and import cannot ask (--no-input): %s; choose one with --pick %s=ID, e.g. --pick %s=%s",
		len(cs), what, labels(cs), kind, kind, cs[0].ID)
}

func labels(cs []candidate) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.Label)
	}
	return strings.Join(s, "; ")
}

// report tells the admin what import found, what it left as it was and which secret
// references they must fill before apply or doctor can use them.
func (im *importer) report(w io.Writer, out string) {
	for _, n := range im.notes {
		fmt.Fprintln(w, n)
	}
	var missing []string
	for _, r := range secretRefs(im.cfg) {
		if _, err := im.cfg.Secret(r.ref); err != nil {
			missing = append(missing, fmt.Sprintf("  %s: %s", r.path, r.ref))
		}
	}
	if len(missing) > 0 {
		fmt.Fprintln(w, "Secrets are never read back from the tenant. Supply these before plan/apply/doctor (each reference must hold the current value):")
		for _, m := range missing {
			fmt.Fprintln(w, m)
		}
	}
	if out != "" {
		fmt.Fprintf(w, "Wrote %s (0600). Next: flowsctl plan -f %s\n", out, out)
	}
}

type secretRef struct {
	path string
	ref  config.SecretRef
}

// secretRefs lists the secret references a config names, with their keys.
func secretRefs(c *config.Config) []secretRef {
	var out []secretRef
	add := func(path string, r config.SecretRef) {
		if r != "" {
			out = append(out, secretRef{path, r})
		}
	}
	if a := c.Azure; a != nil {
		add("azure.signIn.clientSecret", a.SignIn.ClientSecret)
		add("azure.app.secret.sink", a.App.Secret.Sink)
	}
	if a := c.Access; a != nil {
		add("access.auth.clientSecret", a.Auth.ClientSecret)
		if a.SCIMClient != nil {
			add("access.scimClient.secretSink", a.SCIMClient.SecretSink)
		}
	}
	if is := c.IdentityServices; is != nil && is.Enabled {
		add("identityServices.scimToken.sink", is.SCIMToken.Sink)
		if is.OIDC != nil {
			add("identityServices.oidc.clientSecret", is.OIDC.ClientSecret)
		}
	}
	if u := c.UEM; u != nil {
		if u.Auth.OAuth != nil {
			add("uem.auth.oauth.clientSecret", u.Auth.OAuth.ClientSecret)
		}
		if u.Auth.Basic != nil {
			add("uem.auth.basic.password", u.Auth.Basic.Password)
		}
		add("uem.auth.apiKey", u.Auth.APIKey)
	}
	if o := c.Okta; o != nil {
		add("okta.auth.apiToken", o.Auth.APIToken)
		add("okta.auth.privateKey", o.Auth.PrivateKey)
		if o.OIDCApp != nil {
			add("okta.oidcApp.secretSink", o.OIDCApp.SecretSink)
		}
	}
	return out
}

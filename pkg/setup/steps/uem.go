package steps

import (
	"context"
	"os"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

const uemAuthFix = "check uem.url and uem.auth in flowsctl.yaml (OAuth client id/secret and region or tokenUrl; or basic username/password and apiKey)"

// uemClient is shared by the UEM steps of one run (one OAuth token, one rate-limit budget).
// With uem.caFile, uem.Open builds the dedicated client through httpx.New from d.HTTPOptions.
func uemClient(d Deps) *lazy[*uem.Client] {
	return sharedClient(d, "uem", uemAuthFix, func() (*uem.Client, error) { return uem.Open(d.HTTP, d.Config, d.HTTPOptions) })
}

// UEMClient is the run's UEM client (noun commands use the same one the steps do).
func UEMClient(d Deps) (*uem.Client, error) { return uemClient(d).get() }

// uemSkip is the reason the UEM steps are inactive: no uem section.
func uemSkip(cfg *config.Config) string {
	if cfg.UEM == nil {
		return "no uem section in the config"
	}
	return ""
}

// withFix gives every Plan and Apply error of an object the command that fixes it.
type withFix struct {
	object.Object
	fix string
}

func (o withFix) Plan(ctx context.Context) ([]plan.Change, error) {
	cs, err := o.Object.Plan(ctx)
	if err != nil {
		err = setup.Errorf("", err, o.fix)
	}
	return cs, err
}

func (o withFix) Apply(ctx context.Context) (object.Result, error) {
	r, err := o.Object.Apply(ctx)
	if err != nil {
		err = setup.Errorf("", err, o.fix)
	}
	return r, err
}

func fixed(fix string, objs ...object.Object) []object.Object {
	out := make([]object.Object, len(objs))
	for i, o := range objs {
		out[i] = withFix{o, fix}
	}
	return out
}

// objectOf is the Objects of a row whose one object build makes: with a fix, the object's
// Plan and Apply errors name that command (see fixed); with "", the object is as built.
func objectOf[T object.Object](fix string, build func(Deps) (T, error)) func(Deps, setup.Values) ([]object.Object, error) {
	return func(d Deps, _ setup.Values) ([]object.Object, error) {
		o, err := build(d)
		if err != nil {
			return nil, err
		}
		if fix == "" {
			return []object.Object{o}, nil
		}
		return fixed(fix, o), nil
	}
}

// uemBoxer sets the five mobile flows keys on the Boxer assignments.
var uemBoxer = Row{
	ID: "uem.boxer",
	Skip: skipUnless(uemSkip, func(cfg *config.Config) bool { return cfg.UEM.Boxer != nil && cfg.UEM.Boxer.Enabled },
		"uem.boxer is absent or not enabled"),
	Fix:     uemAuthFix,
	Objects: objectOf("flowsctl uem boxer configure", UEMBoxer),
}

// UEMBoxer builds the Boxer keys object of uem.boxer.
func UEMBoxer(d Deps) (*uem.Boxer, error) {
	c, err := uemClient(d).get()
	if err != nil {
		return nil, err
	}
	spec, err := uem.BoxerSpecFrom(d.Config)
	if err != nil {
		return nil, setup.Errorf("uem.boxer", err, "fix uem.boxer in flowsctl.yaml")
	}
	return &uem.Boxer{C: c, Spec: spec}, nil
}

// uemIntegrations is the third-party dashboard preflight (writes nothing).
var uemIntegrations = Row{
	ID: "uem.integrations",
	Skip: skipUnless(uemSkip, func(cfg *config.Config) bool { return len(cfg.UEM.Integrations) > 0 },
		"no uem.integrations in the config"),
	Fix:     uemAuthFix,
	Objects: objectOf("flowsctl uem integration check", UEMIntegrations),
}

// UEMIntegrations builds the preflight object of uem.integrations.
func UEMIntegrations(d Deps) (*uem.Integrations, error) {
	c, err := uemClient(d).get()
	if err != nil {
		return nil, err
	}
	return &uem.Integrations{C: c, Cfg: d.Config.UEM, Root: d.Config, NewHTTP: HTTPFor(d)}, nil
}

// HTTPFor returns the factory of clients that trust one more CA file (an integration's
// serverCertificate, relative to the config's folder) besides the run's CA, built through
// httpx.New with the run's options.
func HTTPFor(d Deps) func(caFile string) (*httpx.Client, error) {
	return func(caFile string) (*httpx.Client, error) {
		o := d.HTTPOptions
		if o.CAFile != "" {
			// keep trusting the CA the rest of flowsctl trusts (the sandbox CA, say)
			if pem, err := os.ReadFile(o.CAFile); err == nil {
				o.CAPEM = append(append([]byte(nil), o.CAPEM...), pem...)
			}
		}
		o.CAFile = d.Config.ResolvePath(caFile)
		return httpx.New(o)
	}
}

// uemProbes: the API answers with the configured credentials and the console release is recent
// enough for mobile flows (1904) and OOTB connectors (1905).
func uemProbes(d Deps) []doctor.Probe {
	if d.Config.UEM == nil || d.Config.UEM.URL == "" {
		return nil
	}
	client := uemClient(d)
	return []doctor.Probe{{ID: "uem.reachable", Title: "UEM API reachable and recent enough", Run: func(ctx context.Context) []doctor.Check {
		c, err := client.get()
		if err != nil {
			return failCheck("uem.reachable", "UEM API reachable", err, uemAuthFix)
		}
		return c.VerifyReachable(ctx)
	}}}
}

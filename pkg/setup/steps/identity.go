package steps

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/access/identity"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

func init() { register(identitySteps) }

const identityAuthFix = "check identityServices.url (default access.url) and access.auth (the admin OAuth client) in flowsctl.yaml"

// identityClient is the run's Identity Services admin client.
func identityClient(d Deps) *lazy[*identity.Client] {
	return sharedValue(d, "identity", func() *lazy[*identity.Client] {
		return newLazy(func() (*identity.Client, error) {
			c, err := identity.FromConfig(d.HTTP, d.Config)
			if err != nil {
				return nil, setup.Errorf("", err, identityAuthFix)
			}
			return c, nil
		})
	})
}

func identitySteps(d Deps) []setup.Step {
	cfg := d.Config
	is := cfg.IdentityServices
	if is == nil || !is.Enabled {
		const why = "identityServices is not enabled in the config (SCIM goes to Access)"
		return []setup.Step{skipped("identity.directory", nil, why), skipped("identity.scimToken", []string{"identity.directory"}, why),
			skipped("identity.idp", []string{"identity.directory"}, why)}
	}
	client := identityClient(d)
	dirName, domain, source := is.Directory.Name, is.Directory.Domain, is.Directory.Source
	dirObj := fmt.Sprintf("Identity Services directory %q", dirName)

	// find returns the directory (nil when absent) and records its id.
	find := func(ctx context.Context, o *setup.Outputs) (*identity.Client, *identity.Directory, error) {
		c, err := client.get()
		if err != nil {
			return nil, nil, err
		}
		dir, err := c.FindDirectory(ctx, dirName)
		if err != nil {
			return c, nil, setup.Errorf(dirObj, err, identityAuthFix)
		}
		if dir != nil {
			if full, err := c.Directory(ctx, dir.ID); err == nil {
				dir = full
			}
			o.Set(func(v *setup.Values) { v.Identity.DirectoryID = dir.ID; v.Identity.SCIMURL = c.SCIMURL() })
		}
		return c, dir, nil
	}

	directory := &step{id: "identity.directory",
		plan: func(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
			_, dir, err := find(ctx, o)
			if err != nil {
				return nil, err
			}
			switch {
			case dir == nil:
				return []plan.Change{{Object: dirObj, Action: plan.Create, Fields: []plan.FieldChange{{Path: "domain", New: domain}, {Path: "source", New: source}, {Path: "type", New: "PROVISIONED"}}}}, nil
			case !strings.EqualFold(dir.Domain(), domain):
				return nil, setup.Errorf(dirObj, fmt.Errorf("exists with domain %q, the config says %q (a directory keeps its one domain)", dir.Domain(), domain),
					"fix identityServices.directory.domain, or delete the directory in the console (Integrations > Identity Services) and re-run flowsctl apply")
			}
			return []plan.Change{{Object: dirObj, Action: plan.NoOp}}, nil
		},
		apply: func(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
			c, err := client.get()
			if err != nil {
				return setup.Applied{}, err
			}
			dir, created, err := c.EnsureDirectory(ctx, dirName, domain, source)
			if err != nil {
				return setup.Applied{}, setup.Errorf(dirObj, err, "flowsctl identity directory create")
			}
			o.Set(func(v *setup.Values) { v.Identity.DirectoryID = dir.ID; v.Identity.SCIMURL = c.SCIMURL() })
			a := setup.Applied{Objects: []setup.Object{{Kind: "identity directory", Key: dirName, ID: dir.ID}}}
			if created {
				a.Changes = []plan.Change{{Object: dirObj, Action: plan.Create}}
			}
			return a, nil
		},
		verify: func(ctx context.Context, o *setup.Outputs) []doctor.Check {
			id := "identity.directory"
			title := dirObj + " exists with domain " + domain
			_, dir, err := find(ctx, o)
			switch {
			case err != nil:
				return failCheck(id, title, err, identityAuthFix)
			case dir == nil:
				return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: "not found (deleted, or never created)", Fix: "flowsctl apply --only identity (or: flowsctl identity directory create)"}}
			case dir.DeleteInProgress:
				return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: "a delete is in progress", Fix: "wait for the delete to finish, then run flowsctl apply --only identity"}}
			case !strings.EqualFold(dir.Domain(), domain):
				return []doctor.Check{{ID: id + ".domain", Title: title, Status: doctor.Fail, Detail: fmt.Sprintf("domain is %q, want %q", dir.Domain(), domain),
					Fix: "fix identityServices.directory.domain or recreate the directory (Integrations > Identity Services)"}}
			}
			return []doctor.Check{{ID: id, Title: title, Status: doctor.Pass, Detail: "id " + dir.ID}}
		},
	}

	sink := access.AbsRef(cfg, is.SCIMToken.Sink)
	warn := 30 * config.Day
	if cfg.Doctor != nil && !cfg.Doctor.WarnSecretExpiryBefore.IsZero() {
		warn = cfg.Doctor.WarnSecretExpiryBefore.D
	}
	tokObj := fmt.Sprintf("SCIM token of %s", dirObj)
	// tokenState reads the sink and asks the SCIM endpoint whether the token works.
	tokenState := func(ctx context.Context, c *identity.Client, dirID string) (ok bool, why string, exp time.Time, err error) {
		tok, rerr := sink.Resolve()
		if rerr != nil {
			return false, "the sink holds no token (" + sink.Target() + ")", exp, nil
		}
		d.HTTP.AddSecret(tok)
		claims := jwtClaims(tok)
		if n, ok := claims["exp"].(float64); ok {
			exp = time.Unix(int64(n), 0)
			if time.Until(exp) <= 0 {
				return false, "the token in the sink expired " + exp.UTC().Format(time.RFC3339), exp, nil
			}
		}
		if id, ok := claims["directory_id"].(string); ok && dirID != "" && id != dirID {
			return false, "the token in the sink belongs to another directory", exp, nil
		}
		status, err := scimProbe(ctx, d.HTTP, c.SCIMURL(), tok)
		if err != nil {
			return false, "", exp, err
		}
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return false, fmt.Sprintf("the SCIM endpoint rejects the token in the sink (%d)", status), exp, nil
		}
		if status >= 300 {
			return false, "", exp, fmt.Errorf("GET %s/Users: HTTP %d", c.SCIMURL(), status)
		}
		return true, "", exp, nil
	}
	scimToken := &step{id: "identity.scimToken", needs: []string{"identity.directory"}, verifyAO: true,
		plan: func(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
			c, err := client.get()
			if err != nil {
				return nil, err
			}
			dirID := o.Get().Identity.DirectoryID
			if dirID == "" {
				return []plan.Change{{Object: tokObj, Action: plan.Create, Note: "generated once the directory exists; written to " + string(sink)}}, nil
			}
			ok, why, _, err := tokenState(ctx, c, dirID)
			if err != nil {
				return nil, setup.Errorf(tokObj, err, "flowsctl identity token generate")
			}
			if ok {
				return []plan.Change{{Object: tokObj, Action: plan.NoOp}}, nil
			}
			return []plan.Change{{Object: tokObj, Action: plan.Create, Note: why + "; a new token is generated and written to " + string(sink)}}, nil
		},
		apply: func(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
			c, err := client.get()
			if err != nil {
				return setup.Applied{}, err
			}
			dirID := o.Get().Identity.DirectoryID
			if dirID == "" {
				return setup.Applied{}, setup.Errorf(tokObj, errors.New("the directory id is unknown"), "flowsctl apply --only identity.directory,identity.scimToken")
			}
			a := setup.Applied{Objects: []setup.Object{{Kind: "scim token", Key: string(sink)}}}
			ok, _, _, err := tokenState(ctx, c, dirID)
			if err != nil {
				return a, setup.Errorf(tokObj, err, "flowsctl identity token generate")
			}
			o.Set(func(v *setup.Values) { v.Identity.TokenSink = sink })
			if ok {
				return a, nil
			}
			if sink.Kind() != "file" {
				return a, setup.Errorf(tokObj, fmt.Errorf("the token must be regenerated but identityServices.scimToken.sink is %s, which flowsctl cannot write", sink),
					"set identityServices.scimToken.sink to file:PATH, or run flowsctl identity token generate and store the token yourself")
			}
			mins, err := identity.LifespanMinutes(is.SCIMToken.Lifespan)
			if err != nil {
				return a, setup.Errorf(tokObj, err, "fix identityServices.scimToken.lifespan (at most 24mo)")
			}
			tok, err := c.GenerateSCIMToken(ctx, dirID, mins)
			if err != nil {
				return a, setup.Errorf(tokObj, err, "flowsctl identity token generate")
			}
			if err := sink.Write(tok.Token); err != nil {
				return a, setup.Errorf(tokObj, fmt.Errorf("the new token could not be written to %s: %w", sink, err),
					"fix the sink path, then run flowsctl apply --only identity.scimToken (it generates another token)")
			}
			a.Changes = []plan.Change{{Object: tokObj, Action: plan.Create, Note: fmt.Sprintf("written to %s (0600), expires %s; paste it into Okta's SCIM app (Provisioning > Integration > API Token)", sink.Target(), tok.ExpiresAt.UTC().Format("2006-01-02"))}}
			return a, nil
		},
		verify: func(ctx context.Context, o *setup.Outputs) []doctor.Check {
			id := "identity.scimToken"
			title := "SCIM token in " + string(sink) + " works against Identity Services"
			c, err := client.get()
			if err != nil {
				return failCheck(id, title, err, identityAuthFix)
			}
			ok, why, exp, err := tokenState(ctx, c, o.Get().Identity.DirectoryID)
			switch {
			case err != nil:
				return failCheck(id, title, err, "check identityServices.url and the network path")
			case !ok:
				return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: why,
					Fix: "flowsctl apply --only identity.scimToken (generates a new token; then update Okta's SCIM app: Provisioning > Integration > API Token)"}}
			}
			ck := doctor.Check{ID: id, Title: title, Status: doctor.Pass, Detail: "the SCIM endpoint accepts it"}
			if !exp.IsZero() {
				ck.Detail += "; expires " + exp.UTC().Format("2006-01-02")
				if time.Until(exp) < warn {
					ck.Status, ck.Fix = doctor.Warn, "rotate before it expires: flowsctl identity token generate, then update Okta's SCIM app"
				}
			}
			return []doctor.Check{ck}
		},
	}

	out := []setup.Step{directory, scimToken}
	if is.OIDC == nil {
		return append(out, skipped("identity.idp", []string{"identity.directory"}, "no identityServices.oidc in the config"))
	}
	oidc := is.OIDC
	idpName := idpNameFor(source)
	idpObj := fmt.Sprintf("identity provider %q", idpName)
	findIdP := func(ctx context.Context, c *identity.Client) (*identity.IdP, error) {
		list, err := c.IdPs(ctx)
		if err != nil {
			return nil, setup.Errorf(idpObj, err, identityAuthFix)
		}
		for i := range list {
			if strings.EqualFold(list[i].Name, idpName) {
				return &list[i], nil
			}
		}
		return nil, nil
	}
	idp := &step{id: "identity.idp", needs: []string{"identity.directory"}, verifyAO: true,
		plan: func(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
			c, err := client.get()
			if err != nil {
				return nil, err
			}
			p, err := findIdP(ctx, c)
			if err != nil {
				return nil, err
			}
			dirID := o.Get().Identity.DirectoryID
			switch {
			case p == nil:
				return []plan.Change{{Object: idpObj, Action: plan.Create, Fields: []plan.FieldChange{{Path: "type", New: "OIDC"},
					{Path: "configuration_url", New: identity.OktaConfigurationURL(string(oidc.IssuerURL))}, {Path: "client_id", New: oidc.ClientID}}}}, nil
			case dirID != "" && !slices.Contains(p.DirectoryIDs, dirID):
				return []plan.Change{{Object: idpObj, Action: plan.Update, Fields: []plan.FieldChange{{Path: "directory_ids", Old: strings.Join(p.DirectoryIDs, ","), New: dirID}}}}, nil
			}
			return []plan.Change{{Object: idpObj, Action: plan.NoOp}}, nil
		},
		apply: func(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
			c, err := client.get()
			if err != nil {
				return setup.Applied{}, err
			}
			p, err := findIdP(ctx, c)
			if err != nil {
				return setup.Applied{}, err
			}
			dirID := o.Get().Identity.DirectoryID
			a := setup.Applied{Objects: []setup.Object{{Kind: "identity provider", Key: idpName}}}
			if p != nil {
				a.Objects[0].ID = p.ID
				o.Set(func(v *setup.Values) { v.Identity.IdPID = p.ID })
				if dirID == "" || slices.Contains(p.DirectoryIDs, dirID) {
					return a, nil // exists and serves the directory: nothing to write (the secret is not readable to compare)
				}
			}
			secret, err := access.ResolveSecret(cfg, oidc.ClientSecret)
			if err != nil {
				return a, setup.Errorf(idpObj, fmt.Errorf("identityServices.oidc.clientSecret: %w", err), "set identityServices.oidc.clientSecret to env:NAME or file:PATH holding the Okta OIDC app's secret")
			}
			var dirs []string
			if dirID != "" {
				dirs = []string{dirID}
			}
			got, created, err := c.EnsureOIDC(ctx, identity.OIDCSpec{Name: idpName, SourceType: strings.ToUpper(source), ClientID: oidc.ClientID, ClientSecret: secret,
				ConfigurationURL: identity.OktaConfigurationURL(string(oidc.IssuerURL)), OIDCUserIdentifier: oidc.OIDCUserIdentifier,
				WorkspaceOneUserIdentifier: oidc.WorkspaceOneUserIdentifier, DirectoryIDs: dirs})
			if err != nil {
				return a, setup.Errorf(idpObj, err, "flowsctl identity idp create oidc")
			}
			if got != nil {
				a.Objects[0].ID = got.ID
				o.Set(func(v *setup.Values) { v.Identity.IdPID = got.ID })
			}
			act := plan.Update
			if created {
				act = plan.Create
			}
			a.Changes = []plan.Change{{Object: idpObj, Action: act}}
			return a, nil
		},
		verify: func(ctx context.Context, o *setup.Outputs) []doctor.Check {
			id := "identity.idp"
			title := idpObj + " (OIDC) serves " + dirObj
			c, err := client.get()
			if err != nil {
				return failCheck(id, title, err, identityAuthFix)
			}
			p, err := findIdP(ctx, c)
			switch {
			case err != nil:
				return failCheck(id, title, err, identityAuthFix)
			case p == nil:
				return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: "not found", Fix: "flowsctl apply --only identity.idp"}}
			case !strings.EqualFold(p.Type, "OIDC"):
				return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: "type is " + p.Type, Fix: "rename or remove it in the console (Integrations > Identity Services > Identity providers), then flowsctl apply --only identity.idp"}}
			}
			if dirID := o.Get().Identity.DirectoryID; dirID != "" && !slices.Contains(p.DirectoryIDs, dirID) {
				return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: "not linked to the directory", Fix: "flowsctl apply --only identity.idp"}}
			}
			return []doctor.Check{{ID: id, Title: title, Status: doctor.Pass, Detail: "id " + p.ID}}
		},
	}
	return append(out, idp)
}

// idpNameFor names the identity provider after the directory's source ("Okta").
func idpNameFor(source string) string {
	switch strings.ToUpper(source) {
	case "", "OKTA":
		return "Okta"
	case "ENTRA", "AZURE":
		return "Entra ID"
	}
	return strings.ToUpper(source[:1]) + strings.ToLower(source[1:])
}

// scimProbe asks the SCIM endpoint for one user with the token: 200 means the token works.
func scimProbe(ctx context.Context, hc *httpx.Client, base, tok string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/Users?count=1&attributes=id", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/scim+json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	httpx.ReadBody(resp)
	return resp.StatusCode, nil
}

// jwtClaims decodes a JWT's payload without verifying it (only exp and directory_id are read).
func jwtClaims(tok string) map[string]any {
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

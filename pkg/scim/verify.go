package scim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// DefaultWarnBefore is how long before a SCIM token expires the expiry check warns.
const DefaultWarnBefore = 30 * 24 * time.Hour

// IsSystemDomain reports Access's System domain (where groups Okta pushes land, as the Okta SCIM to Access guide warns).
func IsSystemDomain(d string) bool {
	d = strings.ToLower(strings.TrimSpace(d))
	return d == "system" || d == "system domain"
}

// Checks verifies the target: endpoint reachable, token valid, token expiry, and (Access)
// that no group sits in the System domain.
func (t *Target) Checks(ctx context.Context, warnBefore time.Duration) []doctor.Check {
	if warnBefore <= 0 {
		warnBefore = DefaultWarnBefore
	}
	c := t.Client
	var out []doctor.Check
	add := func(id, title string, st doctor.Status, detail, fix string) {
		out = append(out, doctor.Check{ID: id, Title: title, Status: st, Detail: detail, Fix: fix})
	}
	tokenFix := "flowsctl identity token generate"
	if c.Dialect() == Access11 {
		tokenFix = "check access.scimClient and its secretSink (flowsctl apply rotates a lost secret), or pass --token-file"
	}
	r, err := c.Raw(ctx, http.MethodGet, "/Users", url.Values{"startIndex": {"1"}, "count": {"1"}}, nil, nil)
	if err != nil && r == nil {
		add("scim.endpoint", "SCIM endpoint reachable", doctor.Fail, fmt.Sprintf("%s (%s): %v", t.URL, t.Source, err),
			"check the URL ("+t.Source+") and the network path to it; a custom CA goes in --ca-file")
		add("scim.token", "SCIM token accepted", doctor.Skip, "endpoint unreachable", "")
		return out
	}
	add("scim.endpoint", "SCIM endpoint reachable", doctor.Pass, t.URL+" ("+t.Source+")", "")
	switch {
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden:
		add("scim.token", "SCIM token accepted", doctor.Fail, fmt.Sprintf("HTTP %d from %s/Users", r.Status, t.URL), tokenFix)
	case r.Status == http.StatusOK:
		add("scim.token", "SCIM token accepted", doctor.Pass, "", "")
	default:
		add("scim.token", "SCIM token accepted", doctor.Fail, fmt.Sprintf("HTTP %d from %s/Users: %.120s", r.Status, t.URL, r.Body),
			"see `flowsctl explain` for the error text")
	}
	if t.TokenExpiry != nil {
		exp, err := t.TokenExpiry(ctx)
		switch {
		case err != nil:
			add("scim.token-expiry", "SCIM token expiry", doctor.Fail, err.Error(), tokenFix)
		case exp.IsZero():
			add("scim.token-expiry", "SCIM token expiry", doctor.Skip, "the token does not carry its expiry", "")
		case time.Until(exp) <= 0:
			add("scim.token-expiry", "SCIM token expiry", doctor.Fail, "expired "+exp.UTC().Format(time.RFC3339), tokenFix+" (then paste the new token into Okta's provisioning settings)")
		case time.Until(exp) < warnBefore:
			add("scim.token-expiry", "SCIM token expiry", doctor.Warn, fmt.Sprintf("expires %s (in %d days)", exp.UTC().Format(time.RFC3339), int(time.Until(exp).Hours()/24)),
				tokenFix+" (then paste the new token into Okta's provisioning settings)")
		default:
			add("scim.token-expiry", "SCIM token expiry", doctor.Pass, "expires "+exp.UTC().Format(time.RFC3339), "")
		}
	}
	if c.Dialect() == Access11 && r.Status == http.StatusOK {
		var sys []string
		for g, err := range c.Groups(ctx, ListOptions{PageSize: 500}) {
			if err != nil {
				add("scim.groups-domain", "Groups are not in the System domain", doctor.Fail, err.Error(), tokenFix)
				return out
			}
			if IsSystemDomain(g.Domain) {
				sys = append(sys, g.DisplayName)
			}
		}
		if len(sys) > 0 {
			add("scim.groups-domain", "Groups are not in the System domain", doctor.Fail,
				fmt.Sprintf("%d group(s) in the System domain (pushed from Okta): %s", len(sys), strings.Join(first(sys, 5), ", ")),
				"flowsctl scim groups fix-domain --domain "+orDefault(t.Domain, "<directory domain>")+" (then relink the groups in Okta: Push Groups > Link Group)")
		} else {
			add("scim.groups-domain", "Groups are not in the System domain", doctor.Pass, "", "")
		}
	}
	return out
}

func first(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
	}
	return xs
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

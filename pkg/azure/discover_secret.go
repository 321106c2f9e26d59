package azure

import (
	"regexp"
	"strings"
	"time"
)

// datedName matches the date flowsctl appends to a client secret's name ("flowsctl 2026-11-23").
var datedName = regexp.MustCompile(` \d{4}-\d{2}-\d{2}$`)

// SecretSettings is what azure.app.secret can say about the app's client secrets as they are:
// the display name prefix of the secret the sink holds (by its hint; else of the unexpired
// secret that lasts longest) and that secret's lifetime (its start to its end, in whole days;
// 0 when Entra reports no start). ok is false when the app has no unexpired secret. Values are
// never read: sinkValue is only compared with the hints Entra reports.
func SecretSettings(ps []Password, sinkValue string, now time.Time) (name string, lifetime time.Duration, ok bool) {
	var best *Password
	better := func(p *Password) bool { return best == nil || p.End.After(best.End) }
	for i := range ps {
		p := &ps[i]
		if !p.End.After(now) || sinkValue == "" || p.Hint == "" || !strings.HasPrefix(sinkValue, p.Hint) {
			continue
		}
		if better(p) {
			best = p
		}
	}
	if best == nil {
		for i := range ps {
			if p := &ps[i]; p.End.After(now) && better(p) {
				best = p
			}
		}
	}
	if best == nil {
		return "", 0, false
	}
	name = strings.TrimSpace(datedName.ReplaceAllString(best.DisplayName, ""))
	if !best.Start.IsZero() && best.End.After(best.Start) {
		lifetime = best.End.Sub(best.Start).Round(24 * time.Hour)
	}
	return name, lifetime, name != ""
}

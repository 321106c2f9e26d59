package uem

import (
	"context"
	"slices"
	"strings"
)

// KeyedSmartGroups names the smart groups whose Boxer assignment holds mobile flows keys (what
// uem.boxer.smartGroups lists): the configured ones first, in their order, then the others by
// name. A smart group the search does not return is left out. Reads only.
func (b *Boxer) KeyedSmartGroups(ctx context.Context) ([]string, error) {
	ogID, apps, err := b.ogAndApps(ctx)
	if err != nil {
		return nil, err
	}
	keyed := map[string]bool{}
	for _, ba := range apps {
		if err := b.readRules(ctx, ba); err != nil {
			return nil, err
		}
		for _, a := range ba.assignments {
			if !hasMobileFlowsKeys(a) {
				continue
			}
			for _, g := range assignmentGroups(a) {
				keyed[strings.ToLower(g)] = true
			}
		}
	}
	if len(keyed) == 0 {
		return nil, nil
	}
	sgs, err := b.C.SmartGroups(ctx, "", ogID)
	if err != nil {
		return nil, err
	}
	var first, rest []string
	for _, sg := range sgs {
		if !keyed[strings.ToLower(sg.UUID)] {
			continue
		}
		if slices.ContainsFunc(b.Spec.SmartGroups, func(n string) bool { return strings.EqualFold(n, sg.Name) }) {
			first = append(first, sg.Name)
		} else {
			rest = append(rest, sg.Name)
		}
	}
	slices.SortFunc(first, func(x, y string) int {
		return slices.IndexFunc(b.Spec.SmartGroups, func(n string) bool { return strings.EqualFold(n, x) }) -
			slices.IndexFunc(b.Spec.SmartGroups, func(n string) bool { return strings.EqualFold(n, y) })
	})
	slices.Sort(rest)
	return append(first, rest...), nil
}

func hasMobileFlowsKeys(a map[string]any) bool {
	for _, kv := range readConfig(a) {
		if strings.HasPrefix(str(kv["key"]), "AppMobileFlows") {
			return true
		}
	}
	return false
}

// ogAndApps resolves the configured organization group and the Boxer apps visible there.
func (b *Boxer) ogAndApps(ctx context.Context) (int, []*boxerApp, error) {
	ogID, err := b.ogID(ctx)
	if err != nil {
		return 0, nil, err
	}
	apps, err := b.findApps(ctx, ogID)
	return ogID, apps, err
}

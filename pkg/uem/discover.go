package uem

import (
	"context"
	"fmt"
	"strings"
)

// BoxerKeys reads the mobile flows keys set on the Boxer assignment of each configured smart
// group (key -> value as stored): what `flowsctl import` writes back as uem.boxer. An assignment
// without the keys is left out; several that disagree are an error naming them. Reads only.
func (b *Boxer) BoxerKeys(ctx context.Context) (map[string]string, error) {
	ogID, apps, err := b.ogAndApps(ctx)
	if err != nil {
		return nil, err
	}
	var sgs []SmartGroup
	for _, name := range b.Spec.SmartGroups {
		sg, err := b.C.FindSmartGroup(ctx, name, ogID)
		if err != nil {
			return nil, fmt.Errorf("uem.boxer.smartGroups: %w", err)
		}
		sgs = append(sgs, sg)
	}
	var out map[string]string
	var from string
	for _, ba := range apps {
		if err := b.readRules(ctx, ba); err != nil {
			return nil, err
		}
		for _, sg := range sgs {
			a := findAssignment(ba, sg.UUID)
			if a == nil {
				continue
			}
			keys := map[string]string{}
			for _, kv := range readConfig(a) {
				if k := str(kv["key"]); strings.HasPrefix(k, "AppMobileFlows") {
					keys[k] = str(kv["value"])
				}
			}
			if len(keys) == 0 {
				continue
			}
			where := fmt.Sprintf("%q / smart group %q", ba.app.ApplicationName, sg.Name)
			if out != nil && !sameKeys(out, keys) {
				return nil, fmt.Errorf("the Boxer assignments %s and %s hold different mobile flows keys; make them agree in the UEM console (Apps & Books > Workspace ONE Boxer > Assignments) or import one smart group at a time", from, where)
			}
			if out == nil {
				out, from = keys, where
			}
		}
	}
	return out, nil
}

func sameKeys(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

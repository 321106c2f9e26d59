package uem

import (
	"context"
	"fmt"
	"sync"
)

// together runs the independent reads fs at the same time and returns when all are done, so
// a check waits one round trip for them instead of one per read. Each f must write only state
// no other f touches.
func together(fs ...func()) {
	var wg sync.WaitGroup
	for _, f := range fs {
		wg.Go(f)
	}
	wg.Wait()
}

// resolveGroups looks up every group every integration names, each once and all at the same
// time: the group, or the error of its look-up, by name.
func (p *Integrations) resolveGroups(ctx context.Context) (map[string]Group, map[string]error) {
	var names []string
	seen := map[string]bool{}
	for _, in := range p.Cfg.Integrations {
		for _, g := range in.Groups {
			if !seen[g] {
				seen[g] = true
				names = append(names, g)
			}
		}
	}
	groups := make([]Group, len(names))
	errs := make([]error, len(names))
	reads := make([]func(), len(names))
	for i, g := range names {
		reads[i] = func() { groups[i], errs[i] = p.C.FindGroup(ctx, g, 0) }
	}
	together(reads...)
	resolved, resolveErr := map[string]Group{}, map[string]error{}
	for i, g := range names {
		if errs[i] != nil {
			resolveErr[g] = errs[i]
			continue
		}
		resolved[g] = groups[i]
	}
	return resolved, resolveErr
}

// appsAndSmartGroups finds the Boxer apps and the configured smart groups, all at the same
// time (none needs another's answer); the first error in that order wins.
func (b *Boxer) appsAndSmartGroups(ctx context.Context, ogID int) ([]*boxerApp, []SmartGroup, error) {
	var apps []*boxerApp
	var appsErr error
	sgs := make([]SmartGroup, len(b.Spec.SmartGroups))
	sgErrs := make([]error, len(b.Spec.SmartGroups))
	reads := []func(){func() { apps, appsErr = b.findApps(ctx, ogID) }}
	for i, name := range b.Spec.SmartGroups {
		reads = append(reads, func() { sgs[i], sgErrs[i] = b.C.FindSmartGroup(ctx, name, ogID) })
	}
	together(reads...)
	if appsErr != nil {
		return nil, nil, appsErr
	}
	for _, err := range sgErrs {
		if err != nil {
			return nil, nil, fmt.Errorf("uem.boxer.smartGroups: %w", err)
		}
	}
	return apps, sgs, nil
}

package okta

import (
	"context"
	"sync"
)

// together runs the independent reads fs at the same time, so a step waits one round trip for
// them instead of one per read, and returns the first error in the order given. Each f must
// touch only state no other f touches.
func together(ctx context.Context, fs ...func(context.Context) error) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Go(func() { errs[i] = f(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

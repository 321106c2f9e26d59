package steps

import (
	"sync"

	"github.com/flowsctl/flowsctl/pkg/object"
)

// each calls f for every object index: one after the other, or all at the same time when the
// row says its objects are independent for this config. The caller keeps results by index,
// so what the step reports is in the objects' order either way.
func (s *rowStep) each(objs []object.Object, f func(i int)) {
	if s.row.Independent == nil || !s.row.Independent(s.d.Config) || len(objs) < 2 {
		for i := range objs {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	for i := range objs {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

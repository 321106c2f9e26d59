package steps

import (
	"sync"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// lazy builds a value once and remembers the error, so that a missing secret fails the steps
// that need the value, when they run, not the whole graph.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
	fn   func() (T, error)
}

func newLazy[T any](fn func() (T, error)) *lazy[T] { return &lazy[T]{fn: fn} }

// sharedLazy is the run's lazy value under key (see sharedValue): every step and probe of the
// run that asks for key gets the same value, built once, when the first of them needs it.
func sharedLazy[T any](d Deps, key string, fn func() (T, error)) *lazy[T] {
	return sharedValue(d, key, func() *lazy[T] { return newLazy(fn) })
}

// sharedClient is the run's client of one service (one token, one rate-limit budget for every
// step and probe): open's error carries fix, the config keys that sign in to the service.
func sharedClient[T any](d Deps, key, fix string, open func() (T, error)) *lazy[T] {
	return sharedLazy(d, key, func() (T, error) {
		c, err := open()
		if err != nil {
			var none T
			return none, setup.Errorf("", err, fix)
		}
		return c, nil
	})
}

func (l *lazy[T]) get() (T, error) {
	l.once.Do(func() { l.v, l.err = l.fn() })
	return l.v, l.err
}

// failCheck is the single failing check a probe reports when it cannot even start verifying.
func failCheck(id, title string, err error, fix string) []doctor.Check {
	if f := setup.FixOf(err); f != "" {
		fix = f
	}
	return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: err.Error(), Fix: fix}}
}

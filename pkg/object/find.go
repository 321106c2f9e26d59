package object

// The searches `flowsctl import` runs in each service for an object to adopt share one rule: the
// object the config names, when the service has it, is the only candidate; otherwise every
// object that could be it is offered. They read only.

// Candidates returns the object byName finds when name is set and the service has it (then the
// only candidate), else what others returns. An error of the look-up by name ends the search.
func Candidates[T any](name string, byName func() (*T, error), others func() ([]T, error)) ([]T, error) {
	if name != "" {
		x, err := byName()
		if x != nil {
			return []T{*x}, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return others()
}

// Keep returns the items keep accepts, in order; when named (if not nil) says one of them is the
// object the config names, only that one.
func Keep[T any](all []T, keep, named func(T) bool) []T {
	var out []T
	for _, x := range all {
		if !keep(x) {
			continue
		}
		if named != nil && named(x) {
			return []T{x}
		}
		out = append(out, x)
	}
	return out
}

package uememu

import "strings"

// Route is one row of the emulator's route table, for tests.
type Route struct {
	Method, Path string // Path has "*" for one segment, e.g. /api/system/groups/*/children
	Versions     []int
}

// Routes lists every route the emulator serves besides the token endpoint.
func Routes() []Route {
	out := make([]Route, 0, len(routes))
	for _, r := range routes {
		out = append(out, Route{Method: r.method, Path: "/" + strings.Join(r.pattern, "/"), Versions: r.versions})
	}
	return out
}

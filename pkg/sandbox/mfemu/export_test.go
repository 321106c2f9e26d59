package mfemu

// RoutePatterns lists the ServeMux patterns the emulator registers, in order.
func RoutePatterns(e *Emulator) []string {
	var out []string
	for _, rt := range e.routes() {
		out = append(out, rt.pattern)
	}
	return out
}

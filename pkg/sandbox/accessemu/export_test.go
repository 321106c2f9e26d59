package accessemu

// RoutePatterns lists the ServeMux patterns the emulator registers ("METHOD /path" or "/path").
func RoutePatterns(e *Emulator) []string { return e.router().patterns }

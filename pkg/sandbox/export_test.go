package sandbox

// SetLogCap shrinks a service's request log so a test can see the bound.
func SetLogCap(sb *Sandbox, name string, n int) {
	m := sb.Services[name].mw
	m.mu.Lock()
	m.log = ring{cap: n}
	m.mu.Unlock()
}

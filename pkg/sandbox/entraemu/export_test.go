package entraemu

// SchemaTypes exposes the emulator's accepted request properties for contract tests.
func SchemaTypes() map[string]map[string]string {
	out := map[string]map[string]string{}
	for k, v := range schema {
		m := map[string]string{}
		for p, t := range v {
			m[p] = t
		}
		out[k] = m
	}
	return out
}

// GraphScopeIDs maps each delegated scope the emulator serves to its id.
func GraphScopeIDs() map[string]string {
	m := map[string]string{}
	for _, s := range graphScopes {
		m[s.value] = s.id
	}
	return m
}

// GraphRoleIDs maps each application permission the emulator serves to its id.
func GraphRoleIDs() map[string]string {
	m := map[string]string{}
	for _, s := range graphRoles {
		m[s.value] = s.id
	}
	return m
}

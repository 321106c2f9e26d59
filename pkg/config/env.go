package config

// EnvOverride is one FLOWSCTL_* variable that replaces a value of the file. Precedence is
// command-line flag > FLOWSCTL_* variable > file; the CLI applies flags after Load.
type EnvOverride struct {
	Name string // FLOWSCTL_...
	Path string // field path it replaces
	Desc string
	ptr  func(c *Config) *string
}

// EnvOverrides lists the variables ApplyEnv reads. An override applies only when the file has
// the section it belongs to (a stray variable does not invent a section).
var EnvOverrides = []EnvOverride{
	{"FLOWSCTL_AZURE_TENANT_ID", "azure.tenantId", "Entra tenant id or primary domain",
		func(c *Config) *string { return ifSection(c.Azure != nil, func() *string { return &c.Azure.TenantID }) }},
	{"FLOWSCTL_AZURE_AUTHORITY", "azure.authority", "Entra sign-in authority (sovereign cloud, sandbox)",
		func(c *Config) *string {
			return ifSection(c.Azure != nil, func() *string { return &c.Azure.Authority })
		}},
	{"FLOWSCTL_AZURE_GRAPH_URL", "azure.graphUrl", "Microsoft Graph endpoint (sovereign cloud, sandbox)",
		func(c *Config) *string { return ifSection(c.Azure != nil, func() *string { return &c.Azure.GraphURL }) }},
	{"FLOWSCTL_AZURE_SIGNIN_METHOD", "azure.signIn.method", "how flowsctl signs in to Entra",
		func(c *Config) *string {
			return ifSection(c.Azure != nil, func() *string { return &c.Azure.SignIn.Method })
		}},
	{"FLOWSCTL_AZURE_SIGNIN_CLIENT_ID", "azure.signIn.clientId", "client id used to sign in to Entra",
		func(c *Config) *string {
			return ifSection(c.Azure != nil, func() *string { return &c.Azure.SignIn.ClientID })
		}},
	{"FLOWSCTL_ACCESS_URL", "access.url", "Workspace ONE Access tenant URL",
		func(c *Config) *string {
			return ifSection(c.Access != nil, func() *string { return (*string)(&c.Access.URL) })
		}},
	{"FLOWSCTL_ACCESS_CLIENT_ID", "access.auth.clientId", "Access admin OAuth client id",
		func(c *Config) *string {
			return ifSection(c.Access != nil, func() *string { return &c.Access.Auth.ClientID })
		}},
	{"FLOWSCTL_IDENTITY_URL", "identityServices.url", "Identity Services URL",
		func(c *Config) *string {
			return ifSection(c.IdentityServices != nil, func() *string { return (*string)(&c.IdentityServices.URL) })
		}},
	{"FLOWSCTL_UEM_URL", "uem.url", "Workspace ONE UEM API server URL",
		func(c *Config) *string {
			return ifSection(c.UEM != nil, func() *string { return (*string)(&c.UEM.URL) })
		}},
	{"FLOWSCTL_UEM_ORGANIZATION_GROUP", "uem.organizationGroup", "UEM organization group",
		func(c *Config) *string {
			return ifSection(c.UEM != nil, func() *string { return &c.UEM.OrganizationGroup })
		}},
	{"FLOWSCTL_UEM_CA_FILE", "uem.caFile", "PEM file for a self-signed UEM server",
		func(c *Config) *string { return ifSection(c.UEM != nil, func() *string { return &c.UEM.CAFile }) }},
	{"FLOWSCTL_MOBILEFLOWS_ADMIN_URL", "uem.mobileFlows.adminUrl", "mobile flows admin API (mode api)",
		func(c *Config) *string {
			return ifSection(c.UEM != nil && c.UEM.MobileFlows != nil, func() *string { return (*string)(&c.UEM.MobileFlows.AdminURL) })
		}},
}

func ifSection(ok bool, f func() *string) *string {
	if !ok {
		return nil
	}
	return f()
}

// ApplyEnv replaces file values with the FLOWSCTL_* variables of EnvOverrides that getenv
// returns non-empty. Load calls it before defaults and validation; problems with such a value
// name the variable instead of a line.
func ApplyEnv(c *Config, getenv func(string) string) {
	if c == nil || getenv == nil {
		return
	}
	for _, o := range EnvOverrides {
		v := getenv(o.Name)
		if v == "" {
			continue
		}
		p := o.ptr(c)
		if p == nil {
			continue
		}
		*p = v
		m := c.metadata()
		m.env[o.Path] = o.Name
		delete(m.defaulted, o.Path)
	}
}

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
		inSection(azureSection, func(a *Azure) *string { return &a.TenantID })},
	{"FLOWSCTL_AZURE_AUTHORITY", "azure.authority", "Entra sign-in authority (sovereign cloud, sandbox)",
		inSection(azureSection, func(a *Azure) *string { return &a.Authority })},
	{"FLOWSCTL_AZURE_GRAPH_URL", "azure.graphUrl", "Microsoft Graph endpoint (sovereign cloud, sandbox)",
		inSection(azureSection, func(a *Azure) *string { return &a.GraphURL })},
	{"FLOWSCTL_AZURE_SIGNIN_METHOD", "azure.signIn.method", "how flowsctl signs in to Entra",
		inSection(azureSection, func(a *Azure) *string { return &a.SignIn.Method })},
	{"FLOWSCTL_AZURE_SIGNIN_CLIENT_ID", "azure.signIn.clientId", "client id used to sign in to Entra",
		inSection(azureSection, func(a *Azure) *string { return &a.SignIn.ClientID })},
	{"FLOWSCTL_ACCESS_URL", "access.url", "Workspace ONE Access tenant URL",
		inSection(accessSection, func(a *Access) *string { return (*string)(&a.URL) })},
	{"FLOWSCTL_ACCESS_CLIENT_ID", "access.auth.clientId", "Access admin OAuth client id",
		inSection(accessSection, func(a *Access) *string { return &a.Auth.ClientID })},
	{"FLOWSCTL_IDENTITY_URL", "identityServices.url", "Identity Services URL",
		inSection(func(c *Config) *IdentityServices { return c.IdentityServices }, func(is *IdentityServices) *string { return (*string)(&is.URL) })},
	{"FLOWSCTL_UEM_URL", "uem.url", "Workspace ONE UEM API server URL",
		inSection(uemSection, func(u *UEM) *string { return (*string)(&u.URL) })},
	{"FLOWSCTL_UEM_ORGANIZATION_GROUP", "uem.organizationGroup", "UEM organization group",
		inSection(uemSection, func(u *UEM) *string { return &u.OrganizationGroup })},
	{"FLOWSCTL_UEM_CA_FILE", "uem.caFile", "PEM file for a self-signed UEM server",
		inSection(uemSection, func(u *UEM) *string { return &u.CAFile })},
	{"FLOWSCTL_MOBILEFLOWS_ADMIN_URL", "uem.mobileFlows.adminUrl", "mobile flows admin API (mode api)",
		inSection(func(c *Config) *MobileFlows {
			if c.UEM == nil {
				return nil
			}
			return c.UEM.MobileFlows
		}, func(mf *MobileFlows) *string { return (*string)(&mf.AdminURL) })},
}

// inSection is an override's target: field of the section the file has, or nil when the file
// has no such section.
func inSection[S any](section func(*Config) *S, field func(*S) *string) func(*Config) *string {
	return func(c *Config) *string {
		s := section(c)
		if s == nil {
			return nil
		}
		return field(s)
	}
}

func azureSection(c *Config) *Azure   { return c.Azure }
func accessSection(c *Config) *Access { return c.Access }
func uemSection(c *Config) *UEM       { return c.UEM }

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

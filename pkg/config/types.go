package config

// Config is the whole flowsctl.yaml. Every section is optional; a command checks the
// sections it needs with Require.
type Config struct {
	APIVersion string `yaml:"apiVersion" json:"apiVersion"`
	// Sandbox marks a config written by `flowsctl sandbox up`: it binds the file to the
	// sandbox.json beside it, whose CA flowsctl then trusts for loopback hosts only.
	Sandbox          string            `yaml:"sandbox,omitempty" json:"sandbox,omitempty"`
	Azure            *Azure            `yaml:"azure,omitempty" json:"azure,omitempty"`
	Access           *Access           `yaml:"access,omitempty" json:"access,omitempty"`
	IdentityServices *IdentityServices `yaml:"identityServices,omitempty" json:"identityServices,omitempty"`
	UEM              *UEM              `yaml:"uem,omitempty" json:"uem,omitempty"`
	Okta             *Okta             `yaml:"okta,omitempty" json:"okta,omitempty"`
	Doctor           *Doctor           `yaml:"doctor,omitempty" json:"doctor,omitempty"`

	// Path is the file the config was read from ("" when built in memory).
	Path string `yaml:"-" json:"-"`
	// CAFile is the extra CA bundle from --ca-file / FLOWSCTL_CA_FILE (not a YAML key).
	CAFile string `yaml:"-" json:"-"`
	// OnSecret, when set, is told every secret value Secret resolves, so the run's redactor
	// masks it in output, errors and traces (not a YAML key).
	OnSecret func(value string) `yaml:"-" json:"-"`

	// meta records where each key was written and which values came from the environment or
	// from a derived default (see load.go). Not part of the YAML.
	meta *meta
}

// Azure is the Entra ID section (the Teams mobile flows guide).
type Azure struct {
	TenantID string `yaml:"tenantId" json:"tenantId"`
	// Authority overrides https://login.microsoftonline.com (sovereign clouds, the sandbox).
	Authority string `yaml:"authority,omitempty" json:"authority,omitempty"`
	// GraphURL overrides https://graph.microsoft.com (sovereign clouds, the sandbox).
	GraphURL string      `yaml:"graphUrl,omitempty" json:"graphUrl,omitempty"`
	SignIn   AzureSignIn `yaml:"signIn" json:"signIn"`
	App      AzureApp    `yaml:"app" json:"app"`
	// ReplicationBudget bounds the retries of Entra replication errors (default 3m).
	ReplicationBudget Duration `yaml:"replicationBudget,omitempty" json:"replicationBudget,omitempty"`
}

type AzureSignIn struct {
	Method          string    `yaml:"method" json:"method"` // devicecode | browser | cli | clientsecret | certificate | workload | default
	ClientID        string    `yaml:"clientId" json:"clientId"`
	ClientSecret    SecretRef `yaml:"clientSecret,omitempty" json:"clientSecret,omitempty"`
	CertificateFile string    `yaml:"certificateFile,omitempty" json:"certificateFile,omitempty"`
}

type AzureApp struct {
	DisplayName string `yaml:"displayName" json:"displayName"`
	UniqueName  string `yaml:"uniqueName" json:"uniqueName"`
	// AdoptAppID names (by appId) an app made by hand without a uniqueName: plan shows
	// uniqueName being set on it and apply sets it, instead of creating a second app.
	AdoptAppID           string         `yaml:"adoptAppId,omitempty" json:"adoptAppId,omitempty"`
	SignInAudience       string         `yaml:"signInAudience" json:"signInAudience"`
	RedirectURIs         []string       `yaml:"redirectUris" json:"redirectUris"`
	LogoutURL            string         `yaml:"logoutUrl" json:"logoutUrl"`
	DelegatedPermissions []string       `yaml:"delegatedPermissions" json:"delegatedPermissions"`
	AdminConsent         bool           `yaml:"adminConsent" json:"adminConsent"`
	Secret               AzureAppSecret `yaml:"secret" json:"secret"`
}

type AzureAppSecret struct {
	DisplayName string    `yaml:"displayName" json:"displayName"`
	Lifetime    Duration  `yaml:"lifetime" json:"lifetime"`
	WarnBefore  Duration  `yaml:"warnBefore" json:"warnBefore"`
	Sink        SecretRef `yaml:"sink" json:"sink"`
}

// Access is the Workspace ONE Access section (the Teams mobile flows, Boxer and Okta SCIM to Access guides).
type Access struct {
	URL          URL    `yaml:"url" json:"url"`
	TenantInPath string `yaml:"tenantInPath" json:"tenantInPath"`
	// MediaType pins the media-type dialect: auto (default) | vendor | json.
	MediaType           string              `yaml:"mediaType,omitempty" json:"mediaType,omitempty"`
	Auth                AccessAuth          `yaml:"auth" json:"auth"`
	MobileFlowsTemplate MobileFlowsTemplate `yaml:"mobileFlowsTemplate" json:"mobileFlowsTemplate"`
	SCIMClient          *SCIMClient         `yaml:"scimClient,omitempty" json:"scimClient,omitempty"`
	Directory           *AccessDirectory    `yaml:"directory,omitempty" json:"directory,omitempty"`
}

type AccessAuth struct {
	ClientID     string    `yaml:"clientId" json:"clientId"`
	ClientSecret SecretRef `yaml:"clientSecret" json:"clientSecret"`
}

type MobileFlowsTemplate struct {
	TemplateID        string   `yaml:"templateId" json:"templateId"`
	Scope             []string `yaml:"scope" json:"scope"`
	RedirectURI       string   `yaml:"redirectUri" json:"redirectUri"`
	TokenType         string   `yaml:"tokenType" json:"tokenType"`
	TokenLength       int      `yaml:"tokenLength" json:"tokenLength"`
	IssueRefreshToken bool     `yaml:"issueRefreshToken" json:"issueRefreshToken"`
	AccessTokenTTL    Duration `yaml:"accessTokenTTL" json:"accessTokenTTL"`
	RefreshTokenTTL   Duration `yaml:"refreshTokenTTL" json:"refreshTokenTTL"`
	IdleTokenTTL      Duration `yaml:"idleTokenTTL" json:"idleTokenTTL"`
	UserGrant         bool     `yaml:"userGrant" json:"userGrant"`
}

type SCIMClient struct {
	ClientID       string    `yaml:"clientId" json:"clientId"`
	Scope          []string  `yaml:"scope" json:"scope"`
	AccessTokenTTL Duration  `yaml:"accessTokenTTL" json:"accessTokenTTL"`
	SecretSink     SecretRef `yaml:"secretSink" json:"secretSink"`
}

type AccessDirectory struct {
	Name    string   `yaml:"name" json:"name"`
	Domains []string `yaml:"domains" json:"domains"`
}

// IdentityServices is the VMware/Omnissa Identity Services section (the Identity Services with Okta guide).
type IdentityServices struct {
	Enabled   bool              `yaml:"enabled" json:"enabled"`
	URL       URL               `yaml:"url" json:"url"`
	Directory IdentityDirectory `yaml:"directory" json:"directory"`
	SCIMToken IdentitySCIMToken `yaml:"scimToken" json:"scimToken"`
	OIDC      *IdentityOIDC     `yaml:"oidc,omitempty" json:"oidc,omitempty"`
	Services  []string          `yaml:"services" json:"services"`
}

type IdentityDirectory struct {
	Name   string `yaml:"name" json:"name"`
	Domain string `yaml:"domain" json:"domain"`
	Source string `yaml:"source" json:"source"`
}

type IdentitySCIMToken struct {
	Lifespan Duration  `yaml:"lifespan" json:"lifespan"`
	Sink     SecretRef `yaml:"sink" json:"sink"`
}

type IdentityOIDC struct {
	IssuerURL                  URL       `yaml:"issuerUrl" json:"issuerUrl"`
	ClientID                   string    `yaml:"clientId" json:"clientId"`
	ClientSecret               SecretRef `yaml:"clientSecret" json:"clientSecret"`
	OIDCUserIdentifier         string    `yaml:"oidcUserIdentifier" json:"oidcUserIdentifier"`
	WorkspaceOneUserIdentifier string    `yaml:"workspaceOneUserIdentifier" json:"workspaceOneUserIdentifier"`
}

// UEM is the Workspace ONE UEM section (the Teams mobile flows, Boxer, custom connectors and integration preflight guides).
type UEM struct {
	URL               URL           `yaml:"url" json:"url"`
	Auth              UEMAuth       `yaml:"auth" json:"auth"`
	CAFile            string        `yaml:"caFile" json:"caFile"`
	OrganizationGroup string        `yaml:"organizationGroup" json:"organizationGroup"`
	MobileFlows       *MobileFlows  `yaml:"mobileFlows,omitempty" json:"mobileFlows,omitempty"`
	Boxer             *Boxer        `yaml:"boxer,omitempty" json:"boxer,omitempty"`
	Integrations      []Integration `yaml:"integrations,omitempty" json:"integrations,omitempty"`
}

type UEMAuth struct {
	OAuth  *UEMOAuth `yaml:"oauth,omitempty" json:"oauth,omitempty"`
	Basic  *UEMBasic `yaml:"basic,omitempty" json:"basic,omitempty"`
	APIKey SecretRef `yaml:"apiKey,omitempty" json:"apiKey,omitempty"` // aw-tenant-code
}

type UEMOAuth struct {
	Region       string    `yaml:"region,omitempty" json:"region,omitempty"` // uat | na | emea | apac
	TokenURL     URL       `yaml:"tokenUrl,omitempty" json:"tokenUrl,omitempty"`
	ClientID     string    `yaml:"clientId" json:"clientId"`
	ClientSecret SecretRef `yaml:"clientSecret" json:"clientSecret"`
}

type UEMBasic struct {
	Username string    `yaml:"username" json:"username"`
	Password SecretRef `yaml:"password" json:"password"`
}

type MobileFlows struct {
	Host       URL         `yaml:"host" json:"host"`
	Mode       string      `yaml:"mode" json:"mode"` // guided | api
	AdminURL   URL         `yaml:"adminUrl" json:"adminUrl"`
	Connectors []Connector `yaml:"connectors" json:"connectors"`
}

type Connector struct {
	Catalog        string   `yaml:"catalog,omitempty" json:"catalog,omitempty"`
	Name           string   `yaml:"name" json:"name"`
	BaseURL        string   `yaml:"baseUrl,omitempty" json:"baseUrl,omitempty"`
	DiscoveryURL   URL      `yaml:"discoveryUrl,omitempty" json:"discoveryUrl,omitempty"`
	Authentication string   `yaml:"authentication,omitempty" json:"authentication,omitempty"`
	Notification   string   `yaml:"notification,omitempty" json:"notification,omitempty"` // poll | push
	Categories     []string `yaml:"categories,omitempty" json:"categories,omitempty"`
	Active         *bool    `yaml:"active,omitempty" json:"active,omitempty"`
}

type Boxer struct {
	Enabled              bool     `yaml:"enabled" json:"enabled"`
	SmartGroups          []string `yaml:"smartGroups" json:"smartGroups"`
	SyncTimeHours        int      `yaml:"syncTimeHours" json:"syncTimeHours"`
	AutoEnableConnectors bool     `yaml:"autoEnableConnectors" json:"autoEnableConnectors"`
}

type Integration struct {
	Name                    string   `yaml:"name" json:"name"`
	Groups                  []string `yaml:"groups" json:"groups"`
	DeviceSyncInterval      Duration `yaml:"deviceSyncInterval" json:"deviceSyncInterval"`
	DeviceDeletionThreshold int      `yaml:"deviceDeletionThreshold" json:"deviceDeletionThreshold"`
	DeviceDeletionAfter     int      `yaml:"deviceDeletionAfter" json:"deviceDeletionAfter"`
	AppSyncInterval         Duration `yaml:"appSyncInterval" json:"appSyncInterval"`
	Tagging                 Tagging  `yaml:"tagging" json:"tagging"`
	ServerCertificate       string   `yaml:"serverCertificate,omitempty" json:"serverCertificate,omitempty"` // PEM file for a self-signed server
	// Auth is the dashboard's own UEM credentials (its API account or OAuth client), checked by
	// the preflight; never flowsctl's uem.auth.
	Auth *UEMAuth `yaml:"auth,omitempty" json:"auth,omitempty"`
}

type Tagging struct {
	Status        bool `yaml:"status" json:"status"`
	Risk          bool `yaml:"risk" json:"risk"`
	ThreatFactors bool `yaml:"threatFactors" json:"threatFactors"`
}

type Doctor struct {
	WarnSecretExpiryBefore Duration `yaml:"warnSecretExpiryBefore" json:"warnSecretExpiryBefore"`
}

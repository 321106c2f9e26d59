package config

import (
	"bytes"
	"text/template"
)

// TemplateData is what a generated flowsctl.yaml is written from: flowsctl init's answers with
// every secret already turned into a reference (env:NAME or file:PATH), never a value.
type TemplateData struct {
	TenantID, AzureSignIn, AzureClientID, AzureCertFile string
	// NeedsSignInSecret writes azure.signIn.clientSecret (signIn method clientsecret).
	NeedsSignInSecret                                 bool
	AccessURL, AccessAdmin                            string
	UEMURL, UEMAuth, UEMRegion, UEMClientID, OrgGroup string
	Connectors                                        []TemplateConnector
	Boxer                                             bool
	SmartGroup                                        string
	// IdentityEnabled: Okta provisions into Identity Services, else into Access (scimClient, directory).
	IdentityEnabled               bool
	Domain, OktaURL, OktaClientID string
	// OktaAPIToken is the reference of the Okta API token (when flowsctl manages the Okta apps:
	// OktaURL set, no pinned OktaClientID).
	OktaAPIToken string
	// Secret references flowsctl reads.
	AccessSecret, UEMSecret, UEMAPIKey, AzureSignInSecret, OktaSecret string
	// Sinks of the secrets flowsctl creates (always file: references: an environment variable cannot be written).
	TeamsSink, SCIMSink, TokenSink string
}

// TemplateConnector is one mobile flows connector of the catalog, as the template writes it.
type TemplateConnector struct {
	ID, Name, BaseURL string
}

// RenderTemplate writes d as a commented flowsctl.yaml: each section says what it sets up and
// which procedure it follows.
func RenderTemplate(d TemplateData) ([]byte, error) {
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var configTemplate = template.Must(template.New("flowsctl.yaml").Parse(`# flowsctl.yaml — written by ` + "`flowsctl init`" + `. Secrets are references (env:NAME or file:PATH), never values.
# Durations: 10m, 24h, 10d, 12mo, 1y. Check it with: flowsctl plan
apiVersion: flowsctl/v1

# Entra ID: the multitenant app mobile flows uses to call Microsoft Graph for Teams (the Teams mobile flows guide).
# flowsctl registers it, grants admin consent and writes its client secret to secret.sink.
azure:
  tenantId: {{.TenantID}}
  signIn:
    method: {{.AzureSignIn}}
    clientId: "{{.AzureClientID}}"
{{- if .NeedsSignInSecret}}
    clientSecret: {{.AzureSignInSecret}}
{{- end}}
{{- if .AzureCertFile}}
    certificateFile: {{.AzureCertFile}}
{{- end}}
  app:
    displayName: Workspace ONE mobile flows - Microsoft Teams
    uniqueName: ws1-mobile-flows-teams
    signInAudience: AzureADMultipleOrgs
    redirectUris: [https://prod.hero.vmwservices.com/token-exchange/oauth2/callback]
    logoutUrl: ""
    delegatedPermissions: [offline_access, User.Read, User.Read.All, MailboxSettings.Read, Group.ReadWrite.All]
    adminConsent: true
    secret:
      displayName: flowsctl
      lifetime: 12mo
      warnBefore: 30d
      sink: {{.TeamsSink}}

# Workspace ONE Access: the MobileFlows_Server_Template (defaults of the Boxer guide){{if not .IdentityEnabled}}, the SCIM service
# client Okta uses and the directory of type Other its users land in (the Okta SCIM to Access guide){{end}}.
access:
  url: {{.AccessURL}}
  auth:
    clientId: {{.AccessAdmin}}
    clientSecret: {{.AccessSecret}}
  mobileFlowsTemplate:
    templateId: MobileFlows_Server_Template
    scope: [email, profile, user, openid]
    redirectUri: https://prod.hero.vmwservices.com/token-exchange/oauth2/callback
    tokenType: Bearer
    tokenLength: 32
    issueRefreshToken: true
    accessTokenTTL: 1d
    refreshTokenTTL: 90d
    idleTokenTTL: 10d
    userGrant: false
{{- if not .IdentityEnabled}}
  scimClient:
    clientId: OktaSCIM
    scope: [admin]
    accessTokenTTL: 1y
    secretSink: {{.SCIMSink}}
  directory:
    name: Okta Universal Directory
    domains: [{{.Domain}}]
{{- end}}
{{- if .IdentityEnabled}}

# Identity Services: the directory Okta provisions into over SCIM 2.0, its SCIM token{{if .OktaURL}} and Okta as
# OIDC identity provider{{end}} (the Identity Services with Okta guide).
identityServices:
  enabled: true
  url: ""
  directory:
    name: Okta
    domain: {{.Domain}}
    source: OKTA
  scimToken:
    lifespan: 6mo
    sink: {{.TokenSink}}
{{- if and .OktaURL .OktaClientID}}
  oidc:
    issuerUrl: {{.OktaURL}}
    clientId: "{{.OktaClientID}}"
    clientSecret: {{.OktaSecret}}
    oidcUserIdentifier: email
    workspaceOneUserIdentifier: email
{{- else if .OktaURL}}
  oidc:                         # issuer, client id and secret come from the Okta OIDC app flowsctl creates
    oidcUserIdentifier: email
    workspaceOneUserIdentifier: email
{{- end}}
  services: [access, uem]
{{- end}}

# Workspace ONE UEM: the mobile flows connectors{{if .Boxer}} and Boxer's mobile flows keys{{end}} (the Teams mobile flows{{if .Boxer}} and Boxer{{end}} guides).
uem:
  url: {{.UEMURL}}
  auth:
{{- if eq .UEMAuth "oauth"}}
    oauth:
      region: {{.UEMRegion}}
      clientId: {{.UEMClientID}}
      clientSecret: {{.UEMSecret}}
{{- else}}
    basic:
      username: {{.UEMClientID}}
      password: {{.UEMSecret}}
    apiKey: {{.UEMAPIKey}}
{{- end}}
  organizationGroup: "{{.OrgGroup}}"
  mobileFlows:
    host: https://prod.hero.vmwservices.com
    mode: guided                # no public admin API: apply prints the console checklist
    connectors:
{{- range .Connectors}}
      - catalog: {{.ID}}
        name: {{.Name}}
{{- if .BaseURL}}
        baseUrl: {{.BaseURL}}
{{- end}}
        notification: poll
{{- else}} []
{{- end}}
{{- if .Boxer}}
  boxer:
    enabled: true
    smartGroups: ["{{.SmartGroup}}"]
    syncTimeHours: 24
    autoEnableConnectors: false
{{- end}}

{{- if and .OktaURL (not .OktaClientID)}}

# Okta: flowsctl creates the SCIM app{{if .IdentityEnabled}} and the OIDC sign-in app{{end}}, sets provisioning and pushes
# groups (the {{if .IdentityEnabled}}Identity Services with Okta{{else}}Okta SCIM to Access{{end}} guide). Name the groups whose users
# are provisioned (assignGroups) and the groups pushed with their members (pushGroups{{if not .IdentityEnabled}}: not the same ones{{end}}).
okta:
  url: {{.OktaURL}}
  auth:
    apiToken: {{.OktaAPIToken}}   # or an API service app: clientId, keyId, privateKey
  assignGroups: []
  pushGroups: []
{{- end}}

# doctor: warn this long before a secret or token expires.
doctor:
  warnSecretExpiryBefore: 30d
`))

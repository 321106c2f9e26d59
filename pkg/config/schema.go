package config

import (
	"fmt"
	"strings"
)

// The documentation of every key, kept next to the validation rules (validate.go) whose sets and
// bounds it quotes. TestEveryKeyDocumented fails when a key of types.go has no entry here, and
// TestConfigurationDocIsCurrent when docs/configuration.md is not what Reference() generates.

const httpsURL = "absolute https URL (http only for 127.0.0.0/8, ::1, localhost)"

var (
	inputSecret = "`env:NAME` or `file:PATH` (file mode 0600); a literal secret is rejected"
	sinkSecret  = "`file:PATH` (created 0600; relative to the config file's directory)"
)

func oneOf(set []string) string { return "one of " + codeList(set) }

func codeList(set []string) string {
	out := make([]string, len(set))
	for i, s := range set {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

func between(lo, hi string) string { return fmt.Sprintf("%s to %s", lo, hi) }

var fieldDocs = map[string]fieldDoc{
	"apiVersion": {Desc: "Schema version of the file.", Allowed: "`" + APIVersion + "`"},
	"sandbox":    {Desc: "Written by `flowsctl sandbox up`: binds the file to the sandbox.json beside it, whose CA is then trusted for loopback hosts only. Leave it out for a real tenant."},

	"azure":                        {Desc: "Entra ID app registration for the Microsoft Teams connector (the Teams mobile flows guide)."},
	"azure.tenantId":               {Desc: "Entra tenant the app is registered in.", Allowed: "GUID or a verified domain (e.g. contoso.onmicrosoft.com)", Default: "required"},
	"azure.authority":              {Desc: "Sign-in authority; set for sovereign clouds or the sandbox.", Allowed: httpsURL, Default: "`https://login.microsoftonline.com`"},
	"azure.graphUrl":               {Desc: "Microsoft Graph endpoint; set for sovereign clouds or the sandbox.", Allowed: httpsURL, Default: "`https://graph.microsoft.com`"},
	"azure.signIn":                 {Desc: "How flowsctl signs in to Entra to register the app."},
	"azure.signIn.method":          {Desc: "Credential used by flowsctl: device code, browser, Azure CLI, an app's secret or certificate, workload identity, or the azidentity default chain.", Allowed: oneOf(SignInMethods)},
	"azure.signIn.clientId":        {Desc: "Application (client) id used to sign in; required for clientsecret and certificate.", Allowed: "GUID"},
	"azure.signIn.clientSecret":    {Desc: "Secret of the sign-in app (method clientsecret).", Allowed: inputSecret},
	"azure.signIn.certificateFile": {Desc: "PEM with certificate and private key (method certificate); relative to the config file.", Allowed: "existing file, mode 0600"},
	"azure.app":                    {Desc: "The multitenant app registration mobile flows uses to call Graph for Teams."},
	"azure.app.displayName":        {Desc: "Display name in Entra.", Allowed: "1 to 256 characters"},
	"azure.app.uniqueName":         {Desc: "Natural key of the app (Entra uniqueName, immutable once created).", Allowed: "up to 120 characters, no spaces, `/`, `\\`, `?`, `#`, `%`"},
	"azure.app.adoptAppId":         {Desc: "Application (client) id of an app made by hand without a uniqueName (written by flowsctl import): apply gives it uniqueName instead of creating an app.", Allowed: "GUID"},
	"azure.app.signInAudience":     {Desc: "Who may sign in; mobile flows needs a multitenant app.", Allowed: oneOf(SignInAudiences)},
	"azure.app.redirectUris":       {Desc: "Web redirect URIs.", Allowed: "at least one " + httpsURL},
	"azure.app.logoutUrl":          {Desc: "Front-channel logout URL.", Allowed: httpsURL, Default: "`<access.url>/SAAS/auth/logout`"},
	"azure.app.delegatedPermissions": {Desc: "Delegated Microsoft Graph permissions requested by the app.",
		Allowed: "Graph permission names, no duplicates"},
	"azure.app.adminConsent":       {Desc: "Grant tenant-wide admin consent, so users never see an approval prompt."},
	"azure.app.secret":             {Desc: "The app's client secret, created by apply and written to the sink."},
	"azure.app.secret.displayName": {Desc: "Description of the client secret in Entra.", Allowed: "non-empty"},
	"azure.app.secret.lifetime":    {Desc: "Validity of a new client secret.", Allowed: between(FormatDuration(MinSecretLifetime), FormatDuration(MaxSecretLifetime)) + " (Entra's maximum)"},
	"azure.app.secret.warnBefore":  {Desc: "doctor warns this long before the secret expires.", Allowed: between(FormatDuration(MinWarnBefore), FormatDuration(MaxWarnBefore)) + ", shorter than lifetime"},
	"azure.app.secret.sink":        {Desc: "Where apply writes the created secret value.", Allowed: sinkSecret},
	"azure.replicationBudget":      {Desc: "How long to retry Entra's replication errors after a create.", Allowed: between(FormatDuration(MinReplicationBudget), FormatDuration(MaxReplicationBudget))},

	"access":              {Desc: "Workspace ONE Access tenant (the Teams mobile flows, Boxer and Okta SCIM to Access guides)."},
	"access.url":          {Desc: "Tenant URL; may end in /SAAS or /SAAS/t/<tenant>.", Allowed: httpsURL, Default: "required"},
	"access.tenantInPath": {Desc: "On-premises \"tenant in path\" mode: requests go to /SAAS/t/<tenant>.", Allowed: "letters, digits, `.`, `_`, `-`"},
	"access.mediaType":    {Desc: "Media-type dialect of the Access API: detect, vendor (`application/vnd.vmware.horizon.manager.*+json`) or plain JSON.", Allowed: oneOf(MediaTypes)},
	"access.auth":         {Desc: "The Access OAuth client (scope admin) flowsctl uses, created once in the console."},
	"access.auth.clientId": {Desc: "Client id of the admin OAuth client.",
		Allowed: "up to 256 letters, digits, `.`, `_`, `-`, `@`", Default: "required"},
	"access.auth.clientSecret":   {Desc: "Its shared secret.", Allowed: inputSecret, Default: "required"},
	"access.mobileFlowsTemplate": {Desc: "The Remote App Access template mobile flows mints clients from (values of the Boxer guide)."},
	"access.mobileFlowsTemplate.templateId": {Desc: "Template ID (`appProductId`), its natural key.",
		Allowed: "letters, digits, `.`, `_`, `-`, `@`"},
	"access.mobileFlowsTemplate.scope":             {Desc: "Scopes of the template.", Allowed: codeList(AccessScopes) + " or a resource UUID"},
	"access.mobileFlowsTemplate.redirectUri":       {Desc: "Redirect URI of the template.", Allowed: httpsURL},
	"access.mobileFlowsTemplate.tokenType":         {Desc: "Token type.", Allowed: oneOf(TokenTypes)},
	"access.mobileFlowsTemplate.tokenLength":       {Desc: "Token length in bytes (`length` on the wire).", Allowed: "one of " + joinInts(TokenLengths)},
	"access.mobileFlowsTemplate.issueRefreshToken": {Desc: "Issue a refresh token."},
	"access.mobileFlowsTemplate.accessTokenTTL":    {Desc: "Access token lifetime (minutes on the wire).", Allowed: "at least " + FormatDuration(MinTokenTTL)},
	"access.mobileFlowsTemplate.refreshTokenTTL":   {Desc: "Refresh token lifetime.", Allowed: "at least " + FormatDuration(MinTokenTTL)},
	"access.mobileFlowsTemplate.idleTokenTTL":      {Desc: "Idle refresh token lifetime (`refreshTokenIdleTTL`).", Allowed: "at least " + FormatDuration(MinTokenTTL)},
	"access.mobileFlowsTemplate.userGrant":         {Desc: "Show the user-grant prompt (`displayUserGrant`)."},
	"access.scimClient":                            {Desc: "Service Client Token client Okta uses to provision users over SCIM (the Okta SCIM to Access guide); alternative to identityServices."},
	"access.scimClient.clientId":                   {Desc: "Client id.", Allowed: "up to 256 letters, digits, `.`, `_`, `-`, `@`"},
	"access.scimClient.scope":                      {Desc: "Scopes.", Allowed: codeList(AccessScopes) + " or a resource UUID"},
	"access.scimClient.accessTokenTTL":             {Desc: "Lifetime of the bearer token pasted into Okta (re-paste on expiry).", Allowed: "at least " + FormatDuration(MinTokenTTL)},
	"access.scimClient.secretSink":                 {Desc: "Where apply writes the generated shared secret.", Allowed: sinkSecret},
	"access.directory":                             {Desc: "Directory of type Other that receives the Okta users (the Okta SCIM to Access guide)."},
	"access.directory.name":                        {Desc: "Directory name, its natural key.", Allowed: fmt.Sprintf("up to %d letters, digits, spaces, `-`, `_`", MaxDirectoryName)},
	"access.directory.domains":                     {Desc: "Domains of the directory; each unique in the tenant.", Allowed: "at least one domain name such as okta.example.com"},

	"identityServices":                                 {Desc: "VMware/Omnissa Identity Services with Okta (the Identity Services with Okta guide); alternative to access.scimClient/directory."},
	"identityServices.enabled":                         {Desc: "Provision users through Identity Services (its directory, SCIM token and IdP) instead of Access. flowsctl does not switch Identity Services on for the tenant (no API does; it is irreversible without support): doctor checks that its API answers, and the console step is listed."},
	"identityServices.url":                             {Desc: "Identity Services base URL.", Allowed: httpsURL, Default: "`access.url`"},
	"identityServices.directory":                       {Desc: "The provisioned directory."},
	"identityServices.directory.name":                  {Desc: "Directory name (required when enabled).", Allowed: fmt.Sprintf("up to %d letters, digits, spaces, `-`, `_`", MaxDirectoryName)},
	"identityServices.directory.domain":                {Desc: "Primary domain of the source directory, with its extension (required when enabled).", Allowed: "domain name such as example.com"},
	"identityServices.directory.source":                {Desc: "Identity provider the users come from.", Allowed: oneOf(DirectorySources)},
	"identityServices.scimToken":                       {Desc: "The SCIM bearer token Okta uses."},
	"identityServices.scimToken.lifespan":              {Desc: "Token lifespan.", Allowed: between(FormatDuration(MinSCIMTokenLifespan), FormatDuration(MaxSCIMTokenLifespan))},
	"identityServices.scimToken.sink":                  {Desc: "Where apply writes the generated token.", Allowed: sinkSecret},
	"identityServices.oidc":                            {Desc: "Okta OpenID Connect web app used for authentication."},
	"identityServices.oidc.issuerUrl":                  {Desc: "Okta org URL (configuration at /.well-known/openid-configuration).", Allowed: httpsURL},
	"identityServices.oidc.clientId":                   {Desc: "Client id of the Okta OIDC app.", Allowed: "non-empty"},
	"identityServices.oidc.clientSecret":               {Desc: "Its client secret.", Allowed: inputSecret},
	"identityServices.oidc.oidcUserIdentifier":         {Desc: "OIDC claim that identifies the user.", Allowed: "non-empty"},
	"identityServices.oidc.workspaceOneUserIdentifier": {Desc: "Workspace ONE attribute matched against it.", Allowed: "non-empty"},
	"identityServices.services":                        {Desc: "Services to select for the directory in the Identity Services console (no API sets them: `identity.services` is an operator step that apply lists and `flowsctl confirm identity.services` records).", Allowed: "at least one of " + codeList(IdentityServiceIDs)},

	"uem":                                         {Desc: "Workspace ONE UEM (the Teams mobile flows, Boxer, custom connectors and integration preflight guides)."},
	"uem.url":                                     {Desc: "UEM API server URL.", Allowed: httpsURL, Default: "required"},
	"uem.auth":                                    {Desc: "API credentials: oauth (recommended) or basic with apiKey."},
	"uem.auth.oauth":                              {Desc: "OAuth client (Groups & Settings > Configurations > OAuth Client Management)."},
	"uem.auth.oauth.region":                       {Desc: "Regional token endpoint.", Allowed: oneOf(UEMRegions) + "; exactly one of region and tokenUrl"},
	"uem.auth.oauth.tokenUrl":                     {Desc: "Token endpoint, instead of region.", Allowed: httpsURL},
	"uem.auth.oauth.clientId":                     {Desc: "OAuth client id.", Allowed: "non-empty"},
	"uem.auth.oauth.clientSecret":                 {Desc: "OAuth client secret.", Allowed: inputSecret},
	"uem.auth.basic":                              {Desc: "API admin account (needs apiKey)."},
	"uem.auth.basic.username":                     {Desc: "Admin user name.", Allowed: "non-empty"},
	"uem.auth.basic.password":                     {Desc: "Its password.", Allowed: inputSecret},
	"uem.auth.apiKey":                             {Desc: "REST API key, sent as aw-tenant-code; required with basic.", Allowed: inputSecret},
	"uem.caFile":                                  {Desc: "PEM bundle for a self-signed on-premises server; relative to the config file.", Allowed: "existing file"},
	"uem.organizationGroup":                       {Desc: "Organization group (group id) flowsctl works in."},
	"uem.mobileFlows":                             {Desc: "Mobile flows connectors (the Teams mobile flows and custom connectors guides)."},
	"uem.mobileFlows.host":                        {Desc: "Mobile flows cloud service.", Allowed: httpsURL},
	"uem.mobileFlows.mode":                        {Desc: "guided prints the console checklist (no public API); api uses the admin API at adminUrl (the sandbox provides one).", Allowed: oneOf(MobileFlowsModes)},
	"uem.mobileFlows.adminUrl":                    {Desc: "Mobile flows admin API (required for mode api).", Allowed: httpsURL},
	"uem.mobileFlows.connectors":                  {Desc: "Connectors to add: an OOTB catalog connector (catalog) or a self-hosted one (discoveryUrl)."},
	"uem.mobileFlows.connectors[].catalog":        {Desc: "OOTB catalog name, e.g. teams.", Allowed: "exactly one of catalog and discoveryUrl"},
	"uem.mobileFlows.connectors[].name":           {Desc: "Connector name, its natural key.", Allowed: "non-empty, unique", Default: "required"},
	"uem.mobileFlows.connectors[].baseUrl":        {Desc: "Base URL of the backend API.", Allowed: httpsURL + "; Teams needs `" + TeamsGraphBaseURL + "`", Default: "`" + TeamsGraphBaseURL + "` for catalog teams, `" + PlannerGraphBaseURL + "` for planner"},
	"uem.mobileFlows.connectors[].discoveryUrl":   {Desc: "Discovery URL of a self-hosted connector (public, unauthenticated JSON).", Allowed: httpsURL},
	"uem.mobileFlows.connectors[].authentication": {Desc: "Authentication type of a custom connector, e.g. oauth2."},
	"uem.mobileFlows.connectors[].notification":   {Desc: "Notification method; VMware-hosted (catalog) connectors poll every 60 minutes.", Allowed: oneOf(Notifications) + "; push only without catalog"},
	"uem.mobileFlows.connectors[].categories":     {Desc: "Categories (use case, apps, type)."},
	"uem.mobileFlows.connectors[].active":         {Desc: "Activate the connector.", Default: "unset (keep the server's value)"},
	"uem.boxer":                                   {Desc: "Mobile flows keys on the Boxer app assignment (the Boxer guide)."},
	"uem.boxer.enabled":                           {Desc: "AppMobileFlowsEnabled."},
	"uem.boxer.smartGroups":                       {Desc: "Smart groups of the Boxer assignment to configure."},
	"uem.boxer.syncTimeHours":                     {Desc: "AppMobileFlowsSyncTimeHours.", Allowed: fmt.Sprintf("1 to %d", MaxBoxerSyncHours)},
	"uem.boxer.autoEnableConnectors":              {Desc: "AppMobileFlowsAutoEnableConnectors."},
	"uem.integrations":                            {Desc: "Third-party dashboards (e.g. Check Point Harmony Mobile, the integration preflight guide): preflight checks only."},
	"uem.integrations[].name":                     {Desc: "Name of the integration.", Allowed: "non-empty, unique", Default: "required"},
	"uem.integrations[].groups":                   {Desc: "Organization groups or smart groups to integrate (a parent OG does not include its children).", Allowed: "at least one"},
	"uem.integrations[].deviceSyncInterval": {Desc: "Device sync interval.",
		Allowed: fmt.Sprintf("multiple of %s from %s to %s", fmtMin(SyncStep), fmtMin(MinSyncInterval), fmtMin(MaxSyncInterval))},
	"uem.integrations[].deviceDeletionThreshold": {Desc: "Device deletion threshold (percent); 100 turns the safeguard off (evaluation only: doctor warns).", Allowed: "0 to 100"},
	"uem.integrations[].deviceDeletionAfter":     {Desc: "Delete a device after this many sync tries.", Allowed: "1 to 100"},
	"uem.integrations[].appSyncInterval": {Desc: "App sync interval.",
		Allowed: fmt.Sprintf("multiple of %s from %s to %s", fmtMin(SyncStep), fmtMin(MinSyncInterval), fmtMin(MaxSyncInterval))},
	"uem.integrations[].tagging":                 {Desc: "Tags the dashboard sets (needs tag permissions)."},
	"uem.integrations[].tagging.status":          {Desc: "Tag device status."},
	"uem.integrations[].tagging.risk":            {Desc: "Tag risk level."},
	"uem.integrations[].tagging.threatFactors":   {Desc: "Tag threat factors."},
	"uem.integrations[].auth":                    {Desc: "The dashboard's own UEM credentials (a dedicated API account with REST API key, or OAuth client) that the preflight checks; never flowsctl's uem.auth. Same keys as uem.auth."},
	"uem.integrations[].auth.oauth":              {Desc: "The dashboard's OAuth client."},
	"uem.integrations[].auth.oauth.region":       {Desc: "Regional token endpoint.", Allowed: oneOf(UEMRegions) + "; exactly one of region and tokenUrl"},
	"uem.integrations[].auth.oauth.tokenUrl":     {Desc: "Token endpoint, instead of region.", Allowed: httpsURL},
	"uem.integrations[].auth.oauth.clientId":     {Desc: "The dashboard's OAuth client id.", Allowed: "non-empty"},
	"uem.integrations[].auth.oauth.clientSecret": {Desc: "Its secret.", Allowed: inputSecret},
	"uem.integrations[].auth.basic":              {Desc: "The dashboard's API account (needs apiKey)."},
	"uem.integrations[].auth.basic.username":     {Desc: "API account name.", Allowed: "non-empty"},
	"uem.integrations[].auth.basic.password":     {Desc: "Its password.", Allowed: inputSecret},
	"uem.integrations[].auth.apiKey":             {Desc: "REST API key of the dashboard, sent as aw-tenant-code; required with basic.", Allowed: inputSecret},
	"uem.integrations[].serverCertificate":       {Desc: "PEM of a self-signed UEM server certificate; relative to the config file.", Allowed: "existing file"},

	"doctor":                        {Desc: "doctor settings."},
	"doctor.warnSecretExpiryBefore": {Desc: "Warn when a secret flowsctl manages expires within this window.", Allowed: between(FormatDuration(MinWarnBefore), FormatDuration(MaxWarnBefore))},
}

const referenceIntro = `# Configuration reference (flowsctl.yaml)

<!-- Generated by pkg/config.Reference(); do not edit. Regenerate with:
     UPDATE_DOCS=1 go test ./pkg/config -run TestConfigurationDocIsCurrent -->

Every section is optional; a command fails with a clear message when a section it needs is missing.
Defaults apply only inside sections that are present. ` + "`flowsctl config validate`" + ` lists every problem
at once (file:line:col, field path, bad value, allowed range) and exits 1; ` + "`flowsctl config show`" + `
prints the effective config with defaults (secrets as their references). A complete example is
` + "`flowsctl init`" + `'s output; unknown keys are errors, with a "did you mean" suggestion.

## Value types

- **duration**: a whole number and a unit: ` + "`m`" + ` (minutes), ` + "`h`" + `, ` + "`d`" + `, ` + "`w`" + `, ` + "`mo`" + ` (30 days), ` + "`y`" + ` (365 days),
  e.g. ` + "`10m 24h 10d 90d 12mo 1y`" + `; at most 100 years.
- **URL**: an absolute ` + "`https://`" + ` URL; ` + "`http://`" + ` only for loopback hosts (127.0.0.0/8, ::1, localhost). No
  credentials in the URL.
- **secret ref**: ` + "`env:NAME`" + ` (an environment variable) or ` + "`file:PATH`" + ` (a file of mode 0600; a relative path is
  relative to the config file's directory). A secret written literally in the file is rejected, and so is a
  ` + "`file:`" + ` secret other users can read (fix: ` + "`chmod 600 PATH`" + `). Sinks (` + "`*.sink`, `secretSink`" + `) are where apply writes a
  secret it creates and must be ` + "`file:PATH`" + `.
- Other relative file paths (` + "`caFile`, `certificateFile`, `serverCertificate`" + `) are relative to the config file too.
`

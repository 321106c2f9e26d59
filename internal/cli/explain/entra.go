package explain

import (
	"regexp"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// entraKnown are the Entra ID sign-in and Graph messages an admin meets while registering the
// Teams app or when the Teams connector signs users in.
var entraKnown = []Entry{
	{ID: "entra-consent-required", Message: "AADSTS65001: The user or administrator has not consented to use the application with ID '<app id>' named '<app>'.",
		Cause:  "The Teams app's delegated Graph permissions were never granted tenant-wide, so each user would have to consent and the tenant does not allow it (or the grant was removed).",
		Fix:    "Grant admin consent: flowsctl azure register (with azure.app.adminConsent: true; needs a Global or Privileged Role Administrator), or Entra admin center > App registrations > <app> > API permissions > Grant admin consent for <tenant>. Check with: flowsctl azure verify.",
		Source: "Teams mobile flows guide, Entra app registration", match: regexp.MustCompile(`(?i)AADSTS65001|has\s+not\s+consented\s+to\s+use\s+the\s+application`)},
	{ID: "entra-need-admin-approval", Message: "Need admin approval: <app> needs permission to access resources in your organization that only an admin can grant.",
		Cause:  "A user signing in to the Teams connector (Access user portal > Account > Microsoft Teams) is asked for permissions that need admin consent (Group.ReadWrite.All, User.Read.All), and no admin granted them for the tenant.",
		Fix:    "An admin grants consent once for everyone: flowsctl azure register with azure.app.adminConsent: true, or Entra admin center > App registrations > <app> > API permissions > Grant admin consent. Then the user signs in again. Check with: flowsctl azure verify.",
		Source: "Teams mobile flows guide, user activation", match: regexp.MustCompile(`(?i)need\s+admin\s+approval|only\s+an\s+admin\s+can\s+grant`)},
	{ID: "entra-admin-policy-blocks-consent", Message: "AADSTS90094: The grant requires admin permission.",
		Cause:  "The tenant's user consent settings do not let users consent to these permissions; an administrator must grant them.",
		Fix:    "Grant admin consent (flowsctl azure register with azure.app.adminConsent: true, signed in as an administrator), or Entra admin center > Enterprise applications > Consent and permissions > allow the permissions, then retry.",
		Source: "Teams mobile flows guide, Entra app registration", match: regexp.MustCompile(`(?i)AADSTS90094|grant\s+requires\s+admin\s+permission`)},
	{ID: "entra-invalid-client-secret", Message: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
		Cause:  "The Teams connector (or azure.signIn) sends a wrong client secret: often the secret's ID was pasted instead of its value, or the secret was rotated and the holder still has the old one.",
		Fix:    "Rotate without downtime and update the holder: flowsctl azure secret rotate (it writes the new value to azure.app.secret.sink); paste that value into the UEM console's Microsoft Teams connector (client secret), then flowsctl doctor.",
		Source: "Teams mobile flows guide, connector credentials", match: regexp.MustCompile(`(?i)AADSTS7000215|invalid\s+client\s+secret`)},
	{ID: "entra-client-secret-expired", Message: "AADSTS7000222: The provided client secret keys for app '<app id>' are expired.",
		Cause:  "Every client secret of the Teams app has passed its end date (azure.app.secret.lifetime), so the connector can no longer sign in.",
		Fix:    "flowsctl azure secret rotate, then update the Microsoft Teams connector's client secret in the UEM console with the value in azure.app.secret.sink; flowsctl doctor warns before the next expiry (azure.app.secret.warnBefore).",
		Source: "Teams mobile flows guide, connector credentials", match: regexp.MustCompile(`(?i)AADSTS7000222|client\s+secret\s+keys?\s+for\s+app\s+.*\s+are\s+expired`)},
	{ID: "entra-redirect-uri-mismatch", Message: "AADSTS50011: The redirect URI '<uri>' specified in the request does not match the redirect URIs configured for the application '<app id>'.",
		Cause:  "The app registration lacks the mobile flows redirect URI (" + config.HeroRedirectURI + ") or the Access tenant's callback, so the user's Teams sign-in is refused.",
		Fix:    "Add the redirect URIs flowsctl manages: flowsctl apply --only azure.app (azure.app.redirectUris), or Entra admin center > App registrations > <app> > Authentication > Web > Redirect URIs. Check with: flowsctl azure verify.",
		Source: "Teams mobile flows guide, Entra app registration", match: regexp.MustCompile(`(?i)AADSTS50011|redirect\s+uri\s+.*does\s+not\s+match`)},
	{ID: "entra-app-not-found", Message: "AADSTS700016: Application with identifier '<app id>' was not found in the directory '<tenant>'.",
		Cause:  "The client id the connector (or azure.signIn) uses does not exist in that tenant: a wrong tenant id, an app deleted since, or a single-tenant app used from another tenant.",
		Fix:    "flowsctl azure show prints the client id and tenant of the registered app; re-enter both in the UEM console's Microsoft Teams connector, or fix azure.tenantId / azure.signIn.clientId in flowsctl.yaml. flowsctl azure register re-creates a deleted app.",
		Source: "Teams mobile flows guide, connector credentials", match: regexp.MustCompile(`(?i)AADSTS700016|application\s+with\s+identifier\s+.*was\s+not\s+found\s+in\s+the\s+directory`)},
	{ID: "graph-replication-not-found", Message: "Resource '<id>' does not exist or one of its queried reference-property objects are not present.",
		Cause:  "Microsoft Graph has not yet replicated an object created seconds ago (an app, service principal or grant); Entra is eventually consistent.",
		Fix:    "Run the same command again (flowsctl apply resumes and finds the object); flowsctl already waits up to azure.replicationBudget for replication, raise it for slow tenants.",
		Source: "Microsoft Graph, eventual consistency", match: regexp.MustCompile(`(?i)does\s+not\s+exist\s+or\s+one\s+of\s+its\s+queried\s+reference-property\s+objects\s+are\s+not\s+present`)},
	{ID: "graph-replication-no-app", Message: "The appId '<app id>' of the service principal does not reference a valid application object.",
		Cause:  "The service principal was created moments after its application, before Graph replicated the application.",
		Fix:    "Run flowsctl apply again: it finds the application and creates the service principal once replication caught up (raise azure.replicationBudget for slow tenants).",
		Source: "Microsoft Graph, eventual consistency", match: regexp.MustCompile(`(?i)does\s+not\s+reference\s+a\s+valid\s+application\s+object`)},
}

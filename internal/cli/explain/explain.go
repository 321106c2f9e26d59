// Package explain is `flowsctl explain "<error text>"`: the cause and fix of the SCIM and
// Identity Services errors the Okta SCIM to Access guide troubleshoots, plus the Identity
// Services 409s.
package explain

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// Entry is one known error.
type Entry struct {
	ID      string `json:"id" yaml:"id"`
	Message string `json:"message" yaml:"message"`
	Cause   string `json:"cause" yaml:"cause"`
	Fix     string `json:"fix" yaml:"fix"`
	Source  string `json:"source" yaml:"source"`
	match   *regexp.Regexp
}

// Known lists every error explain recognises. Patterns are case-insensitive and tolerate the
// "ERRORS REPORTED BY REMOTE SERVER:" prefix Okta adds.
var Known = []Entry{
	{ID: "required-attribute-missing", Message: "ERRORS REPORTED BY REMOTE SERVER: REQUIRED USER ATTRIBUTES: [DISTINGUISHEDNAME] ARE MISSING.",
		Cause:  "distinguishedName is marked Required in Workspace ONE Access, and users provisioned from Okta do not have one.",
		Fix:    "In the Access console: Identity & Access Management > Setup > User Attributes, clear Required for distinguishedName (and any other attribute Okta does not send), Save; then retry the push in Okta.",
		Source: "the Okta SCIM to Access guide, Troubleshooting", match: regexp.MustCompile(`(?i)required\s+user\s+attributes?\s*:?\s*\[?([a-z0-9_, ]*)\]?\s*(are|is)\s+missing`)},
	{ID: "creation-not-supported-for-directory", Message: "ERRORS REPORTED BY REMOTE SERVER: USER CREATION IS NOT SUPPORTED FOR SPECIFIED DIRECTORY ID.",
		Cause:  "The user's domain belongs to a directory that is not of type Other (often a Just-in-Time directory), so Access will not create SCIM users in it.",
		Fix:    "Create a directory of type Other with a domain no other directory uses (flowsctl apply with access.directory, or POST /SAAS/jersey/manager/api/connectormanagement/directoryconfigs with type OTHER_DIRECTORY), map that domain in Okta's VMware Workspace ONE app, then retry. Check: flowsctl access directory list.",
		Source: "the Okta SCIM to Access guide, Troubleshooting", match: regexp.MustCompile(`(?i)user\s+creation\s+is\s+not\s+supported\s+for\s+(the\s+)?specified\s+directory`)},
	{ID: "domain-not-in-directory", Message: "ERRORS REPORTED BY REMOTE SERVER: USER DOMAIN NAME SPECIFIED FOR THE USER RESOURCE DOESN'T BELONG TO THE DIRECTORY.",
		Cause:  "The domain Okta sends (the domain attribute mapping of the VMware Workspace ONE app) is not the domain of an Other directory in Access: the mapping names another domain, or the directory did not exist yet when Okta pushed the user.",
		Fix:    "Make them match: in Okta, Applications > VMware Workspace ONE > Provisioning > To App > attribute mapping for domain = the directory's domain (see access.directory.domains; flowsctl access directory list shows it; flowsctl apply creates the directory and sets the mapping). Then retry the users in error on the app's Assignments tab: Okta does not retry them by itself.",
		Source: "the Okta SCIM to Access guide, Troubleshooting", match: regexp.MustCompile(`(?i)domain\s+name\s+specified\s+for\s+the\s+user\s+resource\s+doesn.?t\s+belong\s+to\s+the\s+directory`)},
	{ID: "matching-user-not-found", Message: "AUTOMATIC PROVISIONING OF USER <USERNAME> TO APP VMWARE WORKSPACE ONE FAILED: MATCHING USER NOT FOUND.",
		Cause:  "Create Users and Deactivate Users are not enabled in the VMware Workspace ONE app's provisioning settings, so Okta can only update users that already exist.",
		Fix:    "In Okta: Applications > VMware Workspace ONE > Provisioning > To App > Edit, enable Create Users and Deactivate Users, Save; then re-push the user.",
		Source: "the Okta SCIM to Access guide, Troubleshooting", match: regexp.MustCompile(`(?i)matching\s+user\s+not\s+found`)},
	{ID: "push-groups-error", Message: "1 group has an error. Click Retry All Groups",
		Cause:  "A transient failure of Okta's Push now for groups (known issue).",
		Fix:    "In Okta: Push Groups > Retry All Groups. If the group was created in the System domain, run: flowsctl scim groups fix-domain",
		Source: "the Okta SCIM to Access guide, Known issues", match: regexp.MustCompile(`(?i)(retry\s+all\s+groups|group[s]?\s+ha(s|ve)\s+an?\s+error)`)},
	{ID: "group-in-system-domain", Message: "group is in the System domain",
		Cause:  "Groups pushed from Okta are created in Access's System domain, not in the Okta directory's domain (known issue).",
		Fix:    "flowsctl scim groups fix-domain (creates the group with the directory's domain); then in Okta link the pushed group to it (Push Groups > Link Group).",
		Source: "the Okta SCIM to Access guide, Known issues", match: regexp.MustCompile(`(?i)system\s+domain`)},
	{ID: "deleted-user-only-disabled", Message: "user deleted in Okta is still in Access (disabled)",
		Cause:  "Okta never deletes users over SCIM: a user deleted in Okta is only disabled in Access, and re-creating it updates the old user (known issue).",
		Fix:    "flowsctl scim prune --from <export of Okta's users> (DELETE /SAAS/jersey/manager/api/scim/Users/{id} for disabled users the export no longer lists); delete the user in the UEM console too.",
		Source: "the Okta SCIM to Access guide, Known issues", match: regexp.MustCompile(`(?i)(deleted.*(still|only).*(disabled|exists))|(user.*disabled.*okta)`)},
	{ID: "is-directory-name-exists", Message: "directory.with.name.already.exists: Directory with name X already exists.",
		Cause:  "An Identity Services directory with this name exists (409).",
		Fix:    "Use it (flowsctl identity directory create adopts a directory with the same name and domain) or choose another identityServices.directory.name; list them with: flowsctl identity directory list",
		Source: "Identity Services API (409)", match: regexp.MustCompile(`(?i)directory(\.with)?\.name\.already\.exists|directory with name .* already exists`)},
	{ID: "is-directory-domain-exists", Message: "directory.with.domain.already.exists: Domain X is already associated with directory Y.",
		Cause:  "A domain belongs to one Identity Services directory only (409).",
		Fix:    "Use the directory that owns the domain, or delete it in the console (Integrations > Identity Services; delete is asynchronous and removes its users and groups); see flowsctl identity directory list",
		Source: "Identity Services API (409)", match: regexp.MustCompile(`(?i)directory(\.with)?\.domain\.already\.exists|domain .* already associated with directory`)},
	{ID: "is-idp-name-exists", Message: "identity.provider.with.name.already.exists: Identity provider with name X already exists.",
		Cause:  "An identity provider with this name exists (409).",
		Fix:    "flowsctl identity idp create oidc updates the provider with that name; or pass --name with another name.",
		Source: "Identity Services API (409)", match: regexp.MustCompile(`(?i)identity\.provider\.with\.name\.already\.exists|identity provider with name .* already exists`)},
	{ID: "is-oauth-client-exists", Message: "oauth2.client.with.client.id.already.exists: OAuth2 Client with client id c1 already exists.",
		Cause:  "An OAuth2 client with this client_id exists (409).",
		Fix:    "Reuse the client (its secret is not readable: rotate it with POST /acs/broker/oauth2-clients/{id}?action=start-rotate-secret) or pick another client id.",
		Source: "Identity Services API (409)", match: regexp.MustCompile(`(?i)oauth2\.client\.with\.client\.id\.already\.exists|oauth2 client with client id .* already exists`)},
	{ID: "is-sync-client-conflict", Message: "409 multiple sync-client configurations",
		Cause:  "The directory has more than one sync-client configuration (409 on generate_credentials).",
		Fix:    "Regenerate the token in the console (Integrations > Identity Services > the directory > Regenerate), or delete and recreate the directory; then flowsctl identity token generate.",
		Source: "Identity Services API (409)", match: regexp.MustCompile(`(?i)(multiple|more than one)\s+sync.?client`)},
	{ID: "scim-uniqueness", Message: `{"status":"409","scimType":"uniqueness"}`,
		Cause:  "A user or group with this userName / displayName already exists on the SCIM server (409 uniqueness).",
		Fix:    "flowsctl adopts it (scim users create, scim sync); in Okta, use Match existing users. Find it with: flowsctl scim users get <userName>",
		Source: "RFC 7644 §3.12 (409)", match: regexp.MustCompile(`(?i)uniqueness|userName .* already exists`)},
	{ID: "scim-unauthorized", Message: "401 Unauthorized / User is not authorized to perform the task.",
		Cause:  "The SCIM bearer token is missing, wrong or expired (Identity Services tokens live 6–24 months; Access service-client tokens per the client's TTL).",
		Fix:    "flowsctl identity token generate (Identity Services) or re-issue the Access SCIM client token, then paste it into Okta's provisioning settings; check with: flowsctl scim verify",
		Source: "the Identity Services with Okta and Okta SCIM to Access guides", match: regexp.MustCompile(`(?i)(not authorized to perform the task|\b401\b|unauthorized|invalid or expired (access )?token)`)},
	{ID: "wrong-host-444", Message: "444 (no response)",
		Cause:  "Identity Services drops requests whose Host header is not the tenant FQDN.",
		Fix:    "Use the tenant's own host name in identityServices.url (not an IP or alias).",
		Source: "Identity Services API", match: regexp.MustCompile(`(?i)\b444\b`)},
}

// All is every known message: provisioning (Known) and Entra ID sign-in and Graph.
func All() []Entry { return append(append([]Entry(nil), Known...), entraKnown...) }

// Match returns the entries whose pattern matches text, best first.
func Match(text string) []Entry {
	var out []Entry
	for _, e := range All() {
		if e.match.MatchString(text) {
			out = append(out, e)
		}
	}
	return out
}

// Options of `flowsctl explain`.
type ExplainOptions struct {
	cmdutil.Common
	Text string
	List bool
}

// NewCmdExplain builds `flowsctl explain`.
func NewCmdExplain(f *cmdutil.Factory, runF func(*ExplainOptions) error) *cobra.Command {
	o := &ExplainOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.CommandWithArgs(&cobra.Command{
		Use:   `explain "<error text>"`,
		Short: "Explain a provisioning error: its cause and the fix",
		Long: `Maps the troubleshooting messages of the Okta -> Workspace ONE Access SCIM guide, its known
issues, and the Identity Services 409s to their cause and fix. Paste the error text as Okta or the
API showed it. Exit 1 when the text is not recognised.`,
		Args: cobra.ArbitraryArgs,
		Example: `  flowsctl explain "ERRORS REPORTED BY REMOTE SERVER: USER CREATION IS NOT SUPPORTED FOR SPECIFIED DIRECTORY ID."
  flowsctl explain "Automatic provisioning of user ann to app VMware Workspace ONE failed: Matching user not found"
  flowsctl explain --list -o json`,
	}, o, &o.Common, func(args []string) { o.Text = strings.Join(args, " ") }, runF, explainRun)
	cmd.Flags().BoolVar(&o.List, "list", false, "list every known error")
	return cmd
}

func explainRun(o *ExplainOptions) error {
	var es []Entry
	switch {
	case o.List:
		es = All()
	case strings.TrimSpace(o.Text) == "":
		return fmt.Errorf(`give the error text: flowsctl explain "<error text>" (or --list)`)
	default:
		es = Match(o.Text)
	}
	if len(es) == 0 {
		return fmt.Errorf("no known cause for %q: see flowsctl explain --list, and docs/troubleshooting.md", o.Text)
	}
	return cmdutil.Print(o.IO.Out, o.Output(), es, func(w io.Writer) error {
		for i, e := range es {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "%s\n  Cause: %s\n  Fix:   %s\n  (%s)\n", e.Message, e.Cause, e.Fix, e.Source)
		}
		return nil
	})
}

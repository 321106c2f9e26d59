package mobileflows

import (
	"sort"
	"strings"
)

// Authentication types of a connector, as the console's Authentication Type list names them.
const (
	AuthOAuth2Code         = "oauth2_authorization_code"
	AuthOAuth2Password     = "oauth2_password"
	AuthOAuth2Client       = "oauth2_client_credentials"
	AuthServiceAccount     = "service_account"
	AuthBasic              = "basic"
	AuthWorkspaceONE       = "workspace_one"
	NotificationPoll       = "poll"
	NotificationPush       = "push"
	AccountUser            = "User account"
	AccountService         = "Service account"
	KindNotification       = "notification"
	KindChatbot            = "chatbot"
	GraphBeta              = "https://graph.microsoft.com/beta"
	GraphV1                = "https://graph.microsoft.com/v1.0"
	DefaultMicrosoftLogin  = "https://login.microsoftonline.com"
	TeamsCatalogID         = "microsoft-teams"
	defaultTeamsCategories = "Collaboration"
)

// AuthLabel is the console label of an authentication type.
func AuthLabel(t string) string {
	switch t {
	case AuthOAuth2Code:
		return "OAuth 2.0 - Authorization code"
	case AuthOAuth2Password:
		return "OAuth 2.0 - Password"
	case AuthOAuth2Client:
		return "OAuth 2.0 - Client credentials"
	case AuthServiceAccount:
		return "Service Account"
	case AuthBasic:
		return "Basic"
	case AuthWorkspaceONE:
		return "Workspace ONE"
	}
	return t
}

// NormalizeAuth accepts the console labels and common spellings.
func NormalizeAuth(s string) (string, bool) {
	k := strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "", ".", "").Replace(s))
	switch k {
	case "oauth2authorizationcode", "oauth20authorizationcode", "authorizationcode", "oauth2", "oauth20", "oauth":
		return AuthOAuth2Code, true
	case "oauth2password", "oauth20password", "password":
		return AuthOAuth2Password, true
	case "oauth2clientcredentials", "oauth20clientcredentials", "clientcredentials":
		return AuthOAuth2Client, true
	case "serviceaccount":
		return AuthServiceAccount, true
	case "basic":
		return AuthBasic, true
	case "workspaceone", "workspaceoneauth", "ws1":
		return AuthWorkspaceONE, true
	}
	return "", false
}

// UseCase is one row of the OOTB tables of the Teams mobile flows guide.
type UseCase struct {
	AccountType    string `json:"accountType" yaml:"accountType"`
	Authentication string `json:"authentication" yaml:"authentication"`
	Description    string `json:"description" yaml:"description"`
}

// CatalogEntry is one OOTB connector of the UEM console's Content > Mobile Flows > Catalog.
type CatalogEntry struct {
	ID         string    `json:"id" yaml:"id"`
	Name       string    `json:"name" yaml:"name"`
	Kind       string    `json:"kind" yaml:"kind"` // notification | chatbot
	Aliases    []string  `json:"aliases,omitempty" yaml:"aliases,omitempty"`
	OpenSource bool      `json:"openSource" yaml:"openSource"`
	UseCases   []UseCase `json:"useCases" yaml:"useCases"`
	// BaseURL is the backend URL the connector needs, when it is known (Teams: Graph beta).
	BaseURL string `json:"baseUrl,omitempty" yaml:"baseUrl,omitempty"`
	// Entra marks connectors that authenticate with the Entra ID app registration.
	Entra bool `json:"entra,omitempty" yaml:"entra,omitempty"`
	// Scopes are the delegated scopes the authorization request asks for (Entra connectors).
	Scopes []string `json:"scopes,omitempty" yaml:"scopes,omitempty"`
	// Notification methods the hosted connector offers (VMware-hosted ones poll only).
	Notifications []string `json:"notifications" yaml:"notifications"`
	Categories    []string `json:"categories,omitempty" yaml:"categories,omitempty"`
}

// AccountType is the first use case's account type.
func (c CatalogEntry) AccountType() string { return c.UseCases[0].AccountType }

// Authentication is the first use case's authentication type.
func (c CatalogEntry) Authentication() string { return c.UseCases[0].Authentication }

func uc(acct, auth, desc string) UseCase { return UseCase{acct, auth, desc} }

// TeamsScopes are the delegated Graph permissions of the Entra app (the Teams mobile flows guide).
var TeamsScopes = []string{"offline_access", "User.Read", "User.Read.All", "MailboxSettings.Read", "Group.ReadWrite.All"}

var poll = []string{NotificationPoll}

// Catalog is the OOTB notification and chatbot tables of the Teams mobile flows guide.
var Catalog = []CatalogEntry{
	{ID: "salesforce", Name: "Salesforce", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "Discount request approval"),
		uc(AccountUser, AuthOAuth2Code, "New leads"),
		uc(AccountUser, AuthOAuth2Code, "Case resolution"),
		uc(AccountUser, AuthOAuth2Code, "New task")}},
	{ID: "servicenow", Name: "ServiceNow", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "IT ticket approval")}},
	{ID: "concur", Name: "Concur", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountService, AuthOAuth2Password, "Expense request approval")}},
	{ID: "coupa", Name: "Coupa", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountService, AuthServiceAccount, "Requisition request approval")}},
	{ID: "jira-service-desk", Name: "Jira Service Desk", Aliases: []string{"jira"}, Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "Service request approval")}},
	{ID: "workday", Name: "Workday", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "Absence request approval"),
		uc(AccountUser, AuthOAuth2Code, "Employee data change approval")}},
	{ID: "microsoft-onedrive", Name: "Microsoft OneDrive", Aliases: []string{"onedrive"}, Kind: KindNotification, OpenSource: true, Notifications: poll, Entra: true, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "File or folder request approval")}},
	{ID: TeamsCatalogID, Name: "Microsoft Teams", Aliases: []string{"teams", "ms-teams"}, Kind: KindNotification, OpenSource: true, Notifications: poll,
		BaseURL: GraphBeta, Entra: true, Scopes: TeamsScopes, Categories: []string{defaultTeamsCategories}, UseCases: []UseCase{
			uc(AccountUser, AuthOAuth2Code, "Team @ mention; reply to messages")}},
	{ID: "microsoft-planner", Name: "Microsoft Planner", Aliases: []string{"planner"}, Kind: KindNotification, OpenSource: true, Notifications: poll,
		BaseURL: GraphV1, Entra: true, UseCases: []UseCase{uc(AccountUser, AuthOAuth2Code, "Tasks due today")}},
	{ID: "linkedin-learning", Name: "LinkedIn Learning", Aliases: []string{"linkedin"}, Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountService, AuthOAuth2Code, "New training available")}},
	{ID: "saba", Name: "Saba", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "New learning assigned"),
		uc(AccountUser, AuthServiceAccount, "New training assigned")}},
	{ID: "zoom", Name: "Zoom", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "New recording available")}},
	{ID: "box", Name: "Box", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "New @mention")}},
	{ID: "google-docs", Name: "Google Docs", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "New @mention")}},
	{ID: "microsoft-dynamics", Name: "Microsoft Dynamics", Aliases: []string{"dynamics"}, Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "New leads"),
		uc(AccountUser, AuthOAuth2Code, "Case resolution"),
		uc(AccountUser, AuthOAuth2Code, "New task")}},
	{ID: "zendesk", Name: "Zendesk", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "Ticket resolution"),
		uc(AccountUser, AuthOAuth2Code, "Task approval")}},
	{ID: "hubspot", Name: "Hubspot", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "New deals"),
		uc(AccountUser, AuthOAuth2Code, "New tickets")}},
	{ID: "adobe-sign", Name: "Adobe Sign", Kind: KindNotification, OpenSource: true, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "E-signature required")}},
	{ID: "servicenow-chatbot", Name: "ServiceNow (chatbot)", Kind: KindChatbot, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthOAuth2Code, "Order devices; create a ticket; view my tickets")}},
	{ID: "workspace-one-uem-chatbot", Name: "Workspace ONE UEM (chatbot)", Aliases: []string{"uem-chatbot"}, Kind: KindChatbot, Notifications: poll, UseCases: []UseCase{
		uc(AccountUser, AuthWorkspaceONE, "Synchronize UEM device")}},
	{ID: "linkedin-learning-chatbot", Name: "LinkedIn Learning (chatbot)", Kind: KindChatbot, Notifications: poll, UseCases: []UseCase{
		uc(AccountService, AuthOAuth2Client, "View courses")}},
}

// Lookup finds a catalog entry by id, alias or name (case-insensitive).
func Lookup(key string) (CatalogEntry, bool) {
	k := strings.ToLower(strings.TrimSpace(key))
	for _, c := range Catalog {
		if c.ID == k || strings.EqualFold(c.Name, k) {
			return c, true
		}
		for _, a := range c.Aliases {
			if a == k {
				return c, true
			}
		}
	}
	return CatalogEntry{}, false
}

// CatalogKeys lists every id and alias, for "did you mean".
func CatalogKeys() []string {
	var out []string
	for _, c := range Catalog {
		out = append(out, c.ID)
		out = append(out, c.Aliases...)
	}
	sort.Strings(out)
	return out
}

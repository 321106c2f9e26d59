package entraemu

import "sort"

// graphScope is one delegated permission of the Microsoft Graph service principal.
type graphScope struct {
	value, id string
	admin     bool
}

// graphScopes are real delegated Microsoft Graph permissions with their real ids (the five the
// Teams app needs, those an admin signs in with, and neighbours that make name suggestions
// realistic). A contract test checks every id against the published permission list.
var graphScopes = []graphScope{
	{"offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", false},
	{"openid", "37f7f235-527c-4136-accd-4a02d197296e", false},
	{"profile", "14dad69e-099b-42c9-810b-d002981feec1", false},
	{"email", "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", false},
	{"User.Read", "e1fe6dd8-ba31-4d61-89e7-88639da4683d", false},
	{"User.ReadWrite", "b4e74841-8e56-480b-be8b-910348b18b4c", false},
	{"User.ReadBasic.All", "b340eb25-3456-403f-be2f-af7a0d370277", false},
	{"User.Read.All", "a154be20-db9c-4678-8ab7-66f6cc099a59", true},
	{"User.ReadWrite.All", "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4", true},
	{"MailboxSettings.Read", "87f447af-9fa4-4c32-9dfa-4a57a73d18ce", false},
	{"MailboxSettings.ReadWrite", "818c620a-27a9-40bd-a6a5-d96f7d610b4b", false},
	{"Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca", false},
	{"Calendars.Read", "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42", false},
	{"Files.Read", "10465720-29dd-4523-a11a-6a75c743c9d9", false},
	{"Chat.Read", "f501c180-9344-439a-bca0-6cbf209fd270", false},
	{"ChannelMessage.Read.All", "767156cb-16ae-4d10-8f8b-41b657c8c8c8", true},
	{"Team.ReadBasic.All", "485be79e-c497-4b35-9400-0e3fa7f2a5d4", false},
	{"Group.Read.All", "5f8c59db-677d-491f-a6b8-5f174b11ec1d", true},
	{"Group.ReadWrite.All", "4e46008b-f24c-477d-8fff-7bb4ec7aafe0", true},
	{"Application.Read.All", "c79f8feb-a9db-4090-85f9-90d820caa0eb", true},
	{"Application.ReadWrite.All", "bdfbf15f-ee85-4955-8675-146e8e5296b5", true},
	{"DelegatedPermissionGrant.ReadWrite.All", "41ce6ca6-6826-4807-84f1-1c82854f7ee5", true},
	{"Directory.Read.All", "06da0dbc-49e2-44d2-8312-53f166ab848a", true},
	{"Directory.ReadWrite.All", "c5366453-9fb0-48a5-a156-24f0c49a4b84", true},
	{"Directory.AccessAsUser.All", "0e263e50-5827-48a4-b97c-d940288653c7", true},
}

// graphRoles are application permissions (app roles) of Microsoft Graph with their real ids.
var graphRoles = []graphScope{
	{"Application.Read.All", "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", true},
	{"Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", true},
	{"Application.ReadWrite.OwnedBy", "18a4783c-866b-4cc7-a460-3d5e5662c884", true},
	{"DelegatedPermissionGrant.ReadWrite.All", "8e8e4742-1d95-4f68-9d56-6ee75648c72a", true},
	{"Directory.ReadWrite.All", "19dbc75e-c2e2-444c-a770-ec69d8559fc7", true},
}

// graphSPObjectID is the tenant-specific object id of the Microsoft Graph service principal.
const graphSPObjectID = "5c7e2f31-9a4b-4d8c-8e1f-2a3b4c5d6e7f"

func graphServicePrincipal() map[string]any {
	var scopes, roles []any
	for _, s := range graphScopes {
		typ := "User"
		if s.admin {
			typ = "Admin"
		}
		scopes = append(scopes, map[string]any{
			"adminConsentDescription": "Allows the app to use " + s.value + " on behalf of the signed-in user.",
			"adminConsentDisplayName": s.value,
			"id":                      s.id,
			"isEnabled":               true,
			"type":                    typ,
			"userConsentDescription":  "Allows the app to use " + s.value + " on your behalf.",
			"userConsentDisplayName":  s.value,
			"value":                   s.value,
		})
	}
	for _, r := range graphRoles {
		roles = append(roles, map[string]any{
			"allowedMemberTypes": []any{"Application"},
			"description":        "Allows the app to use " + r.value + " without a signed-in user.",
			"displayName":        r.value,
			"id":                 r.id,
			"isEnabled":          true,
			"origin":             "Application",
			"value":              r.value,
		})
	}
	sort.Slice(scopes, func(i, j int) bool {
		return scopes[i].(map[string]any)["value"].(string) < scopes[j].(map[string]any)["value"].(string)
	})
	return map[string]any{
		"id":                        graphSPObjectID,
		"deletedDateTime":           nil,
		"accountEnabled":            true,
		"appDisplayName":            "Microsoft Graph",
		"appId":                     GraphAppID,
		"appOwnerOrganizationId":    "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
		"appRoleAssignmentRequired": false,
		"appRoles":                  roles,
		"displayName":               "Microsoft Graph",
		"oauth2PermissionScopes":    scopes,
		"servicePrincipalNames":     []any{GraphAppID, "https://graph.microsoft.com", "https://graph.microsoft.com/"},
		"servicePrincipalType":      "Application",
		"signInAudience":            "AzureADMultipleOrgs",
		"tags":                      []any{},
		"replyUrls":                 []any{},
		"keyCredentials":            []any{},
		"passwordCredentials":       []any{},
	}
}

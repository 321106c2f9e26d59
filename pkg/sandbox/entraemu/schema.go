package entraemu

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// schema holds the Graph v1.0 types the emulator accepts in request bodies, property name ->
// CSDL type, as in Microsoft Graph's $metadata. A property that is not listed is rejected
// with Graph's 400, the way the real service rejects a misspelt field. A complex type that is
// referenced but not listed is accepted as an opaque object. A contract test compares every
// entry with the published CSDL.
var schema = map[string]map[string]string{
	"application": {
		"id": "Edm.String", "deletedDateTime": "Edm.DateTimeOffset",
		"api": "graph.apiApplication", "appId": "Edm.String", "applicationTemplateId": "Edm.String",
		"appRoles": "Collection(graph.appRole)", "certification": "graph.certification",
		"createdDateTime": "Edm.DateTimeOffset", "defaultRedirectUri": "Edm.String", "description": "Edm.String",
		"disabledByMicrosoftStatus": "Edm.String", "displayName": "Edm.String", "groupMembershipClaims": "Edm.String",
		"identifierUris": "Collection(Edm.String)", "info": "graph.informationalUrl",
		"isDeviceOnlyAuthSupported": "Edm.Boolean", "isFallbackPublicClient": "Edm.Boolean",
		"keyCredentials": "Collection(graph.keyCredential)", "notes": "Edm.String",
		"optionalClaims": "graph.optionalClaims", "parentalControlSettings": "graph.parentalControlSettings",
		"passwordCredentials": "Collection(graph.passwordCredential)", "publicClient": "graph.publicClientApplication",
		"publisherDomain": "Edm.String", "requiredResourceAccess": "Collection(graph.requiredResourceAccess)",
		"serviceManagementReference": "Edm.String", "signInAudience": "Edm.String", "spa": "graph.spaApplication",
		"tags": "Collection(Edm.String)", "tokenEncryptionKeyId": "Edm.Guid", "uniqueName": "Edm.String",
		"verifiedPublisher": "graph.verifiedPublisher", "web": "graph.webApplication",
	},
	"servicePrincipal": {
		"id": "Edm.String", "deletedDateTime": "Edm.DateTimeOffset",
		"accountEnabled": "Edm.Boolean", "alternativeNames": "Collection(Edm.String)", "appDescription": "Edm.String",
		"appDisplayName": "Edm.String", "appId": "Edm.String", "applicationTemplateId": "Edm.String",
		"appOwnerOrganizationId": "Edm.Guid", "appRoleAssignmentRequired": "Edm.Boolean",
		"appRoles": "Collection(graph.appRole)", "description": "Edm.String", "disabledByMicrosoftStatus": "Edm.String",
		"displayName": "Edm.String", "homepage": "Edm.String", "info": "graph.informationalUrl",
		"keyCredentials": "Collection(graph.keyCredential)", "loginUrl": "Edm.String", "logoutUrl": "Edm.String",
		"notes": "Edm.String", "notificationEmailAddresses": "Collection(Edm.String)",
		"oauth2PermissionScopes": "Collection(graph.permissionScope)",
		"passwordCredentials":    "Collection(graph.passwordCredential)", "preferredSingleSignOnMode": "Edm.String",
		"replyUrls": "Collection(Edm.String)", "servicePrincipalNames": "Collection(Edm.String)",
		"servicePrincipalType": "Edm.String", "signInAudience": "Edm.String", "tags": "Collection(Edm.String)",
		"tokenEncryptionKeyId": "Edm.Guid", "verifiedPublisher": "graph.verifiedPublisher",
	},
	"oAuth2PermissionGrant": {
		"id": "Edm.String", "clientId": "Edm.String", "consentType": "Edm.String", "principalId": "Edm.String",
		"resourceId": "Edm.String", "scope": "Edm.String",
	},
	"webApplication": {
		"homePageUrl": "Edm.String", "implicitGrantSettings": "graph.implicitGrantSettings", "logoutUrl": "Edm.String",
		"redirectUris": "Collection(Edm.String)", "redirectUriSettings": "Collection(graph.redirectUriSettings)",
	},
	"implicitGrantSettings": {"enableAccessTokenIssuance": "Edm.Boolean", "enableIdTokenIssuance": "Edm.Boolean"},
	"redirectUriSettings":   {"index": "Edm.Int32", "uri": "Edm.String"},
	"requiredResourceAccess": {
		"resourceAccess": "Collection(graph.resourceAccess)", "resourceAppId": "Edm.String",
	},
	"resourceAccess": {"id": "Edm.Guid", "type": "Edm.String"},
	"passwordCredential": {
		"customKeyIdentifier": "Edm.Binary", "displayName": "Edm.String", "endDateTime": "Edm.DateTimeOffset",
		"hint": "Edm.String", "keyId": "Edm.Guid", "secretText": "Edm.String", "startDateTime": "Edm.DateTimeOffset",
	},
	"publicClientApplication": {"redirectUris": "Collection(Edm.String)"},
	"spaApplication":          {"redirectUris": "Collection(Edm.String)"},
	"informationalUrl": {
		"logoUrl": "Edm.String", "marketingUrl": "Edm.String", "privacyStatementUrl": "Edm.String",
		"supportUrl": "Edm.String", "termsOfServiceUrl": "Edm.String",
	},
	"permissionScope": {
		"adminConsentDescription": "Edm.String", "adminConsentDisplayName": "Edm.String", "id": "Edm.Guid",
		"isEnabled": "Edm.Boolean", "origin": "Edm.String", "type": "Edm.String",
		"userConsentDescription": "Edm.String", "userConsentDisplayName": "Edm.String", "value": "Edm.String",
	},
	"appRole": {
		"allowedMemberTypes": "Collection(Edm.String)", "description": "Edm.String", "displayName": "Edm.String",
		"id": "Edm.Guid", "isEnabled": "Edm.Boolean", "origin": "Edm.String", "value": "Edm.String",
	},
	// addPassword / removePassword action parameters (not entity types; not in the CSDL subset).
	"addPasswordParameters":    {"passwordCredential": "graph.passwordCredential"},
	"removePasswordParameters": {"keyId": "Edm.Guid"},
}

// readOnly are properties a client may not set (Graph answers 400).
var readOnly = map[string]map[string]bool{
	"application":           {"appId": true, "createdDateTime": true, "publisherDomain": true, "deletedDateTime": true},
	"servicePrincipal":      {"deletedDateTime": true, "appOwnerOrganizationId": true},
	"oAuth2PermissionGrant": {},
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validate checks body against the named type; the error text is Graph's.
func validate(typeName string, body map[string]any) error {
	props, ok := schema[typeName]
	if !ok {
		return nil
	}
	for k, v := range body {
		if strings.HasPrefix(k, "@") || strings.Contains(k, "@odata.") {
			continue // instance annotations such as @odata.type
		}
		t, ok := props[k]
		if !ok {
			return fmt.Errorf("Property '%s' does not exist as a declared property or extension property.", k)
		}
		if err := validateValue(typeName, k, t, v); err != nil {
			return err
		}
	}
	return nil
}

func validateValue(owner, prop, t string, v any) error {
	if v == nil {
		return nil
	}
	bad := fmt.Errorf("Invalid value specified for property '%s' of resource '%s'.", prop, owner)
	if inner, ok := strings.CutPrefix(t, "Collection("); ok {
		arr, ok := v.([]any)
		if !ok {
			return bad
		}
		inner = strings.TrimSuffix(inner, ")")
		for _, e := range arr {
			if err := validateValue(owner, prop, inner, e); err != nil {
				return err
			}
		}
		return nil
	}
	switch t {
	case "Edm.String", "Edm.Binary":
		if _, ok := v.(string); !ok {
			return bad
		}
	case "Edm.Boolean":
		if _, ok := v.(bool); !ok {
			return bad
		}
	case "Edm.Int32":
		if _, ok := v.(float64); !ok {
			return bad
		}
	case "Edm.Guid":
		s, ok := v.(string)
		if !ok || !guidRE.MatchString(s) {
			return bad
		}
	case "Edm.DateTimeOffset":
		s, ok := v.(string)
		if !ok {
			return bad
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return bad
		}
	default:
		m, ok := v.(map[string]any)
		if !ok {
			return bad
		}
		return validate(strings.TrimPrefix(t, "graph."), m)
	}
	return nil
}

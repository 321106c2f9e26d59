package entraemu

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// objectSets are the Graph entity sets the emulator serves: the permissions a read or a write
// needs, and the handler, which runs with t.mu held.
var objectSets = map[string]struct {
	read, write []string
	serve       func(g *Graph, q *request, now time.Time)
}{
	"applications":           {permReadApps, permWriteApps, (*Graph).applications},
	"servicePrincipals":      {permReadApps, permWriteApps, (*Graph).servicePrincipals},
	"oauth2PermissionGrants": {permReadGrants, permWriteGrants, (*Graph).grants},
}

func (g *Graph) applications(q *request, now time.Time) {
	t := g.t
	method := q.r.Method
	if q.keyName == "" {
		g.collection(q, t.apps, "application", func(body map[string]any) {
			if pcs, _ := body["passwordCredentials"].([]any); len(pcs) > 0 {
				q.fail(http.StatusBadRequest, "Request_BadRequest", "Property 'passwordCredentials' cannot be set when creating an application; use addPassword.")
				return
			}
			if s, _ := body["uniqueName"].(string); s != "" && t.apps.find("uniqueName", s) != nil {
				q.fail(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property uniqueName already exists.")
				return
			}
			obj, ok := g.createApp(q, body, "")
			if ok {
				g.respond(q, http.StatusCreated, "applications", obj)
			}
		})
		return
	}
	e := t.apps.find(q.keyName, q.keyVal)
	if q.action != "" {
		if method != http.MethodPost {
			q.notAllowed(" for the action")
			return
		}
		if !q.found(e, now) {
			return
		}
		switch q.action {
		case "addPassword":
			g.addPassword(q, e)
		case "removePassword":
			g.removePassword(q, e)
		default:
			q.fail(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", q.action))
		}
		return
	}
	g.entity(q, e, now, "applications", "application", func(body map[string]any) bool {
		if _, ok := body["passwordCredentials"]; ok {
			q.fail(http.StatusBadRequest, "Request_BadRequest", "Property 'passwordCredentials' cannot be updated with PATCH; use addPassword and removePassword.")
			return false
		}
		create, ok := q.patchTarget(e, now, "uniqueName")
		if !ok {
			return false
		}
		if create {
			if u, ok := body["uniqueName"].(string); ok && u != q.keyVal {
				q.fail(http.StatusBadRequest, "Request_BadRequest", "The uniqueName in the body does not match the key of the request.")
				return false
			}
			obj, ok := g.createApp(q, body, q.keyVal)
			if ok {
				g.respond(q, http.StatusCreated, "applications", obj)
			}
			return false
		}
		if u, ok := body["uniqueName"].(string); ok {
			if cur, _ := e.obj["uniqueName"].(string); cur != "" && u != cur {
				q.fail(http.StatusBadRequest, "Request_BadRequest", "Property 'uniqueName' is immutable once set.")
				return false
			}
		}
		return true
	}, func(e *entry) {
		id := e.obj["id"].(string)
		t.apps.remove(id)
		if sp := t.sps.find("appId", e.obj["appId"].(string)); sp != nil {
			g.deleteSP(sp)
		}
	})
}

func prefers(r *http.Request, token string) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), token) {
				return true
			}
		}
	}
	return false
}

// createApp stores a new application. Caller holds t.mu.
func (g *Graph) createApp(q *request, body map[string]any, uniqueName string) (map[string]any, bool) {
	t := g.t
	if s, _ := body["displayName"].(string); strings.TrimSpace(s) == "" {
		q.fail(http.StatusBadRequest, "Request_BadRequest", "Property 'displayName' is required: a value is needed to create an application.")
		return nil, false
	}
	now := t.now()
	obj := map[string]any{
		"id": newGUID(), "deletedDateTime": nil, "appId": newGUID(), "applicationTemplateId": nil,
		"createdDateTime": nowString(now), "description": nil, "displayName": nil, "uniqueName": nil,
		"groupMembershipClaims": nil, "identifierUris": []any{}, "isDeviceOnlyAuthSupported": nil,
		"isFallbackPublicClient": nil, "notes": nil, "publisherDomain": "flowsctl-sandbox.onmicrosoft.com",
		"serviceManagementReference": nil, "signInAudience": "AzureADMyOrg", "tags": []any{}, "tokenEncryptionKeyId": nil,
		"api": map[string]any{"acceptMappedClaims": nil, "knownClientApplications": []any{}, "requestedAccessTokenVersion": nil,
			"oauth2PermissionScopes": []any{}, "preAuthorizedApplications": []any{}},
		"appRoles": []any{},
		"info": map[string]any{"logoUrl": nil, "marketingUrl": nil, "privacyStatementUrl": nil, "supportUrl": nil,
			"termsOfServiceUrl": nil},
		"keyCredentials": []any{}, "passwordCredentials": []any{}, "requiredResourceAccess": []any{},
		"publicClient": map[string]any{"redirectUris": []any{}},
		"spa":          map[string]any{"redirectUris": []any{}},
		"web": map[string]any{"homePageUrl": nil, "logoutUrl": nil, "redirectUris": []any{},
			"implicitGrantSettings": map[string]any{"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false},
			"redirectUriSettings":   []any{}},
	}
	merge(obj, body)
	if uniqueName != "" {
		obj["uniqueName"] = uniqueName
	}
	t.apps.put(obj["id"].(string), obj, now.Add(t.delay))
	return obj, true
}

func (g *Graph) addPassword(q *request, e *entry) {
	body, ok := q.typedBody("addPasswordParameters")
	if !ok {
		return
	}
	pc, _ := body["passwordCredential"].(map[string]any)
	if pc == nil {
		pc = map[string]any{}
	}
	for _, k := range []string{"secretText", "hint", "keyId"} {
		if _, ok := pc[k]; ok {
			q.fail(http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Property '%s' is generated by the service and cannot be set.", k))
			return
		}
	}
	now := g.t.now().UTC().Truncate(time.Second)
	start := now
	if s, ok := pc["startDateTime"].(string); ok {
		start, _ = time.Parse(time.RFC3339Nano, s)
	}
	end := start.AddDate(2, 0, 0)
	if s, ok := pc["endDateTime"].(string); ok {
		end, _ = time.Parse(time.RFC3339Nano, s)
	}
	if !end.After(start) {
		q.fail(http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'endDateTime' of resource 'passwordCredential': it must be after startDateTime.")
		return
	}
	secret := randomString(3) + "8Q~" + randomString(34)
	stored := map[string]any{
		"customKeyIdentifier": nil, "displayName": pc["displayName"], "endDateTime": end.UTC().Format(time.RFC3339Nano),
		"hint": secret[:3], "keyId": newGUID(), "secretText": nil, "startDateTime": start.UTC().Format(time.RFC3339Nano),
	}
	pcs, _ := e.obj["passwordCredentials"].([]any)
	e.obj["passwordCredentials"] = append(pcs, stored)
	out := deepCopy(stored).(map[string]any)
	out["secretText"] = secret
	out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.passwordCredential"
	writeJSON(q.w, http.StatusOK, out)
}

func (g *Graph) removePassword(q *request, e *entry) {
	body, ok := q.typedBody("removePasswordParameters")
	if !ok {
		return
	}
	keyID, _ := body["keyId"].(string)
	pcs, _ := e.obj["passwordCredentials"].([]any)
	for i, pc := range pcs {
		if m, _ := pc.(map[string]any); m != nil && strings.EqualFold(fmt.Sprint(m["keyId"]), keyID) {
			e.obj["passwordCredentials"] = append(append([]any{}, pcs[:i]...), pcs[i+1:]...)
			q.w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	q.fail(http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("No password credential found with keyId '%s'.", keyID))
}

func (g *Graph) servicePrincipals(q *request, now time.Time) {
	t := g.t
	if q.action != "" {
		q.fail(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", q.action))
		return
	}
	if q.keyName == "" {
		g.collection(q, t.sps, "servicePrincipal", func(body map[string]any) {
			appID, _ := body["appId"].(string)
			if appID == "" {
				q.fail(http.StatusBadRequest, "Request_BadRequest", "Property 'appId' is required to create a service principal.")
				return
			}
			if t.sps.find("appId", appID) != nil {
				q.fail(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property servicePrincipalNames already exists.")
				return
			}
			if obj, ok := g.createSP(q, appID, body, now); ok {
				g.respond(q, http.StatusCreated, "servicePrincipals", obj)
			}
		})
		return
	}
	if q.keyName != "id" && q.keyName != "appId" {
		q.fail(http.StatusBadRequest, "BadRequest", "Unsupported key property '"+q.keyName+"' for servicePrincipals (use id or appId).")
		return
	}
	e := t.sps.find(q.keyName, q.keyVal)
	g.entity(q, e, now, "servicePrincipals", "servicePrincipal", func(body map[string]any) bool {
		create, ok := q.patchTarget(e, now, "appId")
		if !ok {
			return false
		}
		if create {
			if obj, ok := g.createSP(q, q.keyVal, body, now); ok {
				g.respond(q, http.StatusCreated, "servicePrincipals", obj)
			}
			return false
		}
		if a, ok := body["appId"].(string); ok && a != e.obj["appId"] {
			q.fail(http.StatusBadRequest, "Request_BadRequest", "Property 'appId' is read-only and cannot be set.")
			return false
		}
		return true
	}, func(e *entry) {
		g.deleteSP(e)
	})
}

// createSP makes the service principal of an application, which must have replicated. Caller holds t.mu.
func (g *Graph) createSP(q *request, appID string, body map[string]any, now time.Time) (map[string]any, bool) {
	t := g.t
	app := t.apps.find("appId", appID)
	if app == nil || !app.visible(now) {
		q.fail(http.StatusBadRequest, "Request_BadRequest",
			fmt.Sprintf("The appId '%s' of the service principal does not reference a valid application object.", appID))
		return nil, false
	}
	web, _ := app.obj["web"].(map[string]any)
	reply, _ := web["redirectUris"].([]any)
	obj := map[string]any{
		"id": newGUID(), "deletedDateTime": nil, "accountEnabled": true, "alternativeNames": []any{},
		"appDescription": nil, "appDisplayName": app.obj["displayName"], "appId": appID, "applicationTemplateId": nil,
		"appOwnerOrganizationId": TenantID, "appRoleAssignmentRequired": false, "appRoles": []any{},
		"description": nil, "disabledByMicrosoftStatus": nil, "displayName": app.obj["displayName"], "homepage": nil,
		"loginUrl": nil, "logoutUrl": web["logoutUrl"], "notes": nil, "notificationEmailAddresses": []any{},
		"oauth2PermissionScopes": []any{}, "passwordCredentials": []any{}, "keyCredentials": []any{},
		"preferredSingleSignOnMode": nil, "replyUrls": deepCopy(reply), "servicePrincipalNames": []any{appID},
		"servicePrincipalType": "Application", "signInAudience": app.obj["signInAudience"], "tags": []any{},
		"tokenEncryptionKeyId": nil,
	}
	merge(obj, body)
	obj["appId"] = appID
	t.sps.put(obj["id"].(string), obj, now.Add(t.delay))
	return obj, true
}

// deleteSP removes a service principal and the grants it is the client of. Caller holds t.mu.
func (g *Graph) deleteSP(e *entry) {
	id := e.obj["id"].(string)
	g.t.sps.remove(id)
	for _, gid := range append([]string{}, g.t.grants.order...) {
		if c, _ := g.t.grants.items[gid].obj["clientId"].(string); c == id {
			g.t.grants.remove(gid)
		}
	}
}

func (g *Graph) grants(q *request, now time.Time) {
	t := g.t
	if q.action != "" || (q.keyName != "" && q.keyName != "id") {
		q.fail(http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+q.action+q.keyName+"'.")
		return
	}
	if q.keyName == "" {
		g.collection(q, t.grants, "oAuth2PermissionGrant", func(body map[string]any) {
			g.createGrant(q, body, now)
		})
		return
	}
	e := t.grants.items[q.keyVal]
	if e == nil {
		notFound(q, q.keyVal)
		return
	}
	g.entity(q, e, now, "oauth2PermissionGrants", "oAuth2PermissionGrant", func(body map[string]any) bool {
		for _, k := range []string{"clientId", "resourceId", "consentType", "principalId"} {
			if v, ok := body[k]; ok && v != e.obj[k] {
				q.fail(http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Property '%s' cannot be updated; delete the grant and create another.", k))
				return false
			}
		}
		return true
	}, func(e *entry) {
		t.grants.remove(q.keyVal)
	})
}

// createGrant stores a delegated permission grant. Both ends must be replicated service principals. Caller holds t.mu.
func (g *Graph) createGrant(q *request, body map[string]any, now time.Time) {
	t := g.t
	str := func(k string) string { s, _ := body[k].(string); return s }
	clientID, resourceID, consent, principal := str("clientId"), str("resourceId"), str("consentType"), str("principalId")
	for _, k := range []string{"clientId", "resourceId", "consentType"} {
		if str(k) == "" {
			q.fail(http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Property '%s' is required.", k))
			return
		}
	}
	switch {
	case consent != "AllPrincipals" && consent != "Principal":
		q.fail(http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'consentType' of resource 'OAuth2PermissionGrant'.")
		return
	case consent == "AllPrincipals" && principal != "":
		q.fail(http.StatusBadRequest, "Request_BadRequest", "Property 'principalId' must be null when consentType is AllPrincipals.")
		return
	case consent == "Principal" && principal == "":
		q.fail(http.StatusBadRequest, "Request_BadRequest", "Property 'principalId' is required when consentType is Principal.")
		return
	}
	for _, id := range []string{clientID, resourceID} {
		e := t.sps.find("id", id)
		if e == nil || !e.visible(now) {
			q.fail(http.StatusBadRequest, "Request_BadRequest",
				fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
			return
		}
	}
	for _, gid := range t.grants.order {
		o := t.grants.items[gid].obj
		p, _ := o["principalId"].(string)
		if o["clientId"] == clientID && o["resourceId"] == resourceID && o["consentType"] == consent && p == principal {
			q.fail(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "Permission entry already exists.")
			return
		}
	}
	obj := map[string]any{
		"id": randomString(43), "clientId": clientID, "consentType": consent, "principalId": nil,
		"resourceId": resourceID, "scope": str("scope"),
	}
	if principal != "" {
		obj["principalId"] = principal
	}
	t.grants.put(obj["id"].(string), obj, now)
	g.respond(q, http.StatusCreated, "oauth2PermissionGrants", obj)
}

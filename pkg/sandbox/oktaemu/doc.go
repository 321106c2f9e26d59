// Package oktaemu emulates an Okta org (service "okta") for the flowsctl sandbox: the org
// authorization server (/oauth2/v1/token with private_key_jwt client assertions, /oauth2/v1/keys,
// /.well-known/openid-configuration) and the management API flowsctl uses to add the SCIM and
// OIDC apps, set up their provisioning, assign groups and push groups: apps, provisioning
// connection and features, app group assignments and app users, group push mappings, profile
// mappings and the app user schema, groups and users. Errors, rate-limit headers and Link
// paging are Okta's.
//
// Provisioning is real: once an app's connection is active and USER_PROVISIONING create is
// enabled, the users of its assigned groups are created in the target over HTTPS (the sandbox
// CA) with the connection's bearer token — SCIM 2.0 for scim2testapp (Identity Services), the
// Access SCIM 1.1 dialect for vmwareworkspaceone, whose domain comes from the profile
// mapping — and ACTIVE group push mappings create the group with the provisioned members.
// Every pass is synchronous, inside the request that triggers it, and sends only what the
// target does not have yet.
//
// Known deviations from real Okta, chosen for the sandbox:
//   - The org is seeded: five users, the groups Everyone (BUILT_IN), "WS1 Users" and "WS1 Push",
//     one API service app (ServiceClientID, key ServiceKeyID, the scopes in GrantedScopes) and
//     one API token. Users and groups are read-only.
//   - Only three catalog names can be added: scim2testapp, vmwareworkspaceone and oidc_client.
//     The provisioning connection (TOKEN scheme) is accepted for both SCIM apps, which real
//     Okta documents for a few apps only; RefuseConnections restores Okta's refusal.
//   - GET connections/default follows the contract: top-level authScheme only for TOKEN, and
//     profile.authScheme ("UNKNOWN" before a connection is set); the token is never returned.
//   - USER_PROVISIONING is listed only while the connection is active (400 on the list, 404 on
//     the feature before that); Application.features is derived from it.
//   - Provisioning runs synchronously in the triggering request (assignment, connection
//     activation, feature update, mapping update, push mapping create or activate), not in
//     Okta's background queue; a failed create leaves the app user STAGED with syncState ERROR
//     and the target's message in an extra errorSummary field (Okta raises a task instead).
//   - The System Log (GET /api/v1/logs, scope okta.logs.read) holds only failed provisioning
//     tasks: application.provision.user.push (create) and .push_profile (update), outcome
//     FAILURE with the reason worded as on Okta's Tasks page ("Automatic provisioning of user X
//     to app Y failed: <the app's message>", cut at the contract's 255 characters), the user
//     and the app as targets, actor Okta System. That Okta carries this text in outcome.reason
//     is inferred, and the display messages are the sandbox's own. Queries are bounded (since,
//     until, filter, limit, sortOrder) and answered in one page; no polling, no q.
//     Unassigning a group drops its app users without deactivating them in the target.
//   - Profile mapping expressions are a string literal or user.<attribute> only; SCIM 2.0
//     updates are a full PUT, Access updates a partial PATCH of the changed attributes.
//   - List cursors (after) are the last id of the previous page, as Okta's are today; an
//     unknown cursor gives an empty page. q and search/filter support eq and sw joined by and.
//   - The access tokens are RS256 JWTs signed by the org key, also kept server side; DPoP is
//     never required. A client assertion's jti can be used once.
//   - One rate-limit bucket (DefaultRateLimit a minute) covers every endpoint; SetRateLimit
//     lowers it for tests.
package oktaemu

// Package uem is the Workspace ONE UEM REST client and the UEM objects flowsctl converges.
//
// The client (NewClient, New) runs on internal/httpx: OAuth client credentials against the
// regional token URL (TokenURLFor; uem.auth.oauth.tokenUrl overrides it) or Basic with the
// aw-tenant-code REST API key; `Accept: application/json;version=N` per endpoint; paging with
// page/pagesize and Total/TotalResults; a 204 on a search is an empty list; errors are
// *httpx.APIError (Service "uem") with the errorCode as Code and the activityId as RequestID;
// the OAuth token is an httpx.TokenSource over httpx.ClientCredentials; the x-ratelimit-* headers
// are honoured, so a spent quota waits for the reset (up to MaxQuotaWait) instead of sending
// into 429s. uem.caFile gives the client a dedicated httpx client trusting that CA.
//
// Objects (object.Object) the setup rows build (Plan is read-only, Apply is idempotent and
// reports only the writes it made, Verify returns doctor checks with fixes):
//
//	Boxer        step uem.boxer         the five AppMobileFlows* keys on the Boxer assignments
//	Integrations step uem.integrations  third-party dashboard preflight (writes nothing)
//	Reachability (VerifyReachable)      UEM reachable, console version >= 1904 / 1905
//
// Mobile flows connectors and tenant registration live in the mobileflows subpackage.
package uem

package azure

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// ErrNotRegistered is returned by Outputs, Show and Rotate when the app does not exist yet.
var ErrNotRegistered = errors.New("the Entra application is not registered yet (run: flowsctl azure register)")

const roleFix = "sign in as a user with the Entra role Cloud Application Administrator (or Application Administrator), " +
	"or give the signing-in app the Microsoft Graph application permissions Application.ReadWrite.All and " +
	"DelegatedPermissionGrant.ReadWrite.All with admin consent (Entra admin center > App registrations > <sign-in app> > API permissions)"

// authFailure is a refused sign-in or a missing right: an httpx.APIError marked Auth, so
// httpx.IsAuth classifies it and the CLI exits 4 (cmdutil.CodeOf).
func authFailure(resp *http.Response, msg, fix string) error {
	e := httpx.NewAPIError("entra", resp, nil)
	e.Message, e.FixMsg, e.Auth = msg, fix, true
	return e
}

// signInErr classifies an azidentity failure.
func (c *Client) signInErr(err error) error {
	var af *azidentity.AuthenticationFailedError
	var cu interface{ NonRetriable() }
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &af):
		return authFailure(af.RawResponse, fmt.Sprintf("sign-in to Entra ID failed (azure.signIn.method=%s, tenant %s): %s", c.method, c.tenant, firstLine(af.Error())),
			"check azure.tenantId, azure.signIn.clientId and the client secret or certificate, then retry")
	case errors.As(err, &cu):
		return authFailure(nil, fmt.Sprintf("sign-in to Entra ID is not possible with azure.signIn.method=%s: %s", c.method, firstLine(err.Error())),
			"choose another azure.signIn.method (devicecode works everywhere)")
	}
	return authFailure(nil, fmt.Sprintf("sign-in to Entra ID failed (azure.signIn.method=%s): %s", c.method, firstLine(err.Error())),
		"check azure.authority and the network path to it")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	// azidentity errors carry a long multi-line explanation with the raw response; keep the gist.
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "AADSTS") {
			if i := strings.Index(l, " Trace ID:"); i > 0 {
				l = l[:i]
			}
			return strings.Trim(l, `"`)
		}
	}
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// graphErr turns an SDK error into an *httpx.APIError (Service "graph", Graph's error code and
// message, the request id), naming op. Transport failures keep their error; sign-in failures
// are already classified.
func (c *Client) graphErr(op string, err error) error {
	if err == nil || httpx.IsAuth(err) {
		return err
	}
	e := &httpx.APIError{Service: "graph", Object: op}
	var oe *odataerrors.ODataError
	var api *abs.ApiError
	var h *abs.ResponseHeaders
	switch {
	case errors.As(err, &oe):
		e.Status, h = oe.ResponseStatusCode, oe.GetResponseHeaders()
		if m := oe.GetErrorEscaped(); m != nil {
			e.Code, e.Message = str(m.GetCode()), str(m.GetMessage())
			if in := m.GetInnerError(); in != nil {
				e.RequestID = str(in.GetRequestId())
			}
		}
	case errors.As(err, &api):
		e.Status, h = api.ResponseStatusCode, api.GetResponseHeaders()
	default:
		var ue *url.Error
		if errors.As(err, &ue) || httpx.TransientError(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: Graph %s (azure.graphUrl): %w", op, c.graphBase, err)
		}
		// The SDK could not parse the answer (HTML, truncated or foreign JSON). It is not
		// repeated: the same endpoint gives the same answer.
		e.Message = fmt.Sprintf("Graph %s (azure.graphUrl) answered with something that is not Graph JSON (%v)", c.graphBase, err)
		e.FixMsg = "check that azure.graphUrl is the Microsoft Graph endpoint, e.g. https://graph.microsoft.com, and that no proxy rewrites the answer"
		return e
	}
	for _, k := range []string{"request-id", "client-request-id"} {
		if h == nil || e.RequestID != "" {
			break
		}
		if v := h.Get(k); len(v) > 0 {
			e.RequestID = httpx.Excerpt(v[0], 80)
		}
	}
	switch e.Status {
	case http.StatusUnauthorized:
		e.FixMsg = "sign in again; check that azure.tenantId and azure.graphUrl belong to the same cloud"
	case http.StatusForbidden:
		if !isReplication(e, retryCreateSP) {
			e.FixMsg = roleFix
		}
	}
	return e
}

// retryKind says which of Entra's replication errors a call may meet.
type retryKind int

const (
	retryRead      retryKind = iota // none: the call reads what exists
	retryAppWrite                   // PATCH/addPassword on an app created moments ago: 404, 409
	retryCreateSP                   // SP for an app created moments ago: 400 "does not reference", 403 "local tenant"
	retryGrant                      // grant for an SP created moments ago: 404, 400 "does not exist"
	retryFreshRead                  // GET of an object this run created: 404
)

// Replication error texts Entra returns while a new object has not reached every replica
// (reference §2, as the Azure CLI and Terraform match them).
const (
	replNoApp    = " does not reference a valid application object"
	replLocal    = "service principal being created must in the local tenant"
	replNotExist = "does not exist or one of its queried reference-property objects are not present"
)

// isReplication reports one of the replication errors kind expects.
func isReplication(e *httpx.APIError, kind retryKind) bool {
	switch kind {
	case retryAppWrite:
		return e.Status == http.StatusNotFound || e.Status == http.StatusConflict
	case retryCreateSP:
		return (e.Status == http.StatusBadRequest && strings.Contains(e.Message, replNoApp)) ||
			(e.Status == http.StatusForbidden && strings.Contains(e.Message, replLocal))
	case retryGrant:
		return e.Status == http.StatusNotFound || (e.Status == http.StatusBadRequest && strings.Contains(e.Message, replNotExist))
	case retryFreshRead:
		return e.Status == http.StatusNotFound
	}
	return false
}

// call runs fn and waits out, for kind, Entra's replication errors (an object created moments
// ago is not yet on every replica) with capped backoff until budget (azure.replicationBudget)
// is spent. It is the only repeat in this package and it is semantic: transient statuses
// (429, 502/503/504, resets, a repeated 500 on idempotent calls) are retried by httpx's
// transport alone, so the maximum sends for one logical call is 1 + MaxRetries (6) per
// replication attempt. Anything else fails at once with Graph's code and message.
func (c *Client) call(ctx context.Context, budget time.Duration, op string, kind retryKind, fn func(ctx context.Context) error) error {
	deadline := c.now().Add(budget)
	for attempt := 0; ; attempt++ {
		err := c.graphErr(op, fn(ctx))
		var e *httpx.APIError
		if err == nil || !errors.As(err, &e) || !isReplication(e, kind) {
			return err
		}
		d := replicationBackoff(attempt)
		if c.now().Add(d).After(deadline) {
			return fmt.Errorf("%w (Entra replication did not finish within azure.replicationBudget=%s; re-run the same command: it looks up before it writes)", err, budget)
		}
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// replicationBackoff is 0.5s, 1s, 2s, 4s, 8s, then 10s, with jitter on the upper quarter.
func replicationBackoff(attempt int) time.Duration {
	d := 500 * time.Millisecond << min(attempt, 5)
	if d > 10*time.Second {
		d = 10 * time.Second
	}
	return d - d/4 + rand.N(d/4+1)
}

// lostAnswer reports a failure after which a write may or may not have been applied (a 5xx,
// 429 or a broken connection): httpx.CreateChecked looks up before it writes again.
func lostAnswer(err error) bool {
	if err == nil || httpx.IsAuth(err) || errors.Is(err, context.Canceled) {
		return false
	}
	if s := httpx.StatusOf(err); s != 0 {
		return httpx.TransientStatus(s)
	}
	return httpx.TransientError(err)
}

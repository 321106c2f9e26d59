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

// GraphError is a failed Graph call with the code and message Graph returned.
type GraphError struct {
	Op         string // what flowsctl was doing, e.g. `PATCH application "ws1-mobile-flows-teams"`
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
}

func (e *GraphError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Code != "" {
		return fmt.Sprintf("%s: Graph answered %d %s: %s", e.Op, e.Status, e.Code, msg)
	}
	return fmt.Sprintf("%s: Graph answered %d: %s", e.Op, e.Status, msg)
}

// AnswerError is an answer the Graph SDK could not decode (HTML, truncated or foreign JSON).
// It is not repeated: the same endpoint gives the same answer.
type AnswerError struct {
	Op   string
	Base string
	Err  error
}

func (e *AnswerError) Error() string {
	return fmt.Sprintf("%s: Graph %s (azure.graphUrl) answered with something that is not Graph JSON (%v): check that azure.graphUrl is the Microsoft Graph endpoint, e.g. https://graph.microsoft.com, and that no proxy rewrites the answer",
		e.Op, e.Base, e.Err)
}

func (e *AnswerError) Unwrap() error { return e.Err }

// AuthError is a failed sign-in, a rejected token or missing rights. The CLI exits 4 on it.
type AuthError struct {
	Err error
	Fix string
}

func (e *AuthError) Error() string {
	if e.Fix == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + "; " + e.Fix
}
func (e *AuthError) Unwrap() error { return e.Err }

// IsAuth reports whether err is a sign-in or permission failure.
func IsAuth(err error) bool {
	var ae *AuthError
	return errors.As(err, &ae)
}

// ErrNotRegistered is returned by Outputs and RotateSecret when the app does not exist yet.
var ErrNotRegistered = errors.New("the Entra application is not registered yet (run: flowsctl azure register)")

const roleFix = "sign in as a user with the Entra role Cloud Application Administrator (or Application Administrator), " +
	"or give the signing-in app the Microsoft Graph application permissions Application.ReadWrite.All and " +
	"DelegatedPermissionGrant.ReadWrite.All with admin consent (Entra admin center > App registrations > <sign-in app> > API permissions)"

func (c *Client) authError(err error) error {
	var af *azidentity.AuthenticationFailedError
	var cu interface{ NonRetriable() }
	switch {
	case errors.As(err, &af):
		return &AuthError{Err: fmt.Errorf("sign-in to Entra ID failed (azure.signIn.method=%s, tenant %s): %s", c.method, c.tenant, firstLine(af.Error())),
			Fix: "check azure.tenantId, azure.signIn.clientId and the client secret or certificate, then retry"}
	case errors.As(err, &cu):
		return &AuthError{Err: fmt.Errorf("sign-in to Entra ID is not possible with azure.signIn.method=%s: %s", c.method, firstLine(err.Error())),
			Fix: "choose another azure.signIn.method (devicecode works everywhere)"}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &AuthError{Err: fmt.Errorf("sign-in to Entra ID failed (azure.signIn.method=%s): %s", c.method, firstLine(err.Error())),
		Fix: "check azure.authority and the network path to it"}
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

// graphErr turns an SDK error into a GraphError (or AuthError), unwrapping ODataError.
func (c *Client) graphErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *AuthError
	if errors.As(err, &ae) {
		return err
	}
	ge := &GraphError{Op: op}
	var oe *odataerrors.ODataError
	var api *abs.ApiError
	switch {
	case errors.As(err, &oe):
		ge.Status = oe.ResponseStatusCode
		if m := oe.GetErrorEscaped(); m != nil {
			if p := m.GetCode(); p != nil {
				ge.Code = *p
			}
			if p := m.GetMessage(); p != nil {
				ge.Message = *p
			}
		}
		ge.RetryAfter = retryAfter(oe.GetResponseHeaders())
	case errors.As(err, &api):
		ge.Status = api.ResponseStatusCode
		ge.RetryAfter = retryAfter(api.GetResponseHeaders())
	default:
		var ue *url.Error
		if errors.As(err, &ue) || httpx.TransientError(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: Graph %s (azure.graphUrl): %w", op, c.graphBase, err)
		}
		// The SDK could not parse the answer: HTML, truncated JSON, the wrong shape.
		return &AnswerError{Op: op, Base: c.graphBase, Err: err}
	}
	switch ge.Status {
	case http.StatusUnauthorized:
		return &AuthError{Err: ge, Fix: "sign in again; check that azure.tenantId and azure.graphUrl belong to the same cloud"}
	case http.StatusForbidden:
		if !isReplication(ge, retryCreateSP) {
			return &AuthError{Err: ge, Fix: roleFix}
		}
	}
	return ge
}

func retryAfter(h *abs.ResponseHeaders) time.Duration {
	if h == nil {
		return 0
	}
	for _, k := range []string{"Retry-After", "retry-after"} {
		if v := h.Get(k); len(v) > 0 {
			return httpx.RetryAfter(v[0])
		}
	}
	return 0
}

// retryKind says which of Entra's replication errors a call may meet.
type retryKind int

const (
	retryRead      retryKind = iota // only throttling
	retryAppWrite                   // PATCH/addPassword on an app created moments ago: 404, 409
	retryCreateSP                   // SP for an app created moments ago: 400 "does not reference", 403 "local tenant"
	retryGrant                      // grant for an SP created moments ago: 404, 400 "does not exist"
	retryFreshRead                  // GET of an object this run created: 404

	// idempotent marks a call (GET, PATCH) that may simply be sent again after a 5xx or a
	// broken connection; flowsctl checks before it repeats a POST instead.
	idempotent retryKind = 1 << 8
)

// maxTransient bounds the repeats of an idempotent call after 5xx or connection failures
// (on top of the HTTP stack's own retries of 502/503/504 and resets).
const maxTransient = 3

// transient reports a failure after which the request may or may not have been applied.
func transient(err error) bool {
	// A per-attempt timeout ("timeout awaiting response headers") also matches
	// context.DeadlineExceeded; the caller's own deadline ends the wait before any repeat.
	if err == nil || IsAuth(err) || errors.Is(err, context.Canceled) {
		return false
	}
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge.Status >= 500
	}
	// A reset, EOF or timeout lost the answer; a refused connection, a certificate the CA
	// bundle does not trust or a refused redirect gives the same result when repeated.
	return httpx.TransientError(err)
}

// Replication error texts Entra returns while a new object has not reached every replica
// (reference §2, as the Azure CLI and Terraform match them).
const (
	replNoApp    = " does not reference a valid application object"
	replLocal    = "service principal being created must in the local tenant"
	replNotExist = "does not exist or one of its queried reference-property objects are not present"
)

func isReplication(ge *GraphError, kind retryKind) bool {
	switch kind {
	case retryAppWrite:
		return ge.Status == http.StatusNotFound || ge.Status == http.StatusConflict
	case retryCreateSP:
		return (ge.Status == http.StatusBadRequest && strings.Contains(ge.Message, replNoApp)) ||
			(ge.Status == http.StatusForbidden && strings.Contains(ge.Message, replLocal))
	case retryGrant:
		return ge.Status == http.StatusNotFound || (ge.Status == http.StatusBadRequest && strings.Contains(ge.Message, replNotExist))
	case retryFreshRead:
		return ge.Status == http.StatusNotFound
	}
	return false
}

// call runs fn, retrying Graph throttling (429, honouring Retry-After) and, for kind, the known
// replication errors, with capped exponential backoff until the replication budget is spent.
// Anything else fails at once with Graph's code and message.
func (c *Client) call(ctx context.Context, budget time.Duration, op string, kind retryKind, fn func(ctx context.Context) error) error {
	deadline := c.now().Add(budget)
	base := kind &^ idempotent
	transients := 0
	for attempt := 0; ; attempt++ {
		err := c.graphErr(op, fn(ctx))
		if err == nil {
			return nil
		}
		if kind&idempotent != 0 && transient(err) && transients < maxTransient {
			transients++
			if serr := c.sleep(ctx, replicationBackoff(transients)); serr != nil {
				return fmt.Errorf("%w (stopped waiting to repeat it: %v)", err, serr)
			}
			continue
		}
		var ge *GraphError
		if !errors.As(err, &ge) || IsAuth(err) {
			return err
		}
		throttled := ge.Status == http.StatusTooManyRequests
		if !throttled && !isReplication(ge, base) {
			return err
		}
		d := replicationBackoff(attempt)
		if throttled {
			d = max(ge.RetryAfter, time.Second)
		} else if ge.RetryAfter > d {
			d = ge.RetryAfter
		}
		if c.now().Add(d).After(deadline) {
			if throttled {
				return fmt.Errorf("%w (still throttled after %s; retry later)", err, budget)
			}
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

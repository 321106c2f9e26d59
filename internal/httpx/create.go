package httpx

import (
	"context"
	"time"
)

// MaxCreateAttempts bounds CreateChecked's creates.
const MaxCreateAttempts = 3

// DefaultCreateBackoff is the wait before CreateChecked's first look-up after a failed
// create when the client's Options.CreateBackoff is zero; it doubles for each attempt.
const DefaultCreateBackoff = 500 * time.Millisecond

// CreateChecked runs create for an API whose creates are not idempotent. When create fails
// and transient says the failure may be passing (a lost or refused answer: the object may or
// may not exist now), it waits, looks the object up with find, and adopts it when it is
// there; otherwise it creates again, at most MaxCreateAttempts times in all. A create is
// never repeated blindly, so a lost answer does not make a duplicate. adopted reports that
// the object was found by the look-up rather than returned by a create. The waits come from
// c (Options.CreateBackoff, and the client's sleep, which tests replace); c may be nil.
func CreateChecked[T any](ctx context.Context, c *Client, transient func(error) bool, find func() (*T, error), create func() (*T, error)) (v *T, adopted bool, err error) {
	var lastErr error
	for attempt := 0; attempt < MaxCreateAttempts; attempt++ {
		if attempt > 0 {
			if serr := c.wait(ctx, c.createBackoff()<<(attempt-1)); serr != nil {
				return nil, false, lastErr
			}
			found, ferr := find()
			if ferr != nil {
				return nil, false, &lookupError{create: lastErr, lookup: ferr}
			}
			if found != nil {
				return found, true, nil
			}
		}
		v, err := create()
		if err == nil {
			return v, false, nil
		}
		if !transient(err) || ctx.Err() != nil {
			return nil, false, err
		}
		lastErr = err
	}
	return nil, false, lastErr
}

// lookupError is a failed create whose follow-up look-up failed too.
type lookupError struct{ create, lookup error }

func (e *lookupError) Error() string {
	return e.create.Error() + " (and looking it up afterwards failed: " + e.lookup.Error() + ")"
}

func (e *lookupError) Unwrap() []error { return []error{e.create, e.lookup} }

func (c *Client) createBackoff() time.Duration {
	if c == nil || c.opts.CreateBackoff <= 0 {
		return DefaultCreateBackoff
	}
	return c.opts.CreateBackoff
}

// wait sleeps d or until ctx ends, through the client's sleep (replaceable in tests).
func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if c == nil || c.sleep == nil {
		return Sleep(ctx, d)
	}
	return c.sleep(ctx, d)
}

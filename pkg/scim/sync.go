package scim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// SyncOptions shape a reconcile.
type SyncOptions struct {
	// Concurrency bounds in-flight writes (default 8). It shrinks by half when the server
	// pushes back (429, retried requests) and grows back by one per window of clean answers.
	Concurrency int
	// DeactivateMissing deactivates users on the server that the source does not list.
	DeactivateMissing bool
	// DeleteMissing deletes users on the server that the source does not list.
	DeleteMissing bool
	// DryRun counts what would change and writes nothing.
	DryRun bool
	// Progress is called after each user (done so far); nil for none.
	Progress func(done int64)
	// MemberBatch is the number of member ids per group PATCH (default 500).
	MemberBatch int
	// Domain scopes every destructive or membership-replacing change: only users and groups
	// of this domain (the configured directory's; default the client's Domain) are deleted,
	// deactivated or have members removed. Empty on an RFC target: every user is in scope.
	Domain string
	// MaxDeleteShare refuses to delete or deactivate more than this share (0..1] of the
	// scoped users (default 0.10) unless Force is set.
	MaxDeleteShare float64
	// Force lifts the MaxDeleteShare guard.
	Force bool
}

// DefaultMaxDeleteShare is the deletion guard's default: 10 % of the scoped users.
const DefaultMaxDeleteShare = 0.10

// GuardError is the deletion guard refusing a sync.
type GuardError struct {
	Would, Scoped int
	Share         float64
}

func (e *GuardError) Error() string {
	return fmt.Sprintf("refusing to remove %d of %d users in flowsctl's scope (%.1f %%, more than the %.0f %% allowed); check the source file, then rerun with --max-delete %.0f%% or --force",
		e.Would, e.Scoped, 100*float64(e.Would)/float64(max(e.Scoped, 1)), 100*e.Share, 100*float64(e.Would)/float64(max(e.Scoped, 1))+1)
}

// Guard returns a GuardError when would removals exceed share of scoped users.
func Guard(would, scoped int, share float64, force bool) error {
	if share <= 0 {
		share = DefaultMaxDeleteShare
	}
	if force || would == 0 || float64(would) <= share*float64(scoped) {
		return nil
	}
	return &GuardError{Would: would, Scoped: scoped, Share: share}
}

// InScope reports whether a server user may be deleted, deactivated or pruned by flowsctl:
// it belongs to domain (when one is set) and was provisioned by flowsctl or Okta (it carries
// an externalId). Hand-made users and other directories' users are never touched.
func InScope(domain string, u *User) bool {
	return u.ExternalID != "" && (domain == "" || strings.EqualFold(u.Domain, domain))
}

// SyncResult counts what a sync did (or would do, in a dry run).
type SyncResult struct {
	Users              int64 `json:"users"`
	Created            int64 `json:"created"`
	Adopted            int64 `json:"adopted"`
	Updated            int64 `json:"updated"`
	Deactivated        int64 `json:"deactivated"`
	Deleted            int64 `json:"deleted"`
	Unchanged          int64 `json:"unchanged"`
	Failed             int64 `json:"failed"`
	GroupsCreated      int64 `json:"groupsCreated"`
	MembershipsAdded   int64 `json:"membershipsAdded"`
	MembershipsRemoved int64 `json:"membershipsRemoved"`
	Requests           int64 `json:"requests"`
	Throttled          int64 `json:"throttled"`
	DurationMs         int64 `json:"durationMs"`
	DryRun             bool  `json:"dryRun,omitempty"`
	// DeletedUsers and DeactivatedUsers name the users removed for missing from the source
	// (or that would be, in a dry run); ChangedGroups the groups whose members change.
	DeletedUsers     []string `json:"deletedUsers,omitempty"`
	DeactivatedUsers []string `json:"deactivatedUsers,omitempty"`
	ChangedGroups    []string `json:"changedGroups,omitempty"`
	Errors           []string `json:"errors,omitempty"`
}

// existing is the compact form of a server user kept in memory during a sync.
type existing struct {
	id, version     string
	userName        string
	scoped          bool
	given, family   string
	email, ext      string
	display         string
	active, touched bool
}

func compact(u *User) *existing {
	return &existing{id: u.ID, version: u.Version, given: u.Name.GivenName, family: u.Name.FamilyName,
		email: u.PrimaryEmail(), ext: u.ExternalID, display: u.DisplayName, active: u.Active}
}

func (e *existing) user() User {
	u := User{ID: e.id, Version: e.version, Name: Name{GivenName: e.given, FamilyName: e.family}, ExternalID: e.ext,
		DisplayName: e.display, Active: e.active}
	if e.email != "" {
		u.Emails = []Email{{Value: e.email, Primary: true}}
	}
	return u
}

type syncGroup struct {
	id      string
	name    string
	owned   bool // flowsctl or Okta provisioned it (externalId): members may be removed
	current map[string]bool
	want    map[string]bool
}

// limiter is an AIMD concurrency window.
type limiter struct {
	mu     sync.Mutex
	cond   *sync.Cond
	limit  int
	max    int
	inUse  int
	streak int
}

func newLimiter(n int) *limiter {
	l := &limiter{limit: n, max: n}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *limiter) acquire() {
	l.mu.Lock()
	for l.inUse >= l.limit {
		l.cond.Wait()
	}
	l.inUse++
	l.mu.Unlock()
}

// release ends one request; pushedBack reports throttling or retries.
func (l *limiter) release(pushedBack bool) {
	l.mu.Lock()
	l.inUse--
	if pushedBack {
		l.limit = max(1, l.limit/2)
		l.streak = 0
	} else if l.limit < l.max {
		l.streak++
		if l.streak >= l.limit {
			l.limit++
			l.streak = 0
		}
	}
	l.cond.Broadcast()
	l.mu.Unlock()
}

// Sync reconciles the server with src: users are created, updated, deactivated (active=false
// rows) and optionally deactivated or deleted when missing; then every group the source
// names is created if needed and its members set to exactly the users that name it.
// Existing users and groups are read once, with paging; a second run with the same source
// makes no writes.
func (c *Client) Sync(ctx context.Context, src Source, o SyncOptions) (*SyncResult, error) {
	start := time.Now()
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.MemberBatch <= 0 {
		o.MemberBatch = 500
	}
	ctx, counter := httpx.WithCounter(ctx)
	res := &SyncResult{DryRun: o.DryRun}
	defer func() {
		res.Requests = counter.Load()
		res.DurationMs = time.Since(start).Milliseconds()
	}()

	if o.Domain == "" && c.o.Dialect == Access11 {
		o.Domain = c.o.Domain
	}
	// 1. Read what exists, once.
	users := map[string]*existing{}
	byID := map[string]*existing{}
	page := MaxPage(ctx, c)
	for u, err := range c.Users(ctx, ListOptions{PageSize: page}) {
		if err != nil {
			return res, fmt.Errorf("read the existing users: %w", err)
		}
		e := compact(&u)
		e.userName, e.scoped = u.UserName, InScope(o.Domain, &u)
		users[strings.ToLower(u.UserName)] = e
		byID[u.ID] = e
	}
	groups := map[string]*syncGroup{}
	// Names only: members are read per group the source names, later (a list with every
	// member of every group outgrows the response cap at scale).
	for g, err := range c.Groups(ctx, ListOptions{PageSize: page, ExcludedAttributes: []string{"members"}}) {
		if err != nil {
			return res, fmt.Errorf("read the existing groups: %w", err)
		}
		// Groups match on name and domain: another directory's group of the same name is not ours.
		if o.Domain != "" && !strings.EqualFold(g.Domain, o.Domain) {
			continue
		}
		groups[strings.ToLower(g.DisplayName)] = &syncGroup{id: g.ID, name: g.DisplayName, owned: g.ExternalID != ""}
	}

	// 2. Stream the source through a bounded, adaptive worker pool.
	lim := newLimiter(o.Concurrency)
	var (
		mu   sync.Mutex // guards groups' want sets, users (inserts), res.Errors
		wg   sync.WaitGroup
		done atomic.Int64
	)
	fail := func(format string, a ...any) {
		atomic.AddInt64(&res.Failed, 1)
		mu.Lock()
		if len(res.Errors) < 20 {
			res.Errors = append(res.Errors, fmt.Sprintf(format, a...))
		}
		mu.Unlock()
	}
	want := func(name, userID string) {
		mu.Lock()
		key := strings.ToLower(name)
		g := groups[key]
		if g == nil {
			g = &syncGroup{name: name, current: map[string]bool{}}
			groups[key] = g
		}
		if g.want == nil {
			g.want = map[string]bool{}
		}
		g.want[userID] = true
		mu.Unlock()
	}
	// call runs one write under the limiter. httpx's transport already retries a 429 (with
	// Retry-After); an answer that needed a retry, or that stayed 429, halves the window.
	call := func(f func(ctx context.Context) error) error {
		lim.acquire()
		cctx, cnt := httpx.WithCounter(ctx)
		err := f(cctx)
		pushedBack := cnt.Load() > 1 || httpx.StatusOf(err) == http.StatusTooManyRequests || retryExhausted(err)
		lim.release(pushedBack)
		if pushedBack {
			atomic.AddInt64(&res.Throttled, 1)
		}
		counter.Add(cnt.Load())
		return err
	}
	jobs := make(chan Record, o.Concurrency*2)
	workers := o.Concurrency
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rec := range jobs {
				c.syncOne(ctx, rec, users, byID, &mu, res, o, call, want, fail)
				n := done.Add(1)
				if o.Progress != nil {
					o.Progress(n)
				}
			}
		}()
	}
	var readErr error
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		if ctx.Err() != nil {
			readErr = ctx.Err()
			break
		}
		atomic.AddInt64(&res.Users, 1)
		jobs <- rec
	}
	close(jobs)
	wg.Wait()
	if readErr != nil {
		return res, readErr
	}

	// 3. Users on the server the source does not list.
	if o.DeactivateMissing || o.DeleteMissing {
		var missing []*existing
		scoped := 0
		for _, e := range users {
			if !e.scoped {
				continue
			}
			scoped++
			if !e.touched && (o.DeleteMissing || e.active) {
				missing = append(missing, e)
			}
		}
		sort.Slice(missing, func(i, j int) bool { return missing[i].userName < missing[j].userName })
		for _, e := range missing {
			if o.DeleteMissing {
				res.DeletedUsers = append(res.DeletedUsers, e.userName)
			} else {
				res.DeactivatedUsers = append(res.DeactivatedUsers, e.userName)
			}
		}
		if err := Guard(len(missing), scoped, o.MaxDeleteShare, o.Force || o.DryRun); err != nil {
			return res, err
		}
		sem := make(chan struct{}, o.Concurrency)
		var mwg sync.WaitGroup
		for _, e := range missing {
			if o.DeleteMissing {
				atomic.AddInt64(&res.Deleted, 1)
			} else {
				atomic.AddInt64(&res.Deactivated, 1)
			}
			if o.DryRun {
				continue
			}
			sem <- struct{}{}
			mwg.Add(1)
			go func(e *existing) {
				defer func() { <-sem; mwg.Done() }()
				var err error
				if o.DeleteMissing {
					err = call(func(ctx context.Context) error { return c.DeleteUser(ctx, e.id) })
				} else {
					err = call(func(ctx context.Context) error { return c.SetActive(ctx, e.id, false) })
				}
				if err != nil {
					fail("%v", err)
				}
			}(e)
		}
		mwg.Wait()
	}

	// 4. Groups the source names: create the missing ones, then set members exactly. Both
	// steps run on the same bounded pool as the users.
	names := make([]string, 0, len(groups))
	for k, g := range groups {
		if g.want != nil {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	pool := func(n int, f func(i int)) {
		sem := make(chan struct{}, o.Concurrency)
		var pwg sync.WaitGroup
		for i := 0; i < n; i++ {
			sem <- struct{}{}
			pwg.Add(1)
			go func(i int) {
				defer func() { <-sem; pwg.Done() }()
				f(i)
			}(i)
		}
		pwg.Wait()
	}
	pool(len(names), func(i int) {
		g := groups[names[i]]
		if g.id != "" {
			return
		}
		atomic.AddInt64(&res.GroupsCreated, 1)
		if o.DryRun {
			return
		}
		var ng *Group
		err := call(func(ctx context.Context) error {
			var err error
			ng, _, err = c.CreateGroup(ctx, Group{DisplayName: g.name, ExternalID: "flowsctl:" + strings.ToLower(g.name)})
			return err
		})
		if err != nil {
			fail("%v", err)
			return
		}
		mu.Lock()
		g.id, g.owned = ng.ID, true
		for _, m := range ng.Members {
			g.current[m.Value] = true
		}
		mu.Unlock()
	})
	// Members of the existing groups the source names, one group at a time.
	pool(len(names), func(i int) {
		g := groups[names[i]]
		if g.id == "" || g.current != nil {
			return
		}
		var cur *Group
		err := call(func(ctx context.Context) error {
			var err error
			cur, err = c.GetGroup(ctx, g.id)
			return err
		})
		mu.Lock()
		defer mu.Unlock()
		g.current = map[string]bool{}
		if err != nil {
			fail("read the members of group %q: %v", g.name, err)
			g.want = nil
			return
		}
		for _, m := range cur.Members {
			g.current[m.Value] = true
		}
	})
	type batch struct {
		g           *syncGroup
		add, remove []string
	}
	var batches []batch
	for _, k := range names {
		g := groups[k]
		var add, remove []string
		for id := range g.want {
			if !g.current[id] {
				add = append(add, id)
			}
		}
		// Only a group flowsctl or Okta provisioned has members removed; a hand-made group of
		// the same name in flowsctl's domain only gains the source's members.
		for id := range g.current {
			if !g.want[id] && g.owned {
				remove = append(remove, id)
			}
		}
		if len(add)+len(remove) > 0 {
			res.ChangedGroups = append(res.ChangedGroups, g.name)
		}
		res.MembershipsAdded += int64(len(add))
		res.MembershipsRemoved += int64(len(remove))
		if o.DryRun || g.id == "" {
			continue
		}
		sort.Strings(add)
		sort.Strings(remove)
		for len(add) > 0 {
			n := min(len(add), o.MemberBatch)
			batches = append(batches, batch{g: g, add: add[:n]})
			add = add[n:]
		}
		for len(remove) > 0 {
			n := min(len(remove), o.MemberBatch)
			batches = append(batches, batch{g: g, remove: remove[:n]})
			remove = remove[n:]
		}
	}
	pool(len(batches), func(i int) {
		bt := batches[i]
		if err := call(func(ctx context.Context) error { return c.UpdateMembers(ctx, bt.g.id, bt.add, bt.remove) }); err != nil {
			fail("group %q: %v", bt.g.name, err)
		}
	})
	if res.Failed > 0 {
		return res, fmt.Errorf("%d of the sync's changes failed (first: %s)", res.Failed, firstErr(res.Errors))
	}
	return res, nil
}

func firstErr(es []string) string {
	if len(es) == 0 {
		return "?"
	}
	return es[0]
}

func retryExhausted(err error) bool {
	var re *httpx.RetryError
	return errors.As(err, &re) && strings.Contains(re.LastStatus, "429")
}

// MaxPage is the page size for full reads: the server's filter.maxResults when known (up to
// 1000), else 100.
func MaxPage(ctx context.Context, c *Client) int {
	if c.o.Dialect == Access11 {
		return 500
	}
	if spc, err := c.ServiceProviderConfig(ctx); err == nil && spc.MaxResults > 0 {
		return min(spc.MaxResults, 1000)
	}
	return 100
}

func (c *Client) syncOne(ctx context.Context, rec Record, users, byID map[string]*existing, mu *sync.Mutex, res *SyncResult,
	o SyncOptions, call func(func(context.Context) error) error, want func(string, string), fail func(string, ...any)) {
	key := strings.ToLower(rec.User.UserName)
	mu.Lock()
	cur := users[key]
	if cur != nil {
		cur.touched = true
	}
	mu.Unlock()
	var id string
	if cur == nil {
		atomic.AddInt64(&res.Created, 1)
		if o.DryRun {
			id = "new:" + key
		} else {
			var u *User
			var adopted bool
			err := call(func(ctx context.Context) error {
				var err error
				u, adopted, err = c.CreateUser(ctx, rec.User)
				return err
			})
			if err != nil {
				atomic.AddInt64(&res.Created, -1)
				fail("line %d: %v", rec.Line, err)
				return
			}
			id = u.ID
			e := compact(u)
			e.touched = true
			mu.Lock()
			users[key] = e
			byID[u.ID] = e
			mu.Unlock()
			if adopted {
				atomic.AddInt64(&res.Created, -1)
				atomic.AddInt64(&res.Adopted, 1)
				c.update(ctx, rec, e, res, o, call, fail)
			} else if !rec.User.Active && u.Active {
				// Some servers ignore active on create.
				c.update(ctx, rec, e, res, o, call, fail)
			}
		}
	} else {
		id = cur.id
		c.update(ctx, rec, cur, res, o, call, fail)
	}
	for _, g := range rec.Groups {
		want(g, id)
	}
}

func (c *Client) update(ctx context.Context, rec Record, cur *existing, res *SyncResult, o SyncOptions,
	call func(func(context.Context) error) error, fail func(string, ...any)) {
	ch := UserChanges(cur.user(), rec.User)
	if ch == nil {
		atomic.AddInt64(&res.Unchanged, 1)
		return
	}
	if a, ok := ch["active"].(bool); ok && !a && len(ch) == 1 {
		atomic.AddInt64(&res.Deactivated, 1)
	} else {
		atomic.AddInt64(&res.Updated, 1)
	}
	if o.DryRun {
		return
	}
	if err := call(func(ctx context.Context) error { return c.PatchUser(ctx, cur.id, "", ch) }); err != nil {
		fail("line %d: %v", rec.Line, err)
	}
}

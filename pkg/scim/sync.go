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
	// DirectoryID scopes them further to one Identity Services directory (default the
	// client's DirectoryID, which the SCIM token names): a user or group reporting another
	// directory, or none, is never deleted, deactivated, adopted, updated or has members removed.
	DirectoryID string
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
// it belongs to flowsctl's directory (ours) and was provisioned by flowsctl or Okta (it
// carries an externalId). Hand-made users and other directories' users are never touched.
func InScope(domain, dirID string, u *User) bool {
	return u.ExternalID != "" && ours(domain, dirID, u.Domain, u.DirectoryID)
}

// ours reports whether a resource of domain d and directory id dir belongs to flowsctl's
// directory: its domain (when one is set) and its Identity Services directory id (when
// known; a resource that reports none is then not ours).
func ours(domain, dirID, d, dir string) bool {
	return (domain == "" || strings.EqualFold(d, domain)) && (dirID == "" || dir == dirID)
}

// foreign reports a resource that says it is another domain's or another directory's: it is
// never updated or adopted. One that reports no directory is not foreign (it may be updated
// and gain members) but is not ours either (nothing of it is removed).
func foreign(domain, dirID, d, dir string) bool {
	return (domain != "" && !strings.EqualFold(d, domain)) || (dirID != "" && dir != "" && dir != dirID)
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

type syncGroup struct {
	id    string
	name  string
	owned bool // flowsctl or Okta provisioned it (externalId): members may be removed
	// want and cur are members by user index; curOther the current members that are no user
	// of the index (another directory's, nested groups), by id. read: cur is known.
	want, cur bitset
	curOther  map[string]bool
	named     bool // the source names the group
	read      bool
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
	if o.DirectoryID == "" {
		o.DirectoryID = c.o.DirectoryID
	}
	// 1. Read what exists, once: group names (without members: a list with every member of
	// every group outgrows any response cap at scale), then the users in compact form. The
	// users' groups attribute gives the current members of the groups, when the server
	// returns it; otherwise members are read per group the source names, later.
	users := newRemoteUsers()
	page := MaxPage(ctx, c)
	groups := map[string]*syncGroup{}
	byGID := map[string]*syncGroup{}
	for g, err := range c.Groups(ctx, ListOptions{PageSize: page, ExcludedAttributes: []string{"members"}}) {
		if err != nil {
			return res, fmt.Errorf("read the existing groups: %w", err)
		}
		// Groups match on name and directory: another directory's group of the same name is not ours.
		if !ours(o.Domain, o.DirectoryID, g.Domain, g.DirectoryID) {
			continue
		}
		sg := &syncGroup{id: g.ID, name: g.DisplayName, owned: g.ExternalID != ""}
		groups[strings.ToLower(g.DisplayName)] = sg
		byGID[g.ID] = sg
	}
	memberships := false // some user carried a groups attribute
	for u, err := range c.Users(ctx, ListOptions{PageSize: page}) {
		if err != nil {
			return res, fmt.Errorf("read the existing users: %w", err)
		}
		var fl uint8
		if u.Active {
			fl |= fActive
		}
		if InScope(o.Domain, o.DirectoryID, &u) {
			fl |= fScoped
		}
		if foreign(o.Domain, o.DirectoryID, u.Domain, u.DirectoryID) {
			fl |= fForeign
		}
		i, err := users.add(u.ID, u.UserName, managed(&u), fl)
		if err != nil {
			return res, fmt.Errorf("read the existing users: %w", err)
		}
		if u.Groups != nil {
			memberships = true
		}
		for _, ref := range u.Groups {
			if g := byGID[ref.Value]; g != nil {
				g.cur.set(i)
			}
		}
	}
	if memberships {
		for _, g := range byGID {
			g.read = true
		}
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
	want := func(name string, user int32) {
		mu.Lock()
		key := strings.ToLower(name)
		g := groups[key]
		if g == nil {
			g = &syncGroup{name: name, read: true}
			groups[key] = g
		}
		g.named = true
		g.want.set(user)
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
				c.syncOne(ctx, rec, users, &mu, res, o, call, want, fail)
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
		var missing []int32
		scoped := 0
		for i := int32(0); int(i) < users.n; i++ {
			x := users.rec(i)
			if x.flags&fScoped == 0 {
				continue
			}
			scoped++
			if x.flags&fTouched == 0 && (o.DeleteMissing || x.flags&fActive != 0) {
				missing = append(missing, i)
			}
		}
		names := make([]string, len(missing))
		for k, i := range missing {
			names[k] = users.userName(i)
		}
		sort.Sort(byName{missing, names})
		if o.DeleteMissing {
			res.DeletedUsers = names
		} else {
			res.DeactivatedUsers = names
		}
		if err := Guard(len(missing), scoped, o.MaxDeleteShare, o.Force || o.DryRun); err != nil {
			return res, err
		}
		sem := make(chan struct{}, o.Concurrency)
		var mwg sync.WaitGroup
		for _, i := range missing {
			if o.DeleteMissing {
				atomic.AddInt64(&res.Deleted, 1)
			} else {
				atomic.AddInt64(&res.Deactivated, 1)
			}
			if o.DryRun {
				continue
			}
			id := users.id(i)
			sem <- struct{}{}
			mwg.Add(1)
			go func() {
				defer func() { <-sem; mwg.Done() }()
				var err error
				if o.DeleteMissing {
					err = call(func(ctx context.Context) error { return c.DeleteUser(ctx, id) })
				} else {
					err = call(func(ctx context.Context) error { return c.SetActive(ctx, id, false) })
				}
				if err != nil {
					fail("%v", err)
				}
			}()
		}
		mwg.Wait()
	}

	// 4. Groups the source names: create the missing ones, then set members exactly. Both
	// steps run on the same bounded pool as the users.
	names := make([]string, 0, len(groups))
	for k, g := range groups {
		if g.named {
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
	// member maps a member id of a group to its user index, or keeps it by id.
	member := func(g *syncGroup, id string) {
		if i, ok := users.lookupID(id); ok {
			g.cur.set(i)
			return
		}
		if g.curOther == nil {
			g.curOther = map[string]bool{}
		}
		g.curOther[id] = true
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
		var adopted bool
		err := call(func(ctx context.Context) error {
			var err error
			ng, adopted, err = c.CreateGroup(ctx, Group{DisplayName: g.name, ExternalID: "flowsctl:" + strings.ToLower(g.name)})
			return err
		})
		if err == nil && adopted && foreign(o.Domain, o.DirectoryID, ng.Domain, ng.DirectoryID) {
			err = fmt.Errorf("group %q exists in another directory; flowsctl leaves it alone: rename the group in the source file", g.name)
		}
		if err != nil {
			fail("%v", err)
			mu.Lock()
			g.named = false
			mu.Unlock()
			return
		}
		mu.Lock()
		// Members are removed only from a group flowsctl created, or one provisioned (externalId)
		// in flowsctl's directory.
		g.id, g.owned = ng.ID, !adopted || (ng.ExternalID != "" && ours(o.Domain, o.DirectoryID, ng.Domain, ng.DirectoryID))
		for _, m := range ng.Members {
			member(g, m.Value)
		}
		mu.Unlock()
	})
	// Members of the existing groups the source names that the users did not tell, one group
	// at a time.
	pool(len(names), func(i int) {
		g := groups[names[i]]
		if g.id == "" || g.read {
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
		g.read = true
		if err != nil {
			fail("read the members of group %q: %v", g.name, err)
			g.named = false
			return
		}
		for _, m := range cur.Members {
			member(g, m.Value)
		}
	})
	type batch struct {
		g           *syncGroup
		add, remove []int32
		other       []string // removals of members that are no user of the index
	}
	var batches []batch
	for _, k := range names {
		g := groups[k]
		if !g.named {
			continue
		}
		add := g.want.minus(g.cur)
		// Only a group flowsctl or Okta provisioned has members removed; a hand-made group of
		// the same name in flowsctl's domain only gains the source's members.
		var remove []int32
		var other []string
		if g.owned {
			remove = g.cur.minus(g.want)
			for id := range g.curOther {
				other = append(other, id)
			}
			sort.Strings(other)
		}
		if len(add)+len(remove)+len(other) > 0 {
			res.ChangedGroups = append(res.ChangedGroups, g.name)
		}
		res.MembershipsAdded += int64(len(add))
		res.MembershipsRemoved += int64(len(remove) + len(other))
		if o.DryRun || g.id == "" {
			continue
		}
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
		for len(other) > 0 {
			n := min(len(other), o.MemberBatch)
			batches = append(batches, batch{g: g, other: other[:n]})
			other = other[n:]
		}
	}
	ids := func(is []int32) []string {
		out := make([]string, len(is))
		for k, i := range is {
			out[k] = users.id(i)
		}
		return out
	}
	pool(len(batches), func(i int) {
		bt := batches[i]
		mu.Lock()
		add, remove := ids(bt.add), append(ids(bt.remove), bt.other...)
		mu.Unlock()
		if err := call(func(ctx context.Context) error { return c.UpdateMembers(ctx, bt.g.id, add, remove) }); err != nil {
			fail("group %q: %v", bt.g.name, err)
		}
	})
	if res.Failed > 0 {
		return res, fmt.Errorf("%d of the sync's changes failed (first: %s)", res.Failed, firstErr(res.Errors))
	}
	return res, nil
}

// byName sorts user indices by their userNames.
type byName struct {
	idx   []int32
	names []string
}

func (b byName) Len() int           { return len(b.idx) }
func (b byName) Less(i, j int) bool { return b.names[i] < b.names[j] }
func (b byName) Swap(i, j int) {
	b.idx[i], b.idx[j] = b.idx[j], b.idx[i]
	b.names[i], b.names[j] = b.names[j], b.names[i]
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

func (c *Client) syncOne(ctx context.Context, rec Record, users *remoteUsers, mu *sync.Mutex, res *SyncResult,
	o SyncOptions, call func(func(context.Context) error) error, want func(string, int32), fail func(string, ...any)) {
	mu.Lock()
	idx, found := users.lookup(rec.User.UserName)
	other := false
	if found {
		users.rec(idx).flags |= fTouched
		other = users.rec(idx).flags&fForeign != 0
	}
	mu.Unlock()
	if other {
		fail("line %d: userName %q belongs to a user of another directory; flowsctl leaves it alone: remove the row or the other user", rec.Line, rec.User.UserName)
		return
	}
	if !found {
		atomic.AddInt64(&res.Created, 1)
		var u *User
		var adopted bool
		if o.DryRun {
			u = &User{ID: "new:" + strings.ToLower(rec.User.UserName), UserName: rec.User.UserName}
		} else {
			err := call(func(ctx context.Context) error {
				var err error
				u, adopted, err = c.CreateUser(ctx, rec.User)
				return err
			})
			if err == nil && adopted && foreign(o.Domain, o.DirectoryID, u.Domain, u.DirectoryID) {
				err = fmt.Errorf("userName %q belongs to a user of another directory; flowsctl leaves it alone: remove the row or the other user", rec.User.UserName)
			}
			if err != nil {
				atomic.AddInt64(&res.Created, -1)
				fail("line %d: %v", rec.Line, err)
				return
			}
		}
		fl := fTouched
		if u.Active {
			fl |= fActive
		}
		mu.Lock()
		i, err := users.add(u.ID, u.UserName, managed(u), fl)
		mu.Unlock()
		if err != nil {
			fail("line %d: %v", rec.Line, err)
			return
		}
		idx = i
		if adopted {
			atomic.AddInt64(&res.Created, -1)
			atomic.AddInt64(&res.Adopted, 1)
			c.update(ctx, rec, users, idx, mu, res, o, call, fail)
		} else if !o.DryRun && !rec.User.Active && u.Active {
			// Some servers ignore active on create.
			c.update(ctx, rec, users, idx, mu, res, o, call, fail)
		}
	} else {
		c.update(ctx, rec, users, idx, mu, res, o, call, fail)
	}
	for _, g := range rec.Groups {
		want(g, idx)
	}
}

func (c *Client) update(ctx context.Context, rec Record, users *remoteUsers, idx int32, mu *sync.Mutex, res *SyncResult, o SyncOptions,
	call func(func(context.Context) error) error, fail func(string, ...any)) {
	mu.Lock()
	ch := users.changes(idx, rec.User)
	id := users.id(idx)
	mu.Unlock()
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
	if err := call(func(ctx context.Context) error { return c.PatchUser(ctx, id, "", ch) }); err != nil {
		fail("line %d: %v", rec.Line, err)
	}
}

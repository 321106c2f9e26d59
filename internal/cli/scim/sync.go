package scim

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// SyncOptions of `scim sync`.
type SyncOptions struct {
	cmdutil.Common
	Target            TargetFlags
	From              string
	Concurrency       int
	DeactivateMissing bool
	DeleteMissing     bool
	DryRun            bool
	Yes               bool
	MaxDelete         string
	Force             bool
}

// NewCmdSync builds `flowsctl scim sync`.
func NewCmdSync(f *cmdutil.Factory, runF func(*SyncOptions) error) *cobra.Command {
	o := &SyncOptions{Common: cmdutil.NewCommon(f)}
	cmd := command(&cobra.Command{
		Use:   "sync --from FILE.csv|FILE.json",
		Short: "Reconcile users and group memberships from a CSV or JSON file (fast, streaming, idempotent)",
		Long: `Reads existing users and groups once (paged), streams the file, and creates, updates or deactivates
(active=false) users with bounded concurrency that backs off when the server throttles (429); then
creates the groups the file names and sets their members. A second run with the same file writes
nothing. --delete-missing and --deactivate-missing only touch users of flowsctl's directory (its domain
on Access) that flowsctl or Okta provisioned (externalId set), and refuse to remove more than
--max-delete of them unless --force; --dry-run names every user and group it would change. Groups
match on name and domain; members are removed only from groups flowsctl or Okta created. A userName
listed twice (any case) or an attribute over 4 KiB is refused with its line. CSV header: userName,givenName,familyName,email,externalId,active,groups (groups separated
by ';'). JSON: an array of SCIM user objects with "groups": ["name", ...].`,
		Example: `  flowsctl scim sync --from users.csv
  flowsctl scim sync --from users.json --concurrency 32 -o json
  flowsctl scim sync --from users.csv --delete-missing --dry-run`,
	}, o, &o.Common, &o.Target, runF, syncRun)
	fl := cmd.Flags()
	fl.StringVar(&o.From, "from", "", "CSV or JSON file of users (required)")
	fl.IntVar(&o.Concurrency, "concurrency", 8, "requests in flight at most")
	fl.BoolVar(&o.DeactivateMissing, "deactivate-missing", false, "deactivate users the file does not list")
	fl.BoolVar(&o.DeleteMissing, "delete-missing", false, "delete users the file does not list (asks first)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "count the changes without making them")
	fl.BoolVarP(&o.Yes, "yes", "y", false, "do not ask before --delete-missing")
	fl.StringVar(&o.MaxDelete, "max-delete", "10%", "refuse to delete or deactivate more than this share of flowsctl's users")
	fl.BoolVar(&o.Force, "force", false, "lift the --max-delete guard")
	return cmd
}

// OpenSource opens a CSV or JSON user file by its extension (or first byte).
func OpenSource(path string) (scim.Source, io.Closer, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open the sync source: %w", err)
	}
	var src scim.Source
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		src, err = scim.NewJSONSource(fh)
	default:
		src, err = scim.NewCSVSource(fh)
	}
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return scim.Unique(src), fh, nil
}

func syncRun(o *SyncOptions) error {
	if o.From == "" {
		return fmt.Errorf("--from FILE is required (a .csv or .json file of users)")
	}
	share, err := ParseShare(o.MaxDelete)
	if err != nil {
		return err
	}
	if o.Concurrency < 1 || o.Concurrency > 256 {
		return fmt.Errorf("--concurrency %d: use 1 to 256", o.Concurrency)
	}
	// One pass over the file before any request: a truncated or malformed source fails here,
	// naming the file and the record, and its size drives the progress bar.
	total, err := checkSource(o.From)
	if err != nil {
		return err
	}
	if total == 0 && (o.DeleteMissing || o.DeactivateMissing) {
		return fmt.Errorf("%s lists no users: with --delete-missing or --deactivate-missing that would remove every user at the target; check the file", o.From)
	}
	src, closer, err := OpenSource(o.From)
	if err != nil {
		return err
	}
	defer closer.Close()
	src = namedSource{src, o.From}
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	if o.DeleteMissing && !o.DryRun {
		if err := confirm(&o.Common, fmt.Sprintf("Delete every user at %s that %s does not list?", t.URL, o.From), o.Yes); err != nil {
			return err
		}
	}
	// Progress on stderr through iostreams (only on a terminal, never in CI): a bar when the
	// source's size is known, else a spinner with the count.
	var progress func(n int64)
	var finish func()
	if total > 0 {
		bar := o.IO.NewProgressBar(int(total), "users")
		progress, finish = func(int64) { bar.Add(1) }, bar.Done
	} else {
		sp := o.IO.StartSpinner("users")
		progress = func(n int64) { sp.SetLabel(fmt.Sprintf("%d users", n)) }
		finish = func() { sp.Stop("") }
	}
	opts := scim.SyncOptions{Concurrency: o.Concurrency, DeactivateMissing: o.DeactivateMissing, DeleteMissing: o.DeleteMissing,
		DryRun: o.DryRun, Progress: progress, MaxDeleteShare: share, Force: o.Force}
	// The sync's large structures (the server's users, member sets) hold no pointers, so a
	// collection costs little: collecting at +25 % instead of +100 % keeps the peak RSS of a
	// million-user sync near its live heap (docs/performance.md).
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	res, err := t.Client.Sync(o.Context(), src, opts)
	finish()
	if perr := cmdutil.Print(o.IO.Out, o.Output(), res, func(w io.Writer) error {
		prefix := ""
		if res.DryRun {
			prefix = "(dry run) "
		}
		fmt.Fprintf(w, "%s%d users: %d created, %d adopted, %d updated, %d deactivated, %d deleted, %d unchanged, %d failed\n",
			prefix, res.Users, res.Created, res.Adopted, res.Updated, res.Deactivated, res.Deleted, res.Unchanged, res.Failed)
		fmt.Fprintf(w, "%sgroups: %d created, %d memberships added, %d removed\n", prefix, res.GroupsCreated, res.MembershipsAdded, res.MembershipsRemoved)
		fmt.Fprintf(w, "%d requests (%d throttled) in %.1fs\n", res.Requests, res.Throttled, float64(res.DurationMs)/1000)
		verb := map[bool]string{true: "would ", false: ""}[res.DryRun]
		for _, n := range res.DeletedUsers {
			fmt.Fprintf(w, "%sdelete user %s\n", verb, text.Sanitize(n))
		}
		for _, n := range res.DeactivatedUsers {
			fmt.Fprintf(w, "%sdeactivate user %s\n", verb, text.Sanitize(n))
		}
		for _, n := range res.ChangedGroups {
			fmt.Fprintf(w, "%schange members of group %s\n", verb, text.Sanitize(n))
		}
		for _, e := range res.Errors {
			fmt.Fprintf(w, "error: %s\n", text.Sanitize(e))
		}
		return nil
	}); perr != nil {
		return perr
	}
	return err
}

// ParseShare reads a --max-delete value: "10%", "10" (percent) or "0.1".
func ParseShare(s string) (float64, error) {
	if strings.TrimSpace(s) == "" {
		return scim.DefaultMaxDeleteShare, nil
	}
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	v, err := strconv.ParseFloat(t, 64)
	if err == nil && !strings.HasSuffix(strings.TrimSpace(s), "%") && v > 0 && v < 1 {
		v *= 100
	}
	if err != nil || v <= 0 || v > 100 {
		return 0, fmt.Errorf("--max-delete %q: give a share from 1%% to 100%% (e.g. --max-delete 25%%)", s)
	}
	return v / 100, nil
}

// checkSource reads the whole source once, without the network, and returns its number of
// users; an error names the file and the record.
func checkSource(path string) (int64, error) {
	src, closer, err := OpenSource(path)
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	var n int64
	for {
		_, err := src.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", path, err)
		}
		n++
	}
}

// namedSource puts the file name in front of a read error.
type namedSource struct {
	scim.Source
	path string
}

func (s namedSource) Next() (scim.Record, error) {
	r, err := s.Source.Next()
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%s: %w", s.path, err)
	}
	return r, err
}

package scim

import (
	"context"
	"fmt"
	"io"
	"iter"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/scim"
)

// kind is what the users and groups commands share: how to list, find, show and delete one
// resource, so list, get and delete are written once for both.
type kind[T any] struct {
	noun   string // "user"
	header []string
	row    func(T) []string
	list   func(*scim.Client, context.Context, scim.ListOptions) iter.Seq2[T, error] // a method expression
	// find takes a name (userName, displayName) or an id.
	find   func(context.Context, *scim.Client, string) (*T, error)
	remove func(context.Context, *scim.Client, T) error
	// name and id of one resource, for prompts and messages.
	name func(T) (name, id string)
}

// print writes v (one resource or a list) as JSON/YAML, or rows as a table.
func (k kind[T]) print(c *cmdutil.Common, v any, rows ...T) error {
	return cmdutil.Print(c.IO.Out, c.Output(), v, func(w io.Writer) error {
		out := make([][]string, 0, len(rows))
		for _, r := range rows {
			out = append(out, k.row(r))
		}
		return table(w, k.header, out)
	})
}

// ListOptions of `scim users list` and `scim groups list`.
type ListOptions[T any] struct {
	cmdutil.Common
	Target TargetFlags
	Filter string
	Limit  int
	kind   kind[T]
}

func newCmdList[T any](f *cmdutil.Factory, k kind[T], cmd *cobra.Command, runF func(*ListOptions[T]) error) *cobra.Command {
	o := &ListOptions[T]{Common: cmdutil.NewCommon(f), kind: k}
	cmd.Flags().StringVar(&o.Filter, "filter", "", `SCIM filter, e.g. 'userName eq "a@b.c"' or 'displayName eq "Sales"'`)
	cmd.Flags().IntVar(&o.Limit, "limit", 0, "stop after N "+k.noun+"s (0 = all)")
	return command(cmd, o, &o.Common, &o.Target, runF, listRun[T])
}

func listRun[T any](o *ListOptions[T]) error {
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return err
	}
	out := []T{}
	for v, err := range o.kind.list(t.Client, o.Context(), scim.ListOptions{Filter: scim.Raw(o.Filter)}) {
		if err != nil {
			return err
		}
		out = append(out, v)
		if o.Limit > 0 && len(out) >= o.Limit {
			break
		}
	}
	return o.kind.print(&o.Common, out, out...)
}

// KeyOptions of the commands that act on one resource named by its argument: `scim users get`,
// `scim users delete` and `scim groups delete`.
type KeyOptions[T any] struct {
	cmdutil.Common
	Target TargetFlags
	Key    string // a name (userName, displayName) or an id
	Yes    bool   // delete only
	kind   kind[T]
}

// newCmdKey completes cmd for one resource; withYes adds --yes (for deletes).
func newCmdKey[T any](f *cmdutil.Factory, k kind[T], cmd *cobra.Command, runF, body func(*KeyOptions[T]) error, withYes bool) *cobra.Command {
	o := &KeyOptions[T]{Common: cmdutil.NewCommon(f), kind: k}
	cmd.Args = cobra.ExactArgs(1)
	cmdutil.CommandWithArgs(cmd, o, &o.Common, cmdutil.FirstArg(&o.Key), runF, body)
	if withYes {
		cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	}
	o.Target.register(cmd)
	return cmd
}

// find resolves the endpoint and looks the resource up by name or id.
func (o *KeyOptions[T]) find() (*scim.Target, *T, error) {
	t, err := o.Target.resolve(&o.Common)
	if err != nil {
		return nil, nil, err
	}
	v, err := o.kind.find(o.Context(), t.Client, o.Key)
	return t, v, err
}

func getRun[T any](o *KeyOptions[T]) error {
	_, v, err := o.find()
	if err != nil {
		return err
	}
	return o.kind.print(&o.Common, v, *v)
}

func deleteRun[T any](o *KeyOptions[T]) error {
	t, v, err := o.find()
	if err != nil {
		return err
	}
	name, id := o.kind.name(*v)
	if err := confirm(&o.Common, fmt.Sprintf("Delete %s %q (id %s) at %s?", o.kind.noun, name, id, t.URL), o.Yes); err != nil {
		return err
	}
	if err := o.kind.remove(o.Context(), t.Client, *v); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "deleted %s %q (id %s)\n", o.kind.noun, name, id)
	return nil
}

// created reports a create (or the adoption of an existing resource) and prints it.
func (k kind[T]) created(c *cmdutil.Common, v *T, adopted bool) error {
	verb := "created"
	if adopted {
		verb = "exists (adopted)"
	}
	name, id := k.name(*v)
	fmt.Fprintf(c.IO.ErrOut, "%s %q %s: id %s\n", k.noun, name, verb, id)
	return k.print(c, v, *v)
}

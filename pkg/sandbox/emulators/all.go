// Package emulators lists every emulator the sandbox serves.
package emulators

import (
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/oktaemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
)

// All returns a fresh set of every emulator, in start order (also the order of sandbox.json).
// The Entra STS comes last: it only ever receives token requests, so tools that read the
// request logs one service after another meet the services with object writes first.
func All() []sandbox.Emulator {
	var out []sandbox.Emulator
	sts, graph := entraemu.New()
	out = append(out, graph)
	out = append(out, accessemu.New())
	out = append(out, identityemu.New())
	out = append(out, uememu.New())
	out = append(out, mfemu.New())
	out = append(out, oktaemu.New())
	out = append(out, sts)
	return out
}

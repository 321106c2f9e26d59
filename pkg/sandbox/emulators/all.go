// Package emulators lists every emulator the sandbox serves.
package emulators

import (
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
)

// All returns a fresh set of every emulator, in start order. One line per emulator package.
func All() []sandbox.Emulator {
	var out []sandbox.Emulator
	out = append(out, entraemu.Emulators()...)
	out = append(out, accessemu.New())
	out = append(out, identityemu.New())
	out = append(out, uememu.New())
	out = append(out, mfemu.New())
	return out
}

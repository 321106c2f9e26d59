// Package sandbox serves emulators of every tenant API flowsctl talks to, over HTTPS on
// loopback with a generated CA, each with a request log, state dump, reset, fault and
// latency injection under its admin base.
package sandbox

import (
	"net/http"
	"path/filepath"
)

// Emulator is one emulated service, registered under Name() in sandbox.json.
type Emulator interface {
	// Name is the key in sandbox.json: sts, graph, access, identity, uem, mobileflows.
	Name() string
	// Handler serves the service API. Admin paths never reach it.
	Handler() http.Handler
	// State is a JSON-marshalable snapshot: one top-level key per collection, named after
	// the real API's collection, objects in the real API's JSON field names.
	State() any
	// Reset returns the emulator to its seeded state.
	Reset()
}

// Binder is implemented by emulators that need to know the sandbox (their own URL,
// other services' URLs, the CA) before serving. Bind is called once, after every
// service has its address and before any request.
type Binder interface {
	Bind(env *Env)
}

// ConfigFragmenter is implemented by emulators that contribute to the generated flowsctl.yaml.
// It returns the top-level sections (merged key by key with other emulators' fragments) and
// the secret files to write: name (relative to DIR/secrets) -> content. Use
// env.SecretPath(name) for the absolute path to put in a file: reference.
type ConfigFragmenter interface {
	ConfigFragment(env *Env) (sections map[string]any, secrets map[string]string)
}

// Env is what an emulator knows about the running sandbox.
type Env struct {
	// URL returns the base URL (https://127.0.0.1:PORT) of a service by name, "" when absent.
	URL func(name string) string
	// CAPEM is the sandbox CA certificate, for clients an emulator makes itself.
	CAPEM []byte
	// Dir is the directory sandbox files are written to ("" when none).
	Dir string
	// Has reports whether a service is part of this sandbox.
	Has func(name string) bool
}

// SecretPath is the absolute path of a secret file inside the sandbox dir (DIR/secrets/NAME).
func (e *Env) SecretPath(name string) string {
	return filepath.Join(e.Dir, "secrets", filepath.FromSlash(name))
}

// AdminPrefix is the path prefix of the admin endpoints on every emulator's host.
const AdminPrefix = "/_sandbox"

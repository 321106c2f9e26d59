package accessemu

import "net/http"

// scim11 is a placeholder for the Access SCIM 1.1 dialect; the SCIM engineer
// replaces this file.
type scim11 struct{}

func (e *Emulator) registerSCIM11(mux *http.ServeMux) {}

func (s *scim11) reset() {}

func (s *scim11) state() map[string]any { return nil }

package access

import (
	"fmt"
	"sync"
)

// Dialect is the media-type family a tenant accepts: vendor types before the 2025 change
// (KB 6000953), plain application/json after it.
type Dialect string

const (
	Vendor Dialect = "vendor"
	JSON   Dialect = "json"
)

const vendorPrefix = "application/vnd.vmware.horizon.manager."

// Media-type kinds (the part between the vendor prefix and +json).
const (
	mtClient          = "oauth2client"
	mtClientList      = "oauth2clientsummarylist"
	mtTemplate        = "oauth2apptemplate"
	mtTemplateList    = "oauth2apptemplate.list"
	mtDirectoryOther  = "connector.management.directory.other"
	mtDirectoryList   = "connector.management.directory.list"
	mtDirectoryDomain = "connector.management.directory.domain.list"
)

// MediaType is the Content-Type/Accept value for kind in dialect d.
func MediaType(kind string, d Dialect) string {
	if d == JSON || kind == "" {
		return "application/json"
	}
	return vendorPrefix + kind + "+json"
}

// MediaTypes remembers, per host, which dialect the tenant answered. A pinned dialect
// (access.mediaType: vendor|json) disables detection. Safe for concurrent use.
type MediaTypes struct {
	pinned Dialect
	mu     sync.Mutex
	byHost map[string]Dialect
}

// NewMediaTypes reads the access.mediaType setting: "", "auto", "vendor" or "json".
func NewMediaTypes(setting string) (*MediaTypes, error) {
	m := &MediaTypes{byHost: map[string]Dialect{}}
	switch setting {
	case "", "auto":
	case "vendor":
		m.pinned = Vendor
	case "json":
		m.pinned = JSON
	default:
		return nil, fmt.Errorf("access.mediaType %q: use auto, vendor or json", setting)
	}
	return m, nil
}

// Order is the dialects to try for host, the remembered (or pinned) one first.
// Unknown hosts try application/json first: it is what current tenants document.
func (m *MediaTypes) Order(host string) []Dialect {
	if m.pinned != "" {
		return []Dialect{m.pinned}
	}
	m.mu.Lock()
	d, ok := m.byHost[host]
	m.mu.Unlock()
	if ok && d == Vendor {
		return []Dialect{Vendor, JSON}
	}
	return []Dialect{JSON, Vendor}
}

// Remember records the dialect host accepted.
func (m *MediaTypes) Remember(host string, d Dialect) {
	if m.pinned != "" {
		return
	}
	m.mu.Lock()
	m.byHost[host] = d
	m.mu.Unlock()
}

// Known returns the remembered dialect of host.
func (m *MediaTypes) Known(host string) (Dialect, bool) {
	if m.pinned != "" {
		return m.pinned, true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.byHost[host]
	return d, ok
}

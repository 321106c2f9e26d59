// Package access is the Workspace ONE Access admin client: the client-credentials token,
// OAuth2 app templates (MobileFlows_Server_Template), OAuth2 clients (the SCIM service
// client) and directories of type Other. Every object is found by its natural key, diffed
// field by field and created or updated; a second Apply makes no writes.
package access

import "github.com/flowsctl/flowsctl/pkg/config"

// Base locates one Access tenant; the config owns the URL rules (config.AccessBase).
type Base = config.AccessBase

package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Dir is the directory relative paths in the config are resolved against: the directory of
// the config file, or the working directory for a config built in memory.
func (c *Config) Dir() string {
	if c == nil || c.Path == "" {
		return "."
	}
	return filepath.Dir(c.Path)
}

// ResolvePath makes a path written in the config usable: "~/" is the home directory, an
// absolute path is kept, and a relative one is taken relative to the config file's directory
// (the result is absolute when the config has a path).
func (c *Config) ResolvePath(p string) string {
	if p == "" {
		return ""
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, strings.TrimPrefix(p, "~"))
		}
	}
	if filepath.IsAbs(p) || c == nil || c.Path == "" {
		return p
	}
	dir := c.Dir()
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // messages then show a path that works from any directory
	}
	return filepath.Join(dir, p)
}

// ResolveRef returns ref with a file: path resolved against the config directory (env: refs
// are returned unchanged).
func (c *Config) ResolveRef(ref SecretRef) SecretRef {
	if ref.Kind() != "file" {
		return ref
	}
	return SecretRef("file:" + c.ResolvePath(ref.Target()))
}

// Secret reads the secret ref points at; a relative file: path is relative to the config file.
// Errors name the reference, never the value.
// Every value read is handed to OnSecret (the run's redactor) before it is returned.
func (c *Config) Secret(ref SecretRef) (string, error) {
	v, err := c.ResolveRef(ref).Resolve()
	if err == nil && c != nil && c.OnSecret != nil {
		c.OnSecret(v)
	}
	return v, err
}

// WriteSecret stores value at the file: sink ref (relative paths resolved against the config
// file's directory), atomically with mode 0600.
func (c *Config) WriteSecret(ref SecretRef, value string) error {
	if c != nil && c.OnSecret != nil {
		c.OnSecret(value)
	}
	return c.ResolveRef(ref).Write(value)
}

// absolutize rewrites every file: reference and every file path of the config to the path
// Secret, WriteSecret and validation use: "~/" expanded, relative paths joined to the config's
// folder. After Load, no package resolves a path again.
func (c *Config) absolutize() {
	if c == nil || c.Path == "" {
		return
	}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < v.NumField(); i++ {
				f, fv := t.Field(i), v.Field(i)
				if !f.IsExported() || !fv.CanSet() {
					continue
				}
				switch {
				case f.Type == secretRefType:
					fv.Set(reflect.ValueOf(c.ResolveRef(fv.Interface().(SecretRef))))
				case f.Type.Kind() == reflect.String && pathFields[f.Name] && f.Tag.Get("yaml") != "-":
					fv.SetString(c.ResolvePath(fv.String()))
				default:
					walk(fv)
				}
			}
		}
	}
	walk(reflect.ValueOf(c))
}

// pathFields are the config's string fields that hold a file path.
var pathFields = map[string]bool{"CertificateFile": true, "CAFile": true}

// FileSinks maps each sink this config writes a created secret to (by its key, e.g.
// azure.app.secret.sink) to the file's absolute path.
func (c *Config) FileSinks() map[string]string {
	refs := map[string]SecretRef{}
	if c.Azure != nil {
		refs["azure.app.secret.sink"] = c.Azure.App.Secret.Sink
	}
	if c.Access != nil && c.Access.SCIMClient != nil {
		refs["access.scimClient.secretSink"] = c.Access.SCIMClient.SecretSink
	}
	if c.IdentityServices != nil {
		refs["identityServices.scimToken.sink"] = c.IdentityServices.SCIMToken.Sink
	}
	if c.Okta != nil && c.Okta.OIDCApp != nil {
		refs["okta.oidcApp.secretSink"] = c.Okta.OIDCApp.SecretSink
	}
	out := map[string]string{}
	for key, ref := range refs {
		if ref.Kind() != "file" || ref.Target() == "" {
			continue
		}
		p, err := filepath.Abs(c.ResolvePath(ref.Target()))
		if err != nil {
			continue
		}
		out[key] = p
	}
	return out
}

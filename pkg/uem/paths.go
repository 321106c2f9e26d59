package uem

import (
	"path/filepath"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// WithAbsolutePaths returns a copy of cfg whose uem file: secret references, uem.caFile and
// azure.app.secret.sink are absolute, resolved against the config file's directory (a relative
// path in flowsctl.yaml means "next to the config", not "in the working directory").
// cfg itself is not modified.
func WithAbsolutePaths(cfg *config.Config) *config.Config {
	if cfg == nil {
		return nil
	}
	c := *cfg
	if cfg.Path == "" {
		return &c
	}
	dir := filepath.Dir(cfg.Path)
	abs := func(r config.SecretRef) config.SecretRef {
		if r.Kind() == "file" && !filepath.IsAbs(r.Target()) {
			return config.SecretRef("file:" + filepath.Join(dir, r.Target()))
		}
		return r
	}
	if cfg.UEM != nil {
		u := *cfg.UEM
		if u.Auth.OAuth != nil {
			oa := *u.Auth.OAuth
			oa.ClientSecret = abs(oa.ClientSecret)
			u.Auth.OAuth = &oa
		}
		if u.Auth.Basic != nil {
			b := *u.Auth.Basic
			b.Password = abs(b.Password)
			u.Auth.Basic = &b
		}
		u.Auth.APIKey = abs(u.Auth.APIKey)
		if u.CAFile != "" && !filepath.IsAbs(u.CAFile) {
			u.CAFile = filepath.Join(dir, u.CAFile)
		}
		c.UEM = &u
	}
	if cfg.Azure != nil {
		az := *cfg.Azure
		az.App.Secret.Sink = abs(az.App.Secret.Sink)
		c.Azure = &az
	}
	return &c
}

package steps

import (
	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

const accessAuthFix = "check access.url and access.auth in flowsctl.yaml (an OAuth client with scope admin: Catalog > Settings > Remote App Access)"

// accessClient is the run's Access admin client (one token for every Access step).
func accessClient(d Deps) *lazy[*access.Client] {
	return sharedLazy(d, "access", func() (*access.Client, error) { return access.New(d.HTTP, d.Config) })
}

// accessObject builds one Access object with the run's client.
func accessObject[T object.Object](build func(*access.Client, *config.Config) (T, error)) func(Deps, setup.Values) ([]object.Object, error) {
	return objectOf("", func(d Deps) (T, error) {
		c, err := accessClient(d).get()
		if err != nil {
			var none T
			return none, setup.Errorf("", err, accessAuthFix)
		}
		return build(c, d.Config)
	})
}

// accessSkip is the reason the Access steps are inactive: no access section.
func accessSkip(cfg *config.Config) string {
	if cfg.Access == nil {
		return "no access section in the config (add access.url and access.auth; run: flowsctl init)"
	}
	return ""
}

var accessTemplate = Row{
	ID:      "access.template",
	Skip:    accessSkip,
	Objects: accessObject(access.NewTemplateResource),
	Record: func(v *setup.Values, objs []object.Object, rs []object.Result) {
		if rs != nil {
			v.Access.TemplateID = objs[0].(*access.TemplateResource).Spec.AppProductID
		}
	},
}

var accessSCIMClient = Row{
	ID: "access.scimClient",
	Skip: skipUnless(accessSkip, func(cfg *config.Config) bool { return cfg.Access.SCIMClient != nil },
		"no access.scimClient in the config (SCIM from Okta to Access is not set up here)"),
	Objects: func(d Deps, v setup.Values) ([]object.Object, error) {
		os, err := accessObject(access.NewClientResource)(d, v)
		if err == nil {
			os[0].(*access.ClientResource).Rotate = d.rotates("access.scimClient")
		}
		return os, err
	},
	Record: func(v *setup.Values, objs []object.Object, rs []object.Result) {
		if rs != nil {
			c := objs[0].(*access.ClientResource)
			v.Access.SCIMClientID, v.Access.SCIMSink = c.Spec.ClientID, c.Spec.SecretSink
		}
	},
}

var accessDirectory = Row{
	ID:      "access.directory",
	Skip:    skipUnless(accessSkip, func(cfg *config.Config) bool { return cfg.Access.Directory != nil }, "no access.directory in the config"),
	Objects: accessObject(access.NewDirectoryResource),
	Record: func(v *setup.Values, _ []object.Object, rs []object.Result) {
		if len(rs) > 0 {
			v.Access.DirectoryID = rs[0].ID
		}
	},
}

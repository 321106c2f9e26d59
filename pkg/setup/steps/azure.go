package steps

import (
	"github.com/flowsctl/flowsctl/pkg/azure"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// azureApp is the Entra app registration behind the Teams connector (app, service principal,
// admin consent and client secret): one object, built as `flowsctl azure` builds it.
var azureApp = Row{
	ID: "azure.app",
	Skip: func(cfg *config.Config) string {
		if cfg.Azure == nil {
			return "no azure section in the config (the Teams connector needs an Entra app: run flowsctl init)"
		}
		return ""
	},
	Objects: objectOf("", func(d Deps) (*azure.Registration, error) { return azure.NewRegistration(d.Config, d.HTTP, d.ErrOut) }),
	// The connectors plan and verify against the client id found by the app's uniqueName.
	Record: func(v *setup.Values, objs []object.Object, _ []object.Result) {
		r := objs[0].(*azure.Registration)
		st := r.State()
		if st.ClientID == "" {
			return // not registered yet
		}
		v.Azure.ClientID, v.Azure.ObjectID, v.Azure.SecretSink = st.ClientID, st.ObjectID, r.Spec.Sink
	},
	Fix: "check azure.tenantId, azure.signIn and the azure section of flowsctl.yaml",
}

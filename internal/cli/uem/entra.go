package uem

import (
	"context"
	"errors"
	"io"

	"github.com/flowsctl/flowsctl/internal/httpx"
	az "github.com/flowsctl/flowsctl/pkg/azure"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// entraFromAzure reads the Entra app's client id and secret sink with pkg/azure's read-only
// lookup (one GET by uniqueName). Only this file imports pkg/azure.
func entraFromAzure(ctx context.Context, cfg *config.Config, hc *httpx.Client) (*mobileflows.EntraOutputs, error) {
	spec, err := az.SpecFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	cl, err := az.NewClient(ctx, cfg, hc, io.Discard)
	if err != nil {
		return nil, err
	}
	out, err := cl.Outputs(ctx, spec)
	if err != nil {
		if errors.Is(err, az.ErrNotRegistered) {
			return nil, errors.New("the Entra app " + spec.UniqueName + " is not registered: run flowsctl azure register")
		}
		return nil, err
	}
	e := &mobileflows.EntraOutputs{ClientID: out.ClientID, SecretSink: out.SecretSink}
	if cfg.Azure != nil {
		e.TenantID, e.Authority = cfg.Azure.TenantID, cfg.Azure.Authority
	}
	return e, nil
}

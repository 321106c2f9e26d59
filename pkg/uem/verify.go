package uem

import (
	"context"
	"fmt"

	"github.com/flowsctl/flowsctl/internal/httpx"

	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// Minimum console releases (the Teams mobile flows guide): mobile flows need 1904, OOTB
// connectors 1905.
const (
	MinReleaseMobileFlows = 1904
	MinReleaseOOTB        = 1905
)

// VerifyReachable checks that the API answers with these credentials and that the console
// release supports mobile flows and OOTB connectors.
func (c *Client) VerifyReachable(ctx context.Context) []doctor.Check {
	si, err := c.SystemInfo(ctx)
	if err != nil {
		fix := "check uem.url (the API host, asNNN.awmdm.com) and the network path"
		if httpx.IsAuth(err) {
			fix = "check uem.auth (client id/secret, region or tokenUrl; or username/password and apiKey)"
		}
		return []doctor.Check{{ID: "uem.reachable", Title: "UEM API reachable", Status: doctor.Fail, Detail: err.Error(), Fix: fix}}
	}
	out := []doctor.Check{{ID: "uem.reachable", Title: "UEM API reachable", Status: doctor.Pass,
		Detail: fmt.Sprintf("%s answered as %s (%s auth)", c.base, si.ProductVersion, c.AuthMethod())}}
	rel, ok := ConsoleRelease(si.ProductVersion)
	v := doctor.Check{ID: "uem.version", Title: "UEM console release supports mobile flows and OOTB connectors", Status: doctor.Pass,
		Detail: fmt.Sprintf("ProductVersion %s (release %d)", si.ProductVersion, rel)}
	switch {
	case !ok:
		v.Status, v.Detail, v.Fix = doctor.Warn, fmt.Sprintf("cannot read ProductVersion %q", si.ProductVersion), "check the console version at the About page"
	case rel < MinReleaseMobileFlows:
		v.Status, v.Fix = doctor.Fail, "upgrade Workspace ONE UEM to 1904 or later (1905+ for OOTB connectors)"
	case rel < MinReleaseOOTB:
		v.Status, v.Fix = doctor.Warn, "OOTB connectors need UEM 1905 or later; upgrade, or use self-hosted connectors with a discovery URL"
	}
	return append(out, v)
}

package importcmd

import (
	"fmt"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/uem"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// connectors reads the mobile flows connectors through the admin API (api mode) into
// uem.mobileFlows.connectors. In guided mode there is no API to read: kept as configured.
func (im *importer) connectors() error {
	mf := im.cfg.UEM.MobileFlows
	if mf.Mode != "api" || mf.AdminURL == "" {
		im.note("Mobile flows connectors: uem.mobileFlows.mode is %q, where no admin API lists them; kept uem.mobileFlows.connectors as configured.", mf.Mode)
		return nil
	}
	c, err := uem.Open(im.hc, im.cfg, im.httpOpts)
	if err != nil {
		return err
	}
	api := &mobileflows.API{HC: im.hc, Base: string(mf.AdminURL), Authorize: c.Authorize, Config: im.cfg}
	ws, err := api.ListWire(im.ctx)
	if err != nil {
		return fmt.Errorf("import: read the mobile flows connectors: %w", err)
	}
	cs, missing := mobileflows.ConnectorsConfig(ws, mf.Connectors)
	mf.Connectors = cs
	names := make([]string, 0, len(ws))
	for _, w := range ws {
		names = append(names, fmt.Sprintf("%q", w.Name))
	}
	im.note("Mobile flows connectors: adopted %d (%s); their client secrets are never read back.", len(ws), orNone(names))
	if len(missing) > 0 {
		im.note("Mobile flows connectors not found: %s; kept as configured, so plan will create them.", strings.Join(missing, ", "))
	}
	return nil
}

// boxerSmartGroups sets uem.boxer.smartGroups to the smart groups whose Boxer assignment holds
// the mobile flows keys; none found keeps the configured ones.
func (im *importer) boxerSmartGroups(c *uem.Client) error {
	b := im.cfg.UEM.Boxer
	probe := &uem.Boxer{C: c, Spec: uem.BoxerSpec{SmartGroups: b.SmartGroups, OrganizationGroup: im.cfg.UEM.OrganizationGroup}}
	names, err := probe.KeyedSmartGroups(im.ctx)
	if err != nil {
		return fmt.Errorf("import: read the Boxer assignments: %w", err)
	}
	if len(names) == 0 {
		if len(b.SmartGroups) == 0 {
			im.note("Boxer: no assignment holds the mobile flows keys and uem.boxer.smartGroups is empty; name the smart groups there, then plan will set the keys.")
		}
		return nil
	}
	if strings.Join(names, "\x00") != strings.Join(b.SmartGroups, "\x00") {
		im.note("Boxer: the mobile flows keys are on the assignments of smart groups %s: uem.boxer.smartGroups set to them.", strings.Join(names, ", "))
	}
	b.SmartGroups = names
	return nil
}

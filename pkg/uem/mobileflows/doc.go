// Package mobileflows registers mobile flows connectors and the tenant.
//
// Omnissa/VMware publish no admin API for mobile flows, so a Registrar has two
// implementations behind one interface:
//
//	Guided  prints the numbered UEM console checklist with every value filled in and records the
//	        operator's confirmation in .flowsctl/operator-steps.json next to the config (no secrets);
//	        without a confirmation the step stays pending (the CLI exits 3).
//	API     talks to the modeled admin API at uem.mobileFlows.adminUrl (docs/mobile-flows-admin-api.md;
//	        modeled on the console's fields, not a published API); the sandbox implements it.
//
// Objects the setup step graph adapts (Plan read-only, Apply idempotent, Verify doctor checks):
//
//	Tenant      step uem.mobileflows.tenant  "Begin" (guided), after a MobileFlows_Server_Template check
//	Connectors  step uem.connectors          OOTB catalog connectors and custom (discovery URL) ones
//
// The Teams connector needs the Entra app's outputs; they come in as plain EntraOutputs so this
// package never imports pkg/azure. Catalog holds seed 001's OOTB tables; FetchDiscovery and
// ParseDiscovery check a connector's discovery document against the rules of
// connector-discovery-schema.json.
package mobileflows

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
// Objects (object.Object) the setup rows build (Plan read-only, Apply idempotent, Verify doctor
// checks; an unconfirmed operator step returns a Result whose Operator is the checklist):
//
//	Tenant      step uem.mobileflows.tenant  "Begin" (guided), after a MobileFlows_Server_Template check
//	Connector   step uem.connectors          one per OOTB catalog connector or custom (discovery URL) one
//
// The Teams connector needs the Entra app's outputs; they come in as plain EntraOutputs so this
// package never imports pkg/azure. Catalog holds the guide's OOTB tables; FetchDiscovery and
// ParseDiscovery check a connector's discovery document against the rules of
// connector-discovery-schema.json.
package mobileflows

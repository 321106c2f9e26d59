package uememu

// Seeded tenant: an OG tree under "ACME", smart groups, the Workspace ONE Boxer public app with
// two assignments (one on "All Boxer Users" carrying admin-set keys, one untouched), users,
// admins (HAR shape), devices and tags, and the API credentials the generated config uses.

// Sandbox identities; their secrets are random per emulator (see New) and written to DIR/secrets.
const (
	OAuthClientID      = "flowsctl-sandbox"
	RestrictedClientID = "restricted-api" // its tokens get 403 on tags
	// DashboardClientID is the third-party dashboard's own OAuth client (the integration's
	// credentials in the generated config: never flowsctl's).
	DashboardClientID = "harmony-mobile-api"
	BasicUser         = "flowsctl-api"
	ProductVersion    = "24.6.0.12"
	defaultQuota      = 250000
	BoxerAppUUID      = "6d8a1f3e-2b4c-4f57-9a0e-1c2d3e4f5a61"
	AllBoxerUsersUUID = "0b7e2f5a-91c3-4d8e-a6f1-3c5d7e9f1a20"
	ExecutivesUUID    = "5c1d9e3f-7a2b-4c6d-8e0f-2a4b6c8d0e42"
	AllBoxerUsersName = "All Boxer Users"
	acmeID            = 1112
	globalID          = 570
)

type og struct {
	ID       int
	UUID     string
	Name     string
	GroupID  string
	Type     string
	Parent   int
	Country  string
	Locale   string
	Created  string
	Users    int
	Admins   int
	Devices  int
	Children []int
}

type smartGroup struct {
	ID      int
	UUID    string
	Name    string
	Managed int
	Devices int
}

type app struct {
	ID       int
	UUID     string
	Name     string
	BundleID string
	AppType  string
	Platform int
	OG       int
	Status   string
	Rules    map[string]any // the v2 assignment-rules document, as stored
}

func seedOGs() []*og {
	return []*og{
		{ID: globalID, UUID: "ac616b37-75f6-4e93-aa84-408ec08b4d9d", Name: "Global", GroupID: "Global", Type: "Global", Country: "United States", Locale: "en-US", Created: "1/1/2019 12:00:00 AM", Admins: 1},
		{ID: acmeID, UUID: "71b1202a-fc21-4239-bacb-5e74e35a820e", Name: "ACME", GroupID: "ACME", Type: "Customer", Parent: globalID, Country: "United States", Locale: "en-US", Created: "10/27/2023 3:05:53 PM", Users: 4, Admins: 2, Devices: 4},
		{ID: 1113, UUID: "3f9e0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a13", Name: "ACME Sales", GroupID: "ACME-SALES", Type: "Container", Parent: acmeID, Country: "United States", Locale: "en-US", Created: "10/28/2023 9:12:01 AM", Users: 2, Devices: 2},
		{ID: 1114, UUID: "4a0f1b2c-3d4e-4f6a-9b0c-1d2e3f4a5b14", Name: "ACME Engineering", GroupID: "ACME-ENG", Type: "Container", Parent: acmeID, Country: "Germany", Locale: "de-DE", Created: "10/28/2023 9:13:44 AM", Users: 2, Devices: 2},
		{ID: 1115, UUID: "5b1a2c3d-4e5f-4a7b-8c1d-2e3f4a5b6c15", Name: "ACME Sales EMEA", GroupID: "ACME-SALES-EMEA", Type: "Container", Parent: 1113, Country: "France", Locale: "fr-FR", Created: "11/02/2023 2:40:10 PM"},
	}
}

func seedSmartGroups() []*smartGroup {
	return []*smartGroup{
		{ID: 41, UUID: AllBoxerUsersUUID, Name: AllBoxerUsersName, Managed: acmeID, Devices: 3},
		{ID: 42, UUID: ExecutivesUUID, Name: "Executives", Managed: acmeID, Devices: 1},
		{ID: 43, UUID: "7e3c5a1f-9b2d-4f8e-a0c6-4d6f8a0c2e43", Name: "All Devices", Managed: acmeID, Devices: 4},
		{ID: 44, UUID: "8f4d6b2a-0c3e-4a9f-b1d7-5e7a9b1d3f44", Name: "Sales Devices", Managed: 1113, Devices: 2},
	}
}

// seedAssignment is one assignment of an app's rules as the API returns it.
func seedAssignment(priority int, name, description, smartGroup, delivery, effective string, preventBackup bool, config ...any) map[string]any {
	return map[string]any{
		"priority": priority,
		"distribution": map[string]any{
			"name": name, "description": description,
			"smart_groups": []any{smartGroup}, "app_delivery_method": delivery,
			"effective_date": effective, "display_in_app_catalog": true,
		},
		"restriction":               map[string]any{"remove_on_unenroll": true, "prevent_application_backup": preventBackup, "make_app_mdm_managed": true},
		"tunnel":                    map[string]any{"per_app_vpn_profile_uuid": nil},
		"application_configuration": config,
	}
}

// seedConfig is one application_configuration entry.
func seedConfig(key, value, typ string) any {
	return map[string]any{"key": key, "value": value, "type": typ}
}

func seedApps() []*app {
	return []*app{
		{ID: 301, UUID: BoxerAppUUID, Name: "Workspace ONE Boxer", BundleID: "com.air-watch.boxer", AppType: "Public", Platform: 2, OG: acmeID, Status: "Active",
			Rules: map[string]any{
				"assignments": []any{
					seedAssignment(0, "Boxer for everyone", "Managed email for all Boxer users", AllBoxerUsersUUID, "AUTO", "2024-01-15T00:00:00", true,
						seedConfig("EmailSignature", "Sent from Workspace ONE Boxer", "STRING"),
						seedConfig("AllowCopyPaste", "false", "BOOLEAN"),
						seedConfig("SyncPeriodDays", "14", "INTEGER")),
					seedAssignment(1, "Boxer for executives", "", ExecutivesUUID, "ON_DEMAND", "2024-02-01T00:00:00", false,
						seedConfig("EmailSignature", "Sent by the ACME leadership team", "STRING"),
						seedConfig("RequireBiometricUnlock", "true", "BOOLEAN")),
				},
				"excluded_smart_groups": []any{},
			}},
		{ID: 302, UUID: "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c02", Name: "Workspace ONE Intelligent Hub", BundleID: "com.air-watch.agent", AppType: "Public", Platform: 2, OG: acmeID, Status: "Active",
			Rules: map[string]any{"assignments": []any{}, "excluded_smart_groups": []any{}}},
	}
}

type user struct {
	ID        int
	UUID      string
	UserName  string
	Email     string
	FirstName string
	LastName  string
	OG        int
}

func seedUsers() []user {
	return []user{
		{201, "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e01", "alice", "alice@acme.example", "Alice", "Admin", acmeID},
		{202, "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f02", "bob", "bob@acme.example", "Bob", "Sales", 1113},
		{203, "3e4f5a6b-7c8d-4e9f-0a1b-2c3d4e5f6a03", "carol", "carol@acme.example", "Carol", "Engineer", 1114},
		{204, "4f5a6b7c-8d9e-4f0a-1b2c-3d4e5f6a7b04", "dave", "dave@acme.example", "Dave", "Exec", acmeID},
	}
}

type device struct {
	ID       int
	UUID     string
	Serial   string
	Name     string
	User     int
	OG       int
	Platform string
	Model    string
	OS       string
}

func seedDevices() []device {
	return []device{
		{5611, "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c11", "F2LXK1ABCD01", "alice iPhone", 201, acmeID, "Apple", "iPhone 15", "17.5"},
		{5612, "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d12", "R58N12345AB", "bob Galaxy", 202, 1113, "Android", "Galaxy S23", "14"},
		{5613, "c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e13", "F2LXK1ABCD03", "carol iPad", 203, 1114, "Apple", "iPad Air", "17.4"},
		{5614, "d4e5f6a7-b8c9-4d0e-1f2a-3b4c5d6e7f14", "F2LXK1ABCD04", "dave iPhone", 204, acmeID, "Apple", "iPhone 15 Pro", "17.5"},
	}
}

type tag struct {
	ID   int
	Name string
	Type int
	OG   int
}

func seedTags() []tag {
	return []tag{
		{10001, "Harmony Mobile - Protected", 1, acmeID},
		{10002, "Harmony Mobile - High Risk", 1, acmeID},
		{10003, "Kiosk", 1, acmeID},
	}
}

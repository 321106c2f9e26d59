package azure

import (
	"testing"
	"time"
)

func TestSecretSettings(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ps := []Password{
		{DisplayName: "flowsctl 2026-01-01", Hint: "abc", Start: now.Add(-150 * day), End: now.Add(210 * day)},
		{DisplayName: "Teams connector 2026-05-01", Hint: "xyz", Start: now.Add(-31 * day), End: now.Add(149 * day)},
		{DisplayName: "old", Hint: "old", Start: now.Add(-400 * day), End: now.Add(-35 * day)},
	}
	cases := []struct {
		name, sink, want string
		life             time.Duration
		ok               bool
	}{
		{"the sink's secret by hint", "xyz-value", "Teams connector", 180 * day, true},
		{"no match: the longest-lasting", "nope", "flowsctl", 360 * day, true},
		{"empty sink: the longest-lasting", "", "flowsctl", 360 * day, true},
		{"an expired secret is never chosen", "old-value", "flowsctl", 360 * day, true},
	}
	for _, c := range cases {
		name, life, ok := SecretSettings(ps, c.sink, now)
		if name != c.want || life != c.life || ok != c.ok {
			t.Errorf("%s: got %q %v %v, want %q %v %v", c.name, name, life, ok, c.want, c.life, c.ok)
		}
	}
	if _, _, ok := SecretSettings(ps[2:], "old-value", now); ok {
		t.Error("only expired secrets: want ok false")
	}
	noStart := []Password{{DisplayName: "by hand", End: now.Add(day)}}
	if name, life, ok := SecretSettings(noStart, "", now); name != "by hand" || life != 0 || !ok {
		t.Errorf("no start date: got %q %v %v, want the name and no lifetime", name, life, ok)
	}
}

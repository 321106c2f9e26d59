package harness

import (
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

func TestChainCountsOnlyRequestsThatFollowEachOther(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(path string, from, to int) sandbox.LogEntry {
		return sandbox.LogEntry{Method: "GET", Path: path,
			Start: t0.Add(time.Duration(from) * time.Millisecond), End: t0.Add(time.Duration(to) * time.Millisecond)}
	}
	cases := []struct {
		name string
		log  map[string][]sandbox.LogEntry
		want int
	}{
		{"empty", nil, 0},
		{"overlapping in one service", map[string][]sandbox.LogEntry{"a": {at("/1", 0, 50), at("/2", 10, 60)}}, 1},
		{"overlapping across services", map[string][]sandbox.LogEntry{"a": {at("/1", 0, 50)}, "b": {at("/2", 49, 99)}}, 1},
		{"one after the other's end", map[string][]sandbox.LogEntry{"a": {at("/1", 0, 50), at("/2", 50, 100)}}, 2},
		{"sequential across services", map[string][]sandbox.LogEntry{"b": {at("/2", 51, 100)}, "a": {at("/1", 0, 50)}}, 2},
		// /1 then /2 and /3 together, then /4 after both: the chain is 3, not 4.
		{"fan-out and join", map[string][]sandbox.LogEntry{"a": {at("/4", 120, 170), at("/1", 0, 50), at("/3", 60, 110), at("/2", 55, 105)}}, 3},
		// a long request next to a short sequence: the sequence is the chain.
		{"long beside short", map[string][]sandbox.LogEntry{"a": {at("/long", 0, 300)}, "b": {at("/1", 0, 50), at("/2", 60, 110), at("/3", 120, 170)}}, 3},
	}
	for _, c := range cases {
		n, path := Chain(c.log)
		if n != c.want || len(path) != n {
			t.Errorf("%s: Chain = %d %v; want %d", c.name, n, path, c.want)
		}
	}
}

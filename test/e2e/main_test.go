package e2e

import (
	"testing"

	"github.com/flowsctl/flowsctl/test/harness"
)

// TestMain removes the binary the fleet benchmark builds with FLEET_BINARY=1.
func TestMain(m *testing.M) { harness.Main(m) }

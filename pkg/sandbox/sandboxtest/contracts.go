package sandboxtest

import (
	"os"
	"path/filepath"
	"testing"
)

// ContractsDir returns ../shared/contracts beside the module root (found by walking up from the
// test's working directory to go.mod). When the folder is absent the test is skipped with a
// message saying so, except under CI=true, where a contract test that cannot run is a failure:
// CI must never turn green by silently skipping the contracts.
func ContractsDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("contracts: %v", err)
		return ""
	}
	return contractsDir(t, wd, os.Getenv("CI") == "true")
}

// contractsDir is ContractsDir with the starting folder and the CI switch passed in, so the
// helper's own test can drive every case with a fake testing.TB.
func contractsDir(t testing.TB, start string, ci bool) string {
	t.Helper()
	missing := func(format string, args ...any) string {
		if ci {
			t.Fatalf("CI=true and "+format+": the contract tests cannot run", args...)
		} else {
			t.Skipf(format+": skipping the contract test (under CI=true this fails)", args...)
		}
		return ""
	}
	root, err := filepath.Abs(start)
	if err != nil {
		return missing("%v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return missing("no go.mod above %s, so ../shared/contracts cannot be located", start)
		}
		root = parent
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "contracts")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return missing("%s is absent", dir)
	}
	return dir
}

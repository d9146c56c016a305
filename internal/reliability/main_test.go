package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMain points terraform at a CLI configuration of its own (the machine's may not exist)
// and turns off its update checks, for the acceptance tests of the suite.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reliability-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cliConfig := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte("disable_checkpoint = true\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

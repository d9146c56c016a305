package reliability

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildServer builds the reference server's binary into a temporary directory, with the race
// detector when the tests run with it.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "webapps-backup-server")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "github.com/camunda-community-hub/terraform-provider-camunda/cmd/webapps-backup-server")
	cmd := exec.Command("go", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build the server: %v\n%s", err, out)
	}
	return bin
}

// serverProcess is one run of the server binary.
type serverProcess struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed once the process has exited
}

// mustStartServer starts the binary with the flags and returns once it listens; the process
// is killed at the end of the test if still running.
func mustStartServer(t *testing.T, bin, logPath string, flags ...string) *serverProcess {
	t.Helper()
	p, err := startServer(bin, logPath, flags...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	return p
}

// startServer starts the binary with the flags and returns once it listens, with errors
// rather than failing a test (a goroutine may restart a server). Its log goes to logPath.
func startServer(bin, logPath string, flags ...string) (*serverProcess, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, flags...)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	p := &serverProcess{cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				urls <- u
			}
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	select {
	case p.url = <-urls:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("the server exited at start: %s; see %s", cmd.ProcessState, logPath)
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, errors.New("the server did not listen within 30s; see " + logPath)
	}
}

// kill kills the process with SIGKILL, as the OOM killer or a node failure would, and waits
// until it is gone.
func (p *serverProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

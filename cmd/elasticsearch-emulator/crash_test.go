package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// emulatorBinary builds the command once per test run.
func emulatorBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "esemu-bin-") //nolint:usetesting // shared by the tests of the run, removed by TestMain
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "elasticsearch-emulator")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// emulatorProcess is the binary running on a data directory.
type emulatorProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *strings.Builder
}

// startEmulator runs the binary and waits for its address.
func startEmulator(t *testing.T, dataDir, repoDir string) *emulatorProcess {
	t.Helper()
	p, err := tryStartEmulator(t, dataDir, repoDir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tryStartEmulator(t *testing.T, dataDir, repoDir string) (*emulatorProcess, error) {
	t.Helper()
	cmd := exec.Command(emulatorBinary(t), "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--path-repo", repoDir, "--snapshot-delay", "-1ms")
	p := &emulatorProcess{cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("no address (%v): %s", err, p.stderr.String())
	}
	p.url = url
	return p, nil
}

func (p *emulatorProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// send makes one request and returns status and body; err is a transport error.
func send(method, url, body string) (int, string, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// writeUntilStopped writes documents (single and bulk) until stop is closed or
// a write fails, and returns the ids whose write was acknowledged.
func writeUntilStopped(url string, round int, stop <-chan struct{}) []string {
	var acked []string
	payload := strings.Repeat("x", 2000)
	for i := 0; ; i++ {
		select {
		case <-stop:
			return acked
		default:
		}
		if i%5 == 4 {
			var sb strings.Builder
			var ids []string
			for j := 0; j < 20; j++ {
				id := fmt.Sprintf("r%d-b%d-%d", round, i, j)
				ids = append(ids, id)
				fmt.Fprintf(&sb, "{\"index\":{\"_index\":\"crash\",\"_id\":%q}}\n{\"p\":%q}\n", id, payload)
			}
			status, body, err := send("POST", url+"/_bulk", sb.String())
			if err != nil || status != 200 || strings.Contains(body, `"errors":true`) {
				return acked
			}
			acked = append(acked, ids...)
			continue
		}
		id := fmt.Sprintf("r%d-%d", round, i)
		status, _, err := send("PUT", url+"/crash/_doc/"+id, fmt.Sprintf(`{"p":%q}`, payload))
		if err != nil || status/100 != 2 {
			return acked
		}
		acked = append(acked, id)
	}
}

// missing lists the acknowledged ids the server does not have.
func missing(t *testing.T, url string, ids []string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		status, body, err := send("GET", url+"/crash/_doc/"+id, "")
		if err != nil {
			t.Fatal(err)
		}
		if status != 200 || !strings.Contains(body, `"found":true`) {
			out = append(out, id)
		}
	}
	return out
}

// TestSIGKILLMidWriteKeepsAcknowledgedWrites kills the binary with SIGKILL while
// clients write documents, three times on one data directory: every start
// succeeds, and every write that was acknowledged is there.
func TestSIGKILLMidWriteKeepsAcknowledgedWrites(t *testing.T) {
	dataDir, repoDir := t.TempDir(), t.TempDir()
	var acked []string
	for round := 0; round < 3; round++ {
		p := startEmulator(t, dataDir, repoDir)
		if got := missing(t, p.url, acked); len(got) > 0 {
			t.Fatalf("round %d: %d acknowledged documents lost, e.g. %v", round, len(got), got[0])
		}
		stop := make(chan struct{})
		results := make(chan []string, 2)
		for w := 0; w < 2; w++ {
			go func() { results <- writeUntilStopped(p.url, round*10+w, stop) }()
		}
		deadline := time.Now().Add(2 * time.Second)
		for {
			status, body, _ := send("GET", p.url+"/crash/_count", "")
			var c struct{ Count int }
			_ = json.Unmarshal([]byte(body), &c)
			if status == 200 && c.Count >= len(acked)+60 || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		p.kill(t) // while the writers are still sending
		close(stop)
		acked = append(acked, <-results...)
		acked = append(acked, <-results...)
	}
	p := startEmulator(t, dataDir, repoDir)
	if got := missing(t, p.url, acked); len(got) > 0 {
		t.Fatalf("%d of %d acknowledged documents lost, e.g. %v", len(got), len(acked), got[0])
	}
	if len(acked) < 30 {
		t.Fatalf("only %d writes acknowledged: the test did not write under the kill", len(acked))
	}
}

// TestSecondProcessOnOneDataDirExits starts the binary twice on one data
// directory: the second exits at once, naming the directory and the pid of
// the first.
func TestSecondProcessOnOneDataDirExits(t *testing.T) {
	dataDir, repoDir := t.TempDir(), t.TempDir()
	first := startEmulator(t, dataDir, repoDir)
	start := time.Now()
	_, err := tryStartEmulator(t, dataDir, repoDir)
	if err == nil {
		t.Fatal("a second process started on the same data directory")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the second process took %v to give up", time.Since(start))
	}
	msg := err.Error()
	if !strings.Contains(msg, dataDir) || !strings.Contains(msg, fmt.Sprintf("pid %d", first.cmd.Process.Pid)) {
		t.Errorf("message %q does not name the directory and the first process", msg)
	}
	if status, _, err := send("GET", first.url+"/", ""); err != nil || status != 200 {
		t.Errorf("the first process stopped serving: %d %v", status, err)
	}
}

// TestDiskFullKeepsAcknowledgedWrites runs the binary on a 4 MiB tmpfs and
// writes until the disk is full: writes then fail, reads go on, and after a
// SIGKILL the directory starts with every acknowledged write.
func TestDiskFullKeepsAcknowledgedWrites(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		t.Skip("disk-full test skipped: mounting a size-limited tmpfs needs root")
	}
	if err := syscall.Mount("tmpfs", dataDir, "tmpfs", 0, "size=4m"); err != nil {
		t.Skipf("disk-full test skipped: cannot mount a size-limited tmpfs here: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dataDir, syscall.MNT_DETACH) })
	repoDir := t.TempDir()
	p := startEmulator(t, dataDir, repoDir)
	stop := make(chan struct{})
	acked := writeUntilStopped(p.url, 0, stop)
	close(stop)
	if len(acked) == 0 {
		t.Fatalf("nothing was written before the disk was full: %s", p.stderr.String())
	}
	// Full: a write is refused with an error, and reads still answer.
	status, body, err := send("PUT", p.url+"/crash/_doc/after-full", `{"p":"`+strings.Repeat("y", 500000)+`"}`)
	if err != nil || status/100 == 2 {
		t.Fatalf("write on a full disk: %d %v %.200s", status, err, body)
	}
	if strings.Contains(body, dataDir) {
		t.Errorf("the error shows the data path: %.300s", body)
	}
	if got := missing(t, p.url, acked); len(got) > 0 {
		t.Fatalf("on a full disk, %d acknowledged documents are not readable", len(got))
	}
	p.kill(t)
	p = startEmulator(t, dataDir, repoDir)
	if got := missing(t, p.url, acked); len(got) > 0 {
		t.Fatalf("after restart, %d of %d acknowledged documents lost, e.g. %v", len(got), len(acked), got[0])
	}
	if status, _, _ := send("GET", p.url+"/crash/_doc/after-full", ""); status == 200 {
		t.Errorf("a refused write is visible after restart")
	}
}

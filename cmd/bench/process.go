package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// childServer is the reference server's binary running as a child process on the
// embedded Elasticsearch, for the figures that need its own memory.
type childServer struct {
	cmd   *exec.Cmd
	URL   string // the backup API's base URL
	ESURL string // the embedded Elasticsearch
	done  chan error
}

// startChild starts the server binary on dataDir with free loopback ports and returns once
// it serves.
func startChild(ctx context.Context, binary, dataDir string) (*childServer, error) {
	cmd := exec.Command(binary, "--listen", "127.0.0.1:0", "--embedded-elasticsearch-listen", "127.0.0.1:0",
		"--data-dir", dataDir, "--log-format", "json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	c := &childServer{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan struct{})
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "embedded Elasticsearch: "); ok {
				c.ESURL = v
			}
			if v, ok := strings.CutPrefix(line, "listening on "); ok {
				c.URL = v
				once.Do(func() { close(ready) })
			}
		}
	}()
	go func() { c.done <- cmd.Wait() }()
	t := time.NewTimer(waitTimeout)
	defer t.Stop()
	select {
	case <-ready:
		return c, nil
	case err := <-c.done:
		return nil, fmt.Errorf("%s exited before serving: %v", binary, err)
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	case <-t.C:
		c.stop()
		return nil, errors.New("the server binary did not start serving in time")
	}
}

// stop ends the child with SIGTERM and waits for it.
func (c *childServer) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case err := <-c.done:
		_ = err // the exit status of a stopped server is of no interest
	case <-t.C:
		_ = c.cmd.Process.Kill()
		err := <-c.done
		_ = err // killed: its exit status says only that
	}
}

// pid returns the child's process id.
func (c *childServer) pid() int { return c.cmd.Process.Pid }

// procStatusKB reads a kB field (VmRSS, VmHWM) of /proc/<pid>/status.
func procStatusKB(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// mib converts kB to MiB.
func mib(kb int64) float64 { return float64(kb) / 1024 }

// rssSampler follows the resident memory of the processes find returns and keeps the peak.
type rssSampler struct {
	stop chan struct{}
	done chan int64
}

// sampleRSS samples VmRSS of the processes find returns every few milliseconds until the
// sampler is stopped.
func sampleRSS(find func() []int) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		var peak int64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			for _, pid := range find() {
				if kb, err := procStatusKB(pid, "VmRSS"); err == nil {
					peak = max(peak, kb)
				}
			}
			select {
			case <-s.stop:
				s.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Peak stops the sampler and returns the largest VmRSS seen, in kB.
func (s *rssSampler) Peak() int64 {
	close(s.stop)
	return <-s.done
}

// pidsOf returns the processes whose executable is path.
func pidsOf(path string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == path {
			pids = append(pids, pid)
		}
	}
	return pids
}

package devstack

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// processesUnder returns the live processes, other than this one and those in except, whose command line or
// working directory refers to dir — the agents themselves and Nomad's executors and log collectors.
func processesUnder(dir string, except map[int]bool) []int {
	if dir == "" {
		return nil
	}
	dir = filepath.Clean(dir)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() || pid == 1 || except[pid] {
			continue
		}
		if refersTo(pid, dir) && (&process{PID: pid}).alive() {
			out = append(out, pid)
		}
	}
	return out
}

// killProcessesUnder SIGKILLs every process that refers to dir and returns how many it found.
func killProcessesUnder(dir string) int {
	pids := processesUnder(dir, nil)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return len(pids)
}

// waitTasksGone waits, up to timeout, until no process refers to dir but the agents (tasks stopping with a
// shutdown delay keep their executors alive for a while after their job is gone).
func waitTasksGone(dir string, agents []*process, timeout time.Duration) {
	except := map[int]bool{}
	for _, a := range agents {
		if a != nil {
			except[a.PID] = true
		}
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && len(processesUnder(dir, except)) > 0 {
		time.Sleep(200 * time.Millisecond)
	}
}

func refersTo(pid int, dir string) bool {
	base := "/proc/" + strconv.Itoa(pid)
	if cwd, err := os.Readlink(base + "/cwd"); err == nil && within(cwd, dir) {
		return true
	}
	cmdline, err := os.ReadFile(base + "/cmdline")
	if err != nil {
		return false
	}
	for _, arg := range bytes.Split(cmdline, []byte{0}) {
		if bytes.Contains(arg, []byte(dir+"/")) || string(arg) == dir {
			return true
		}
	}
	return false
}

func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// unmountUnder lazily unmounts every mount point below dir (Nomad mounts secrets tmpfs and, for exec tasks,
// bind mounts into allocation dirs), deepest first, so that the dir can be removed.
func unmountUnder(dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if within(mp, filepath.Clean(dir)) {
			points = append(points, mp)
		}
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	for _, mp := range points {
		_ = syscall.Unmount(mp, syscall.MNT_DETACH)
	}
}

// unescapeMount undoes the octal escapes (\040 for space) of /proc/self/mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

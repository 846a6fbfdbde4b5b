package planner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/skiffpaas/skiff/planner/compile"
	"io"
	"sort"
	"strings"
	"sync"

	nomadapi "github.com/hashicorp/nomad/api"
)

// LogsOptions select what Logs prints.
type LogsOptions struct {
	// Follow keeps streaming until ctx ends.
	Follow bool
	// Stderr selects stderr instead of stdout.
	Stderr bool
	// Tail is how many bytes of each allocation's log to start from (0: 4 KiB).
	Tail int64
}

// Logs writes the logs of the app's process to w, one line at a time, each prefixed with the short ID of the
// allocation it came from. For service processes it reads the running allocations; for batch processes the
// most recent runs. Following opens one stream per allocation.
func (s *Stack) Logs(ctx context.Context, ns, app, process string, opts LogsOptions, w io.Writer) error {
	ref, err := s.Process(ctx, ns, app, process)
	if err != nil {
		return err
	}
	allocs, err := s.processAllocs(ctx, ns, ref)
	if err != nil {
		return err
	}
	if len(allocs) == 0 {
		return fmt.Errorf("process %q has no allocations", process)
	}
	tail := opts.Tail
	if tail <= 0 {
		tail = 4096
	}
	typ := "stdout"
	if opts.Stderr {
		typ = "stderr"
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(allocs))
	for _, a := range allocs {
		wg.Add(1)
		go func(a *nomadapi.Allocation) {
			defer wg.Done()
			errs <- s.streamLogs(ctx, a, process, typ, tail, opts.Follow, w, &mu)
		}(a)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

// processAllocs returns the allocations to read: running ones of a service process, else the last five runs.
func (s *Stack) processAllocs(ctx context.Context, ns string, ref *ProcessRef) ([]*nomadapi.Allocation, error) {
	q := (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx)
	jobIDs := []string{ref.JobID}
	if ref.Kind == compile.KindCron || ref.Kind == compile.KindFunction || ref.Kind == compile.KindRelease {
		kids, err := s.children(ctx, ns, ref.JobID)
		if err != nil {
			return nil, err
		}
		jobIDs = jobIDs[:0]
		for id := range kids {
			jobIDs = append(jobIDs, id)
		}
	}
	var stubs []*nomadapi.AllocationListStub
	for _, id := range jobIDs {
		as, _, err := s.Nomad.Jobs().Allocations(id, false, q)
		if err != nil {
			return nil, fmt.Errorf("listing allocations of %s: %w", id, err)
		}
		for _, a := range as {
			if a.TaskGroup == ref.Group && (ref.Kind != compile.KindService || a.ClientStatus == nomadapi.AllocClientStatusRunning) {
				stubs = append(stubs, a)
			}
		}
	}
	sortNewestFirst(stubs)
	if len(stubs) > 5 && ref.Kind != compile.KindService {
		stubs = stubs[:5]
	}
	var out []*nomadapi.Allocation
	for _, st := range stubs {
		a, _, err := s.Nomad.Allocations().Info(st.ID, q)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (s *Stack) streamLogs(ctx context.Context, a *nomadapi.Allocation, task, typ string, tail int64, follow bool, w io.Writer, mu *sync.Mutex) error {
	cancel := make(chan struct{})
	defer close(cancel)
	q := (&nomadapi.QueryOptions{Namespace: a.Namespace}).WithContext(ctx)
	frames, errs := s.Nomad.AllocFS().Logs(a, follow, task, typ, "end", tail, cancel, q)
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		prefix := "[" + shortID(a.ID) + "] "
		for sc.Scan() {
			mu.Lock()
			fmt.Fprintln(w, prefix+strings.TrimRight(sc.Text(), "\r"))
			mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	defer func() { <-done }()
	defer pw.Close()
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				return nil
			}
			if len(f.Data) > 0 {
				_, _ = pw.Write(f.Data)
			}
		case err := <-errs:
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("reading logs of allocation %s: %w", shortID(a.ID), err)
			}
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

func sortNewestFirst(as []*nomadapi.AllocationListStub) {
	sort.Slice(as, func(i, j int) bool { return as[i].CreateTime > as[j].CreateTime })
}

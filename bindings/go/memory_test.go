package deployhook_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"deployhook"
	"deployhook/internal/cheap"
)

// rss is the process's resident set size in KiB (VmRSS).
func rss(t *testing.T) int {
	file, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if fields := strings.Fields(scanner.Text()); len(fields) >= 2 && fields[0] == "VmRSS:" {
			kib, _ := strconv.Atoi(fields[1])
			return kib
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// settled is the RSS in KiB, and the C heap and the Go heap in use in bytes, after a garbage collection.
func settled(t *testing.T) (int, int64, int64) {
	runtime.GC()
	debug.FreeOSMemory()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return rss(t), cheap.InUse(), int64(stats.HeapAlloc)
}

// heapGrowth runs f n times per round for rounds rounds, after a garbage collection each, and returns the
// smallest growth over a round of the C heap and of the Go heap, in bytes, and the RSS growth in KiB. A
// call that leaves an allocation behind (a result, an options copy, a C string: 32 bytes at least in glibc;
// a cgo.Handle in Go's) grows every round by 32 * n or more; the library's own caches (per thread, per
// connection) fill up in bursts on the first tens of thousands of calls from Go's several threads (a C
// program rotating 5 threads does the same), so some rounds grow without a leak, but not all of them.
func heapGrowth(t *testing.T, rounds, n int, f func(i int)) (cHeap, goHeap int64, rssGrowth int) {
	cHeap, goHeap = -1, -1
	rssStart, _, _ := settled(t)
	rssEnd := rssStart
	for r := 0; r < rounds; r++ {
		_, cBefore, goBefore := settled(t)
		for i := 0; i < n; i++ {
			f(i)
		}
		var cAfter, goAfter int64
		rssEnd, cAfter, goAfter = settled(t)
		if grown := cAfter - cBefore; cHeap < 0 || grown < cHeap {
			cHeap = grown
		}
		if grown := goAfter - goBefore; goHeap < 0 || grown < goHeap {
			goHeap = grown
		}
	}
	return cHeap, goHeap, rssEnd - rssStart
}

// 10,000 triggers through one client (a result read and freed each time, half of them with a context
// that can end: a linked copy of the options, watched) leave the RSS (without -race: see race_test.go), the
// C heap and the Go heap flat.
func TestManyTriggersFlat(t *testing.T) { // not parallel: it measures the process
	client := newClient(t)
	trigger := func(i int) {
		ctx, cancel := context.Background(), context.CancelFunc(func() {})
		if i%2 == 1 {
			ctx, cancel = context.WithCancel(ctx)
		}
		build, err := client.Trigger(ctx, scenarios["ok"])
		cancel()
		if err != nil || build.Status != deployhook.StatusQueued {
			t.Fatalf("trigger %d: %v", i, err)
		}
	}
	for i := 0; i < 2000; i++ { // warm-up: the library's one-time set-up, the connection, Go's heap
		trigger(i)
	}
	cHeap, goHeap, rssGrowth := heapGrowth(t, 5, 2000, trigger)
	t.Logf("10,000 triggers: RSS %+d KiB; over the least round of 2,000 the C heap grew by %d bytes, Go's by %d",
		rssGrowth, cHeap, goHeap)
	if rssGrowth > 4096 && !raceDetector {
		t.Errorf("RSS grew by %d KiB over 10,000 triggers (more than 4 MiB)", rssGrowth)
	}
	if cHeap > 2000*16 || goHeap > 2000*16 {
		t.Errorf("over every round of 2,000 triggers the C heap grew by %d bytes or more, Go's by %d: "+
			"something is not freed", cHeap, goHeap)
	}
}

// Every other path frees what it makes: errors, TriggerMany, waits with callbacks (a cgo.Handle), cancels,
// cancelled calls, strings with NUL, refused options, clients made and closed.
func TestEveryPathFreed(t *testing.T) { // not parallel: it measures the process
	client := newClient(t)
	ctx := context.Background()
	round := func(int) {
		if _, err := client.Trigger(ctx, scenarios["unknown"]); !errors.Is(err, deployhook.ErrNotFound) {
			t.Fatalf("unknown: %v", err)
		}
		if _, err := client.Trigger(ctx, scenarios["ok"]+"\x00"); !errors.Is(err, deployhook.ErrInvalidArgument) {
			t.Fatalf("NUL: %v", err)
		}
		results, err := client.TriggerMany(ctx, []string{scenarios["ok"], "not-a-hook", scenarios["unknown"]})
		if err != nil || results[0].Err != nil || results[1].Err == nil || results[2].Err == nil {
			t.Fatalf("TriggerMany: %v %v", results, err)
		}
		lines := 0
		if _, err := client.Wait(ctx, buildOf("logs_seconds"), deployhook.WaitOptions{
			OnStatus: func(string, deployhook.Status) {}, OnLog: func(string, time.Time) { lines++ },
		}); err != nil || lines != 3 {
			t.Fatalf("Wait: %v, %d lines", err, lines)
		}
		if _, err := client.Cancel(ctx, buildOf("cancel_stopped")); err != nil {
			t.Fatalf("Cancel: %v", err)
		}
		done, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := client.Trigger(done, scenarios["ok"]); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled: %v", err)
		}
		if _, err := deployhook.NewClient(deployhook.WithBaseURL(fakeBase), deployhook.WithMaxRetries(-1)); err == nil {
			t.Fatal("a refused option")
		}
		other, err := deployhook.NewClient(deployhook.WithBaseURL(fakeBase), deployhook.WithAPIToken(fakeToken))
		if err != nil {
			t.Fatal(err)
		}
		other.Close()
	}
	for i := 0; i < 300; i++ {
		round(i)
	}
	cHeap, goHeap, rssGrowth := heapGrowth(t, 4, 400, round)
	t.Logf("1,600 rounds of every path: RSS %+d KiB; over the least round of 400 the C heap grew by %d bytes, "+
		"Go's by %d", rssGrowth, cHeap, goHeap)
	if cHeap > 400*48 || (goHeap > 400*24 && !raceDetector) { // the race detector's heap is noisier
		t.Errorf("over every round of 400 the C heap grew by %d bytes or more, Go's by %d: something is not freed",
			cHeap, goHeap)
	}
}

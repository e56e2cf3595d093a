// Command steady is benchmarks/steady_deployhook.c through the Go binding: one client (the API base set),
// one untimed warm-up trigger, then COUNT sequential Client.Trigger calls with context.Background(), each
// checked for success (a queued build). Prints the seconds the COUNT triggers took.
//
// Usage: steady BASE_URL HOOK COUNT      (built and run by bindings/go/bench.sh)
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"deployhook"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintf(os.Stderr, "usage: %s BASE_URL HOOK COUNT\n", os.Args[0])
		os.Exit(2)
	}
	hook := os.Args[2]
	count, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "steady: bad COUNT")
		os.Exit(2)
	}
	client, err := deployhook.NewClient(deployhook.WithBaseURL(os.Args[1]))
	if err != nil {
		fmt.Fprintf(os.Stderr, "steady: bad options: %v\n", err)
		os.Exit(2)
	}
	ctx := context.Background()
	triggerOnce := func() {
		build, err := client.Trigger(ctx, hook)
		if err != nil || build.Status != deployhook.StatusQueued {
			fmt.Fprintf(os.Stderr, "steady: trigger failed: %v\n", err)
			os.Exit(1)
		}
	}
	triggerOnce() // warm-up: one-time initialisation, first connection
	start := time.Now()
	for i := 0; i < count; i++ {
		triggerOnce()
	}
	elapsed := time.Since(start)
	client.Close()
	fmt.Printf("%.6f\n", elapsed.Seconds())
}

// Command atende-bench seeds a large Atende database and measures the
// performance targets of DESIGN §4 against it (see BENCHMARKS.md).
//
//	atende-bench seed --data DIR --conversations N --messages M
//	atende-bench load --data DIR --phases inbox,counters,inbound,ws-latency,search,idle
//
// Every load request targets 127.0.0.1 only, and every loop is bounded in
// time and in count.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seedCmd(ctx, os.Args[2:])
	case "load":
		err = loadCmd(ctx, os.Args[2:])
	case "explain":
		err = explainCmd(ctx, os.Args[2:])
	default:
		usage()
		os.Exit(2)
	}
	stopProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "atende-bench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  atende-bench seed (--data DIR | --database-url URL) --conversations N --messages M [--workspace-slug bench]
  atende-bench load (--data DIR | --database-url URL) [--bin bin/atende] [--phases inbox,counters,inbound,ws-latency,search,idle] [--duration 10s]`)
}

func init() {
	if p := os.Getenv("ATENDE_BENCH_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			_ = pprof.StartCPUProfile(f)
			stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		}
	}
}

var stopProfile = func() {}

// Command outboundbench measures deskgate's outbound queue: it enqueues N
// DKIM-signed emails into a fresh store and delivers them to a smarthost
// (smtp-sink in bench/outbound.sh) over a given number of concurrent
// connections, then prints the rates. It is a benchmark helper, not part
// of the server.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/outbound"
	"github.com/deskgate/deskgate/store"
	_ "github.com/deskgate/deskgate/store/boltstore" // store.Open of a directory
)

func main() {
	n := flag.Int("n", 5000, "emails to send")
	conns := flag.Int("conns", 10, "concurrent connections to the smarthost")
	smarthost := flag.String("smarthost", "127.0.0.1:2526", "host:port of the upstream (smtp-sink)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "outboundbench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "outboundbench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*n, *conns, *smarthost); err != nil {
		fmt.Fprintln(os.Stderr, "outboundbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(n, conns int, smarthost string) error {
	dir, err := os.MkdirTemp("", "outboundbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(context.Background(), dir, store.Options{}) // a directory: bbolt
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := outbound.LoadOrCreateKeys(dir, time.Now())
	if err != nil {
		return err
	}
	svc := bridge.New(st, bridge.Config{Domains: []string{"support.test"}, Hostname: "support.test", TokenKey: make([]byte, 32)}, nil, nil)
	q, err := outbound.New(st, outbound.Options{
		Domain: "support.test", Keys: keys, BounceAddress: svc.Addresses.BounceAddress, Outcomes: svc.Messaging, Smarthost: smarthost,
		MaxWorkers: conns, MaxPerDestination: conns, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return err
	}

	start := time.Now()
	const perTx = 100 // the bridge enqueues in its own transactions; batch to keep the run short
	for i := 0; i < n; i += perTx {
		err := st.Update(context.Background(), func(tx store.Tx) error {
			for j := i; j < min(i+perTx, n); j++ {
				if _, err := q.Enqueue(tx, email(j)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	enqueued := time.Since(start)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	deliverStart := time.Now()
	go func() { done <- q.Run(ctx) }()
	for {
		var pending int
		_ = st.View(ctx, func(tx store.Tx) error { var err error; pending, err = tx.OutboundPending(); return err })
		if pending == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	delivered := time.Since(deliverStart)
	cancel()
	<-done
	var sent int
	_ = st.View(context.Background(), func(tx store.Tx) error {
		for id := uint64(1); id <= uint64(n); id++ {
			if rec, err := tx.Outbound(id); err == nil && rec.State == store.OutboundSent {
				sent++
			}
		}
		return nil
	})
	fmt.Printf("deskgate: %d emails enqueued (composed) in %.2fs; signed and delivered %d over %d connections in %.2fs = %.0f emails/s (end to end %.0f/s)\n",
		n, enqueued.Seconds(), sent, conns, delivered.Seconds(), float64(sent)/delivered.Seconds(), float64(sent)/(enqueued+delivered).Seconds())
	if sent != n {
		return fmt.Errorf("only %d of %d sent", sent, n)
	}
	return nil
}

func email(i int) *bridge.Email {
	return &bridge.Email{
		Recipient:    store.Recipient{Type: store.KindCustomer, ID: uint64(i + 1), Email: fmt.Sprintf("customer%d@example.org", i), Name: "Customer"},
		Conversation: store.Conversation{ID: uint64(i%50 + 1), Subject: "Benchmark conversation"},
		Messages: []store.Message{{ID: uint64(i + 1), Author: store.Author{Name: "Alice Agent"}, CreatedAt: time.Now(),
			Body: strings.Repeat("A reasonably long line of a support answer. ", 30)}},
		MessageID: fmt.Sprintf("dg.bench%d@support.test", i), InReplyTo: "root@support.test", References: []string{"root@support.test"},
		ReplyTo: "reply+bench@support.test", FromName: "Alice Agent",
	}
}

// Command dnstestd is internal/dnstest as a program, for shell tests
// (scripts/e2e-swaks.sh): an authoritative DNS server on loopback that
// answers from the zone-file records given as arguments (none: every
// name does not exist), prints its host:port on stdout, and runs until
// killed. It makes a test's DNS the same on every machine.
//
//	dnstestd 'example.test. 300 IN TXT "v=spf1 -all"' ...
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/deskgate/deskgate/internal/dnstest"
)

func main() {
	s, err := dnstest.Listen("127.0.0.1")
	if err != nil {
		fmt.Fprintln(os.Stderr, "dnstestd:", err)
		os.Exit(1)
	}
	if err := s.AddRecords(os.Args[1:]...); err != nil {
		fmt.Fprintln(os.Stderr, "dnstestd:", err)
		os.Exit(2)
	}
	fmt.Println(s.Addr)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	s.Close()
}

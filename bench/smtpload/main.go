// Command smtpload drives an SMTP server with concurrent sessions and
// reports messages per second and the time from the final dot of DATA to
// the server's reply (p50, p99): the latency of a durable accept. It is
// the latency half of bench/smtp-inbound.sh (smtp-source gives the
// throughput); it talks to deskgate and Postfix alike.
//
//	smtpload -addr 127.0.0.1:2525 -s 20 -m 2000 -l 2000 -f a@x.test -t support@support.test
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:2525", "server host:port")
	sessions := flag.Int("s", 20, "concurrent sessions")
	total := flag.Int("m", 2000, "messages in all")
	size := flag.Int("l", 2000, "message size in bytes")
	from := flag.String("f", "a@x.test", "envelope sender")
	to := flag.String("t", "support@support.test", "recipient")
	perConn := flag.Int("C", 0, "messages per connection (0: one connection per session for all)")
	flag.Parse()
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for s := 0; s < *sessions; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for more := true; more; {
				sent := 0
				ls, err := session(*addr, *from, *to, *size, func() (int64, bool) {
					if *perConn > 0 && sent == *perConn {
						return 0, false
					}
					n := next.Add(1)
					sent++
					more = n < int64(*total)
					return n, n <= int64(*total)
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, "smtpload:", err)
					failed.Add(1)
					more = false
				}
				mu.Lock()
				lat = append(lat, ls...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("messages=%d seconds=%.2f msg_per_s=%.0f p50_ms=%.2f p99_ms=%.2f failed_sessions=%d\n",
		len(lat), el.Seconds(), float64(len(lat))/el.Seconds(),
		float64(pct(0.50).Microseconds())/1000, float64(pct(0.99).Microseconds())/1000, failed.Load())
	if failed.Load() > 0 || len(lat) < *total {
		os.Exit(1)
	}
}

// session sends messages over one connection while take allows, and
// returns each message's dot-to-250 time.
func session(addr, from, to string, size int, take func() (int64, bool)) ([]time.Duration, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tp := textproto.NewConn(conn)
	w := bufio.NewWriterSize(conn, 8192)
	cmd := func(want int, format string, args ...any) error {
		if format != "" {
			fmt.Fprintf(w, format+"\r\n", args...)
			if err := w.Flush(); err != nil {
				return err
			}
		}
		_, _, err := tp.ReadResponse(want)
		return err
	}
	if err := cmd(220, ""); err != nil {
		return nil, err
	}
	if err := cmd(250, "EHLO smtpload.example"); err != nil {
		return nil, err
	}
	var out []time.Duration
	pad := strings.Repeat("x", 70) + "\r\n"
	for {
		n, ok := take()
		if !ok {
			_ = cmd(221, "QUIT")
			return out, nil
		}
		if err := cmd(250, "MAIL FROM:<%s>", from); err != nil {
			return out, err
		}
		if err := cmd(250, "RCPT TO:<%s>", to); err != nil {
			return out, err
		}
		if err := cmd(354, "DATA"); err != nil {
			return out, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "From: <%s>\r\nTo: <%s>\r\nSubject: load %d\r\nMessage-ID: <load-%d-%d@smtpload.example>\r\n\r\n", from, to, n, n, time.Now().UnixNano())
		for b.Len() < size {
			b.WriteString(pad)
		}
		w.WriteString(b.String())
		w.WriteString(".\r\n")
		dot := time.Now()
		if err := w.Flush(); err != nil {
			return out, err
		}
		if _, _, err := tp.ReadResponse(250); err != nil {
			return out, err
		}
		out = append(out, time.Since(dot))
	}
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// cmdHealthcheck runs `deskgate healthcheck [--config FILE] [--url URL]`:
// GET /healthz of the server this configuration describes (on loopback
// when DESKGATE_HTTP_ADDR is a wildcard) and exit 0 only for 200
// {"status":"ok"}. For the HEALTHCHECK of the distroless image, which has
// no shell and no curl.
func cmdHealthcheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	target := fs.String("url", "", "the /healthz URL to check (default: from DESKGATE_HTTP_ADDR)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	cfg, code, stop := flagsAndConfig(fs, args, stderr)
	if stop {
		return code
	}
	u := *target
	if u == "" {
		u = "http://" + dialAddr(cfg.HTTPAddr) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: healthcheck: %v\n", err)
		return 2
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: healthcheck %s: %v\n", u, err)
		return 1
	}
	defer res.Body.Close()
	var h struct{ Status string }
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	_ = json.Unmarshal(body, &h)
	if res.StatusCode != http.StatusOK || h.Status != "ok" {
		fmt.Fprintf(stderr, "deskgate: healthcheck %s: %d %s\n", u, res.StatusCode, body)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", body)
	return 0
}

// dialAddr is where a client on this machine reaches a listen address:
// a wildcard host becomes loopback.
func dialAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1" // Go's [::] listener is dual-stack
	}
	return net.JoinHostPort(host, port)
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strings"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/config"
	"github.com/deskgate/deskgate/loopguard"
)

// maxInspectBytes bounds one message read by inspect.
const maxInspectBytes = 256 << 20

// cmdInspect is `deskgate inspect [--config FILE] [--mail-from ADDR] FILE...`
// (SPEC §2): for each raw message ("-" = stdin) one JSON line of what the
// server would make of it (bridge.Analyze, the code Receive uses), stored
// nowhere. A file that cannot be read or parsed still gets a line, with
// errors; the exit status is 1 then.
func cmdInspect(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "TOML configuration file (for the hostname and domains of the loop guard)")
	mailFrom := fs.String("mail-from", "", "envelope sender (MAIL FROM) to assume; default: the Return-Path header, else From; \"<>\" is the null sender")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: deskgate inspect [--config FILE] [--mail-from ADDR] FILE... (- = stdin)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	cfg, err := config.Load(*path, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: %v\n", err)
		return 2
	}
	guard := loopguard.New(loopguard.Config{Hostname: cfg.Hostname, Domains: cfg.Domains})
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	status := 0
	for _, name := range fs.Args() {
		raw, err := readMessage(name, stdin)
		var a bridge.Analysis
		if err != nil {
			status = 1
			a = bridge.Analyze(nil, "", guard)
			a.Class, a.Reason = "", ""
			a.Errors = []string{"read: " + err.Error()}
		} else {
			a = bridge.Analyze(raw, envelopeSender(raw, *mailFrom), guard)
		}
		a.File = name
		if err := enc.Encode(a); err != nil {
			fmt.Fprintf(stderr, "deskgate: %v\n", err)
			return 1
		}
	}
	return status
}

// readMessage reads a file, or stdin for "-".
func readMessage(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxInspectBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxInspectBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxInspectBytes)
	}
	return raw, nil
}

// envelopeSender is the MAIL FROM inspect assumes: the flag, else the
// Return-Path a delivering MTA records (RFC 5321 §4.4), else From.
func envelopeSender(raw []byte, flagValue string) string {
	if flagValue != "" {
		return strings.Trim(flagValue, "<>")
	}
	end := bytes.Index(raw, []byte("\n\n"))
	if e := bytes.Index(raw, []byte("\r\n\r\n")); e >= 0 && (end < 0 || e < end) {
		end = e
	}
	head := raw
	if end >= 0 {
		head = raw[:end]
	}
	var from string
	for _, line := range strings.Split(string(head), "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "return-path":
			return strings.Trim(strings.TrimSpace(v), "<>")
		case "from":
			if a, err := mail.ParseAddress(strings.TrimSpace(v)); err == nil && from == "" {
				from = a.Address
			}
		}
	}
	return from
}

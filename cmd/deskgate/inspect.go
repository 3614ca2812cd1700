package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/loopguard"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/deskgate/deskgate/senderauth"
)

// maxInspectBytes bounds one message read by inspect.
const maxInspectBytes = 256 << 20

// cmdInspect is `deskgate inspect [--config FILE] [--mail-from ADDR] [--dns
// [--ip IP] [--helo NAME]] FILE...`
// (SPEC §2): for each raw message ("-" = stdin) one JSON line of what the
// server would make of it (bridge.Analyze, the code Receive uses), stored
// nowhere. A file that cannot be read or parsed still gets a line, with
// errors; the exit status is 1 then. With --dns it also runs the sender
// checks (SPEC §12) the server runs, printed as "auth".
func cmdInspect(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "TOML configuration file (for the hostname and domains of the loop guard)")
	mailFrom := fs.String("mail-from", "", "envelope sender (MAIL FROM) to assume; default: the Return-Path header, else From, else a non-null unknown sender; \"<>\" is the null sender")
	dns := fs.Bool("dns", false, "also run the sender checks (SPF, DKIM, DMARC, ARC) against DNS (DESKGATE_DNS) and print them as \"auth\"")
	ip := fs.String("ip", "", "with --dns: the client IP the mail came from, for SPF (default: none, spf=none)")
	helo := fs.String("helo", "", "with --dns: the client's EHLO name, for SPF")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: deskgate inspect [--config FILE] [--mail-from ADDR] [--dns [--ip IP] [--helo NAME]] FILE... (- = stdin)")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return 2
	}
	guard := loopguard.New(loopguard.Config{Hostname: cfg.Hostname, Domains: cfg.Domains})
	var checker *senderauth.Checker
	var clientIP net.IP
	if *dns {
		res, err := senderauth.NewResolver(senderauth.ResolverOptions{Server: cfg.DNS})
		if err != nil {
			fmt.Fprintf(stderr, "deskgate: %v\n", err)
			return 2
		}
		checker = senderauth.New(res, senderauth.Options{ARCTrusted: cfg.ARCTrusted})
		if *ip != "" {
			if clientIP = net.ParseIP(*ip); clientIP == nil {
				fmt.Fprintf(stderr, "deskgate: --ip %q is not an IP address\n", *ip)
				return 2
			}
		}
	}
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
			a.Class, a.Reason, a.AutoAnswerReason = "", "", ""
			a.Errors = []string{"read: " + err.Error()}
		} else {
			from := envelopeSender(raw, *mailFrom)
			a = bridge.Analyze(raw, from, guard)
			if checker != nil {
				a.Auth = checker.Check(context.Background(), senderauth.Input{IP: clientIP, Helo: *helo, MailFrom: from, Raw: raw, Mail: a.Mail})
			}
			if len(raw) == 0 {
				a.Errors = append(a.Errors, "empty message")
			}
			if unparsable(a) {
				status = 1
			}
		}
		a.File = name
		if err := enc.Encode(a); err != nil {
			fmt.Fprintf(stderr, "deskgate: %v\n", err)
			return 1
		}
	}
	return status
}

// unparsable reports whether not even a header could be read from the
// message (the "parse:" error bridge.Analyze records), or it was empty.
func unparsable(a bridge.Analysis) bool {
	for _, e := range a.Errors {
		if strings.HasPrefix(e, "parse: ") || e == "empty message" {
			return true
		}
	}
	return false
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

// unknownSender is the envelope sender inspect assumes for a message that
// names none (no Return-Path, no readable From): a non-null reverse path
// in the reserved .invalid domain (RFC 2606 §2), so that such a message is
// not taken for a bounce just because the file lacks an envelope.
const unknownSender = "unknown-sender@sender.invalid"

// envelopeSender is the MAIL FROM inspect assumes: the flag, else the
// Return-Path a delivering MTA records (RFC 5321 §4.4; "<>" is the null
// reverse path), else the From address as the server's parser reads it
// (RFC 2047 names, odd syntax), else unknownSender.
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
	for _, line := range strings.Split(string(head), "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "return-path") {
			return strings.Trim(strings.TrimSpace(v), "<>")
		}
	}
	if m, _ := mailparse.Parse(raw); m != nil && m.From.Email != "" {
		return m.From.Email
	}
	return unknownSender
}

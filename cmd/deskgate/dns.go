package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/deskgate/deskgate/config"
)

// cmdDNS runs `deskgate dns [--config FILE]`: the records a mail
// administrator publishes for deskgate, in zone-file syntax, per domain:
// MX (mail for the domain reaches this host), SPF (who may send as it),
// the DKIM keys (the first domain: every email is From and signed on
// it), DMARC with the reporting address, and the PTR/HELO name to ask the
// hosting provider for. Lines starting with ";" say what to adapt.
func cmdDNS(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dns", flag.ContinueOnError)
	cfg, code, stop := flagsAndConfig(fs, args, stderr)
	if stop {
		return code
	}
	dkim, err := dkimZoneLines(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: %v\n", err)
		return 1
	}
	writeDNS(stdout, cfg, dkim)
	return 0
}

// writeDNS writes the records of cfg's domains; dkim are the DKIM lines.
func writeDNS(w io.Writer, cfg config.Config, dkim []string) {
	host := cfg.Hostname + "."
	first := cfg.Domains[0]
	fmt.Fprintf(w, "; DNS records for deskgate (%s). Zone-file syntax; docs/operating.md explains each.\n", cfg.Hostname)
	fmt.Fprintf(w, ";\n; This host: its name must resolve to its public address, and that address's\n")
	fmt.Fprintf(w, "; PTR record (asked of the hosting provider) must name it back: receivers check it.\n")
	fmt.Fprintf(w, "%s\tA\t<public IPv4 of this host>\n", host)
	fmt.Fprintf(w, "; <reversed IPv4>.in-addr.arpa.\tPTR\t%s\t(set by the provider of the address)\n", host)
	spf := "v=spf1 mx -all"
	if cfg.Smarthost != "" {
		relay, _, _ := net.SplitHostPort(cfg.Smarthost)
		fmt.Fprintf(w, ";\n; Outbound mail leaves through the smarthost %s: add its SPF mechanism\n", relay)
		fmt.Fprintf(w, "; (the include: its provider documents) and keep \"mx\" only if this host also sends.\n")
		spf = "v=spf1 mx include:<your relay's SPF domain> ~all"
	}
	for i, d := range cfg.Domains {
		fmt.Fprintf(w, ";\n; %s\n", d)
		fmt.Fprintf(w, "%s.\tMX\t10 %s\n", d, host)
		if i == 0 {
			// Every email is From notifications@ and enveloped bounce+…@ the first domain.
			fmt.Fprintf(w, "%s.\tTXT\t%q\n", d, spf)
			for _, l := range dkim {
				fmt.Fprintln(w, l)
			}
		} else {
			fmt.Fprintf(w, "; deskgate sends nothing as %s (its emails are From %s). If nothing else does either:\n", d, first)
			fmt.Fprintf(w, "%s.\tTXT\t\"v=spf1 -all\"\n", d)
		}
		fmt.Fprintf(w, "_dmarc.%s.\tTXT\t%q\n", d, dmarcRecord(cfg))
	}
	if cfg.DMARCReport == "" {
		fmt.Fprintf(w, ";\n; No DMARC reporting address: set DESKGATE_DMARC_REPORT to a mailbox that reads\n")
		fmt.Fprintf(w, "; aggregate reports (not one of deskgate's: it takes only support@, replies and bounces).\n")
	} else if _, rd, _ := strings.Cut(cfg.DMARCReport, "@"); !isOneOf(rd, cfg.Domains) {
		fmt.Fprintf(w, ";\n; %s is on another domain: it must allow the reports (RFC 7489 §7.1), e.g.\n", cfg.DMARCReport)
		fmt.Fprintf(w, "%s._report._dmarc.%s.\tTXT\t\"v=DMARC1\"\n", first, rd)
	}
}

// dmarcRecord is the DMARC policy deskgate's mail passes (aligned SPF and
// DKIM on the first domain): quarantine what fails, reports to
// DESKGATE_DMARC_REPORT.
func dmarcRecord(cfg config.Config) string {
	r := "v=DMARC1; p=quarantine; adkim=r; aspf=r"
	if cfg.DMARCReport != "" {
		r += "; rua=mailto:" + cfg.DMARCReport
	}
	return r
}

func isOneOf(d string, list []string) bool {
	for _, x := range list {
		if strings.EqualFold(d, x) {
			return true
		}
	}
	return false
}

// Command deskgate is the email gateway of a helpdesk messenger: the MX of
// the support domain, a DKIM-signing outbound queue and a REST API, in one
// binary with one embedded database file.
//
//	deskgate serve [--config FILE]   run everything
//	deskgate version                 print the version
//	deskgate config sample           print a commented TOML file of every setting
//	deskgate dkim dns [--config FILE] print the DKIM DNS records
//	deskgate inspect FILE...         analyse raw messages as the server would
//	deskgate migrate                 apply PostgreSQL schema migrations
//	deskgate store copy --to URL     copy the store into an empty one
//	deskgate store backup FILE       a consistent copy of the bbolt store, while serving
//	deskgate dns                     the DNS records to publish for each domain
//	deskgate healthcheck             exit 0 when the server answers /healthz
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(args[1:], stderr)
	case "version", "--version", "-v":
		if len(args) > 1 && isHelp(args[1]) {
			fmt.Fprintln(stdout, "usage: deskgate version   print the version and the commit it was built from")
			return 0
		}
		fmt.Fprintf(stdout, "deskgate %s\n", versionString())
		return 0
	case "config":
		return cmdConfig(args[1:], stdout, stderr)
	case "dkim":
		return cmdDKIM(args[1:], stdout, stderr)
	case "inspect":
		return cmdInspect(args[1:], stdin, stdout, stderr)
	case "migrate":
		return cmdMigrate(args[1:], stdout, stderr)
	case "store":
		return cmdStore(args[1:], stdout, stderr)
	case "dns":
		return cmdDNS(args[1:], stdout, stderr)
	case "healthcheck":
		return cmdHealthcheck(args[1:], stdout, stderr)
	case "help", "--help", "-h":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "deskgate: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  deskgate serve [--config FILE]   run SMTP, the HTTP API, the queue and the timers
  deskgate version                 print the version
  deskgate config sample           print a commented TOML file with every setting
  deskgate dkim dns [--config FILE] print the DKIM keys' DNS TXT records (generates them if absent)
  deskgate inspect FILE...         print, one JSON line each, what deskgate makes of raw messages (- = stdin)
  deskgate migrate [--config FILE] apply the PostgreSQL schema migrations (serve applies them too)
  deskgate store copy --to URL|DIR [--config FILE]
                                   copy the configured store into an empty one (bbolt <-> PostgreSQL)
  deskgate store backup [--config FILE] FILE
                                   write a consistent copy of the bbolt store to FILE (while serve runs)
  deskgate dns [--config FILE]     print the DNS records to publish for each domain (MX, SPF, DKIM, DMARC, PTR)
  deskgate healthcheck [--config FILE] [--url URL]
                                   exit 0 when the server answers GET /healthz with "ok" (Docker HEALTHCHECK)

Every command takes --help. docs/operating.md is the mail administrator's guide.
`)
}

package main

import (
	"fmt"
	"io"

	"github.com/deskgate/deskgate/config"
)

// cmdConfig prints configuration helpers.
func cmdConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && args[0] == "sample" {
		fmt.Fprint(stdout, config.Sample())
		return 0
	}
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(stdout, "usage: deskgate config sample   print a commented TOML file with every setting")
		return 0
	}
	fmt.Fprintln(stderr, "usage: deskgate config sample")
	return 2
}

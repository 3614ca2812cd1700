package main

import (
	"errors"
	"flag"
)

// parseFlags parses args into fs. On -h or --help fs has printed its
// usage and the command exits 0 (asking for help is no error); on a bad
// flag it exits 2. stop says whether the command ends here.
func parseFlags(fs *flag.FlagSet, args []string) (exit int, stop bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0, true
	case err != nil:
		return 2, true
	}
	return 0, false
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

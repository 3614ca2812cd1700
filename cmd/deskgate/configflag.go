package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/deskgate/deskgate/config"
)

// configFlag adds the --config flag every command that reads the
// configuration takes.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "TOML configuration file (optional; the environment overrides it)")
}

// loadConfig reads the configuration (the file at path, if any, then the
// environment, which wins); on an error it says so on stderr and reports
// false (the command then exits 2).
func loadConfig(path string, stderr io.Writer) (config.Config, bool) {
	cfg, err := config.Load(path, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "deskgate: %v\n", err)
		return cfg, false
	}
	return cfg, true
}

// flagsAndConfig adds --config to fs (its output set to stderr), parses
// args and loads the configuration. stop reports that the command ends
// now with exit status code: help asked for (0), a bad flag or a bad
// configuration (2).
func flagsAndConfig(fs *flag.FlagSet, args []string, stderr io.Writer) (cfg config.Config, code int, stop bool) {
	fs.SetOutput(stderr)
	path := configFlag(fs)
	if code, stop := parseFlags(fs, args); stop {
		return cfg, code, true
	}
	cfg, ok := loadConfig(*path, stderr)
	if !ok {
		return cfg, 2, true
	}
	return cfg, 0, false
}

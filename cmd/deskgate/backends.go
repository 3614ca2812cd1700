package main

// The storage backends this binary carries: each registers itself with
// store.Open, which picks one by the configured URL. Nothing else in
// deskgate names a backend (store/imports_test.go checks).
import (
	_ "github.com/deskgate/deskgate/store/boltstore" // bbolt: a data directory
	_ "github.com/deskgate/deskgate/store/pgstore"   // postgres://
)

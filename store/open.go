package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Driver opens one kind of backend. A backend package registers its
// driver from init (Register); a program chooses the backends it carries
// by importing their packages, usually blank, in its main package only,
// and opens a store by URL (Open). Nothing above store names a backend.
type Driver struct {
	// Name is what the opened store's Backend() says ("bbolt",
	// "postgres"), for logs and errors.
	Name string
	// Schemes are the URL schemes the driver opens ("postgres",
	// "postgresql"), without the colon.
	Schemes []string
	// Paths: the driver also opens a plain file-system path (no scheme),
	// the data directory of the embedded store. One driver at most.
	Paths bool
	// Open opens (creating or migrating as needed) the store at url: a
	// URL of one of Schemes, or a plain path when Paths.
	Open func(ctx context.Context, url string) (Store, error)
	// OpenSecrets opens only where the store at url keeps its secrets,
	// for a command that runs beside a serving process (the embedded
	// store's file lock is then taken). close releases what it opened.
	OpenSecrets func(ctx context.Context, url string) (sec Secrets, close func() error, err error)
}

// Options are what Open sets on a store before returning it.
type Options struct {
	// WriteObserver, when set, is told the duration of every write
	// transaction (Store.SetWriteObserver).
	WriteObserver func(time.Duration)
}

var drivers struct {
	sync.RWMutex
	bySchema map[string]*Driver
	paths    *Driver
}

// Register makes d available to Open. It panics when d has no name or
// Open, or claims a scheme (or plain paths) another driver has: both are
// programming errors found at start.
func Register(d Driver) {
	if d.Name == "" || d.Open == nil {
		panic("store: Register: a driver needs a Name and Open")
	}
	drivers.Lock()
	defer drivers.Unlock()
	if drivers.bySchema == nil {
		drivers.bySchema = map[string]*Driver{}
	}
	for _, s := range d.Schemes {
		s = strings.ToLower(s)
		if _, dup := drivers.bySchema[s]; dup {
			panic("store: Register: scheme " + s + " registered twice")
		}
		drivers.bySchema[s] = &d
	}
	if d.Paths {
		if drivers.paths != nil {
			panic("store: Register: plain paths registered twice (" + drivers.paths.Name + ", " + d.Name + ")")
		}
		drivers.paths = &d
	}
}

// ErrBadURL is wrapped by the error Open returns for a location no
// registered driver opens.
var ErrBadURL = errors.New("bad store URL")

// schemeRE is a URL scheme and its colon (RFC 3986). A path that starts
// with "/" or "." never matches, so "./data" and "/var/lib/deskgate" are
// plain paths.
var schemeRE = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)

// driverFor returns the driver of url: by its scheme, or the plain-path
// driver when it has none.
func driverFor(url string) (*Driver, error) {
	if strings.TrimSpace(url) == "" {
		return nil, fmt.Errorf("%w: empty (want a postgres:// URL, a bolt:// URL or a directory)", ErrBadURL)
	}
	drivers.RLock()
	defer drivers.RUnlock()
	m := schemeRE.FindStringSubmatch(url)
	if m == nil {
		if drivers.paths == nil {
			return nil, fmt.Errorf("%w: %q is a path, and no backend that opens paths is built in (known schemes: %s)", ErrBadURL, url, knownSchemes())
		}
		return drivers.paths, nil
	}
	if d := drivers.bySchema[strings.ToLower(m[1])]; d != nil {
		return d, nil
	}
	// Only the scheme: the rest may hold a password.
	return nil, fmt.Errorf("%w: unknown scheme %q (known: %s)", ErrBadURL, m[1], knownSchemes())
}

// knownSchemes lists the registered schemes; the caller holds the lock.
func knownSchemes() string {
	var s []string
	for k := range drivers.bySchema {
		s = append(s, k+"://")
	}
	if drivers.paths != nil {
		s = append(s, "a directory ("+drivers.paths.Name+")")
	}
	if len(s) == 0 {
		return "none: no backend is built in"
	}
	slices.Sort(s)
	return strings.Join(s, ", ")
}

// Open opens the store at url with the registered driver its scheme names
// (a plain path: the driver that opens paths). An unknown scheme, an empty
// url, or a url its driver cannot parse is an error wrapping ErrBadURL.
func Open(ctx context.Context, url string, opts Options) (Store, error) {
	d, err := driverFor(url)
	if err != nil {
		return nil, err
	}
	st, err := d.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if opts.WriteObserver != nil {
		st.SetWriteObserver(opts.WriteObserver)
	}
	return st, nil
}

// OpenSecrets opens where the store at url keeps its secrets (the
// reply-token and DKIM keys) without taking the store from a serving
// process when the backend can (the embedded store's files). The caller
// calls close when done.
func OpenSecrets(ctx context.Context, url string) (sec Secrets, close func() error, err error) {
	d, err := driverFor(url)
	if err != nil {
		return nil, nil, err
	}
	if d.OpenSecrets != nil {
		return d.OpenSecrets(ctx, url)
	}
	st, err := d.Open(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	s, ok := st.(Secrets)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("the %s store keeps no secrets", d.Name)
	}
	return s, st.Close, nil
}

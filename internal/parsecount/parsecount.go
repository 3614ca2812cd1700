// Package parsecount counts how often an inbound mail's top-level header
// and MIME tree are parsed, so that a test can prove each is parsed once
// per mail (issue 21). The counters are global and cheap (one atomic add
// per parse); only tests read them.
package parsecount

import "sync/atomic"

var header, tree atomic.Int64

// Header records one parse of a mail's top-level header into a structure
// (a field list, a textproto.Header, a net/mail header).
func Header() { header.Add(1) }

// Tree records one parse of a mail's MIME tree.
func Tree() { tree.Add(1) }

// Counts is a snapshot of the counters.
type Counts struct{ Header, Tree int64 }

// Now returns the counters; a test subtracts two snapshots.
func Now() Counts { return Counts{Header: header.Load(), Tree: tree.Load()} }

// Sub is c minus before.
func (c Counts) Sub(before Counts) Counts {
	return Counts{Header: c.Header - before.Header, Tree: c.Tree - before.Tree}
}

package pgstore

import (
	"slices"
	"testing"
)

// TestWritesGoInKeyOrder: the one statement of a transaction's writes
// carries its deliveries and timers in primary key order, whatever the
// order they were queued in, so index pages fill in order and two
// transactions writing the same rows lock them in the same order.
func TestWritesGoInKeyOrder(t *testing.T) {
	w := &writes{deliveries: map[delKey]delRow{}, timers: map[timerKey]timerOp{}}
	for i := range 200 {
		rid := int64((i * 7919) % 200) // a scrambled order
		rt := "u"
		if i%3 == 0 {
			rt = "c"
		}
		w.deliveries[delKey{msg: int64(10 + i%2), rtype: rt, rid: rid}] = delRow{conv: 5, doc: []byte(`{}`)}
		w.timers[timerKey{conv: int64(5 + i%2), rtype: rt, rid: rid}] = timerOp{op: 's', due: 1}
	}
	_, args := w.build()
	// deliveries: $1 message ids, $2 rtypes, $3 rids; the timers' set: $7..$10.
	type key struct {
		a  int64
		rt string
		b  int64
	}
	check := func(what string, a []int64, rt []string, b []int64) {
		t.Helper()
		keys := make([]key, len(a))
		for i := range a {
			keys[i] = key{a[i], rt[i], b[i]}
		}
		if len(keys) != 200 {
			t.Fatalf("%s: %d rows, want 200", what, len(keys))
		}
		if !slices.IsSortedFunc(keys, func(x, y key) int {
			switch {
			case x.a != y.a:
				return int(x.a - y.a)
			case x.rt != y.rt:
				if x.rt < y.rt {
					return -1
				}
				return 1
			}
			return int(x.b - y.b)
		}) {
			t.Fatalf("%s are not in key order: %v", what, keys[:10])
		}
	}
	check("deliveries", args[0].([]int64), args[1].([]string), args[2].([]int64))
	check("timers", args[6].([]int64), args[7].([]string), args[8].([]int64))
}

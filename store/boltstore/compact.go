package boltstore

import (
	"encoding/binary"
	"errors"
	"time"
)

// Compact binary records. Records written once per recipient of every
// message (deliveries, settings read per user per message) are encoded by
// hand rather than as JSON: a delivery is ~60 bytes instead of ~230, and
// decoding one costs no reflection. Each record starts with a version byte.

var errShortRecord = errors.New("truncated record")

// enc appends fields to a byte slice.
type enc struct{ b []byte }

func (e *enc) byte(v byte)      { e.b = append(e.b, v) }
func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }

// time appends t as unix nanoseconds (0 = the zero time).
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.b = binary.AppendVarint(e.b, 0)
		return
	}
	e.b = binary.AppendVarint(e.b, t.UnixNano())
}

// optTime appends an optional time: absent is encoded as 0.
func (e *enc) optTime(t *time.Time) {
	if t == nil {
		e.b = binary.AppendVarint(e.b, 0)
		return
	}
	e.time(*t)
}

// dec reads fields written by enc; the first failure sticks in err.
type dec struct {
	b   []byte
	err error
}

func (d *dec) byte() byte {
	if d.err != nil || len(d.b) < 1 {
		d.err = errShortRecord
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShortRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShortRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string {
	n := d.uvarint()
	if d.err != nil || uint64(len(d.b)) < n {
		d.err = errShortRecord
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *dec) time() time.Time {
	n := d.varint()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (d *dec) optTime() *time.Time {
	n := d.varint()
	if n == 0 {
		return nil
	}
	t := time.Unix(0, n).UTC()
	return &t
}

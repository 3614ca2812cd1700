package smtpd

import (
	"io"
	"reflect"
	"unsafe"
)

// go-smtp's DATA reader (v0.25, v0.26) counts the bytes left of
// MaxMessageBytes and refuses the next read once none are left, before it
// looks for the terminating "." line: a message of exactly the SIZE it
// advertises (RFC 1870 §4: "the maximum fixed message size ... that will
// be accepted") is refused 552. The advertised SIZE and the check of
// MAIL FROM SIZE= must stay at the limit, and the three read one field
// of the shared server, so the DATA reader of this one message is given
// one byte more: it then still fails on the byte after the limit, and
// reads the end-of-data line of a message of exactly the limit.
// TestSizeLimitExact fails if go-smtp renames the field.

// widen gives r, go-smtp's DATA reader, the one byte; it warns once when
// the reader is not what it expects (the limit then stays one short).
func (s *Server) widen(r io.Reader) {
	v := reflect.ValueOf(r)
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
		f := v.Elem().FieldByName("n")
		lim := v.Elem().FieldByName("limited")
		if f.IsValid() && f.Kind() == reflect.Int64 && lim.IsValid() && lim.Kind() == reflect.Bool && lim.Bool() {
			p := (*int64)(unsafe.Pointer(f.UnsafeAddr()))
			*p++
			return
		}
	}
	s.widenWarn.Do(func() {
		s.log.Warn("go-smtp's DATA reader changed: a message of exactly the size limit is refused", "type", v.Type().String())
	})
}

package smtpd

import (
	"bufio"
	"bytes"
	"net/textproto"
	"reflect"
	"unsafe"

	"github.com/emersion/go-smtp"
)

// go-smtp (v0.25, v0.26) answers MAIL FROM with "250 2.0.0 Roger,
// accepting mail from <a>" and RCPT TO with "250 2.0.0 I'll make sure <a>
// gets this": jokes that reach every sender's logs, with the generic
// enhanced code where RFC 3463 has specific ones. It offers no hook for
// these texts, so each session puts a small line rewriter between the
// connection's textproto writer and its buffered writer (again after
// STARTTLS, whose new writer the next EHLO's session finds). Lines it does
// not know pass unchanged. TestRepliesArePlain fails if go-smtp renames
// the field; deskgate then warns once and keeps go-smtp's texts.

// plainReplies maps go-smtp's texts (a prefix and a suffix around the
// address, or a whole line) to plain ones with their enhanced codes.
var plainReplies = []struct{ prefix, suffix, plain, plainSuffix string }{
	{"250 2.0.0 Roger, accepting mail from <", ">", "250 2.1.0 Sender <", "> OK"},                                  // RFC 3463 X.1.0
	{"250 2.0.0 I'll make sure <", "> gets this", "250 2.1.5 Recipient <", "> OK"},                                 // X.1.5: destination valid
	{"250 2.0.0 I have successfully done nothing", "", "250 2.0.0 OK", ""},                                         // NOOP
	{"354 Go ahead. End your data with <CR><LF>.<CR><LF>", "", "354 Start mail input; end with <CRLF>.<CRLF>", ""}, // RFC 5321 §4.2
	{"500 5.5.1 Too many errors. Quiting now", "", "500 5.5.1 Too many errors, closing connection", ""},
}

// plainReply returns line with go-smtp's text replaced, or line.
func plainReply(line []byte) []byte {
	for _, r := range plainReplies {
		if !bytes.HasPrefix(line, []byte(r.prefix)) || !bytes.HasSuffix(line, []byte(r.suffix)) || len(line) < len(r.prefix)+len(r.suffix) {
			continue
		}
		if r.suffix == "" && len(line) != len(r.prefix) {
			continue
		}
		mid := line[len(r.prefix) : len(line)-len(r.suffix)]
		out := make([]byte, 0, len(r.plain)+len(mid)+len(r.plainSuffix))
		return append(append(append(out, r.plain...), mid...), r.plainSuffix...)
	}
	return line
}

// replyRewriter receives whole reply lines (textproto flushes after each
// one) and writes them, made plain, to dst.
type replyRewriter struct {
	dst     *bufio.Writer
	partial []byte
}

func (r *replyRewriter) Write(p []byte) (int, error) {
	buf := append(r.partial, p...)
	r.partial = nil
	for {
		i := bytes.Index(buf, []byte("\r\n"))
		if i < 0 {
			break
		}
		if _, err := r.dst.Write(plainReply(buf[:i])); err != nil {
			return 0, err
		}
		if _, err := r.dst.Write([]byte("\r\n")); err != nil {
			return 0, err
		}
		buf = buf[i+2:]
	}
	r.partial = append([]byte(nil), buf...) // the rest of a line split by a full buffer
	return len(p), r.dst.Flush()
}

// plainTexts installs the rewriter on c's current writer, once per writer.
func (s *Server) plainTexts(c *smtp.Conn, st *connState) {
	if c == nil || st == nil {
		return
	}
	v := reflect.ValueOf(c)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		f := v.Elem().FieldByName("text")
		if f.IsValid() && f.Type() == reflect.TypeFor[*textproto.Conn]() {
			tc := *(**textproto.Conn)(unsafe.Pointer(f.UnsafeAddr()))
			if tc == nil || tc.Writer.W == nil {
				return
			}
			st.mu.Lock()
			defer st.mu.Unlock()
			if tc.Writer.W == st.plainWriter {
				return
			}
			tc.Writer.W = bufio.NewWriter(&replyRewriter{dst: tc.Writer.W})
			st.plainWriter = tc.Writer.W
			return
		}
	}
	s.replyWarn.Do(func() {
		s.log.Warn("go-smtp's connection changed: its own reply texts are sent unchanged", "type", v.Type().String())
	})
}

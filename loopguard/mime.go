package loopguard

import (
	"bytes"
	"io"
	"strings"

	"github.com/deskgate/deskgate/internal/parsecount"
	"github.com/deskgate/deskgate/mailparse"
	"github.com/emersion/go-message"
)

// maxPartBytes bounds how much of one MIME part is read.
const maxPartBytes = 1 << 20

// maxParts bounds how many MIME parts are walked.
const maxParts = 64

// maxText bounds the human-readable text collected from a message.
const maxText = 64 << 10

// structure is what the MIME walk found: report parts (RFC 6522), the returned
// message of a bounce, and the readable text before it.
type structure struct {
	reportType   string // report-type of the first multipart/report, lower-cased
	dsn          *DSN   // from message/delivery-status parts, and the returned message's id
	deliveryPart bool   // a message/delivery-status part was found
	feedbackPart bool   // a message/feedback-report part was found
	feedback     string // its Feedback-Type
	mdnPart      bool   // a message/disposition-notification part was found
	returned     header // header of the first message/rfc822 or text/rfc822-headers part
	hasReturned  bool
	text         string // decoded text/* parts outside the returned message
}

// maxGoMessageHeader is go-message's default header limit: a top-level
// header over it made message.Read fail (then the body is the text).
const maxGoMessageHeader = 1 << 20

// readStructure walks the MIME tree mailparse.Read split. It is lenient: a
// part that fails to parse ends the walk with what was found so far; when
// not even the top header parses the raw body is taken as text. Parts are
// read as go-message reads them (its media type, transfer encoding and
// charset decoding); where go-message would split a multipart otherwise
// than mailparse did (another boundary, or mixed CRLF and LF line breaks),
// that subtree is read by go-message's multipart reader.
func readStructure(parsed *mailparse.Mail, body []byte) *structure {
	s := &structure{}
	if parsed.HeaderErr != nil || parsed.Root == nil || parsed.BodyStart-parsed.Start > maxGoMessageHeader {
		s.text = clip(string(body))
		return s
	}
	e, _ := message.New(message.Header{Header: parsed.Header}, bytes.NewReader(parsed.Body))
	w := walker{s: s}
	w.walkPart(e, parsed.Root, 0)
	if s.text == "" {
		s.text = clip(string(body))
	}
	return s
}

// clip bounds a text to maxText bytes.
func clip(t string) string {
	if len(t) > maxText {
		return t[:maxText]
	}
	return t
}

// walker carries the state of one MIME walk.
type walker struct {
	s     *structure
	parts int
}

// walkPart visits entity e, which is node p of the tree, at the given depth.
func (w *walker) walkPart(e *message.Entity, p *mailparse.Part, depth int) {
	w.parts++
	if w.parts > maxParts || depth > 8 {
		return
	}
	t, params, _ := e.Header.ContentType()
	multipart := strings.HasPrefix(t, "multipart/") // as e.MultipartReader decides
	if multipart && (params["boundary"] == "" || params["boundary"] != p.Boundary || mixedBreaks(p.Body)) {
		w.parts--
		parsecount.Tree()
		w.walk(e, depth) // go-message splits it otherwise
		return
	}
	t = strings.ToLower(t)
	if t == "multipart/report" && w.s.reportType == "" {
		w.s.reportType = strings.ToLower(params["report-type"])
	}
	if multipart {
		for i, c := range p.Parts {
			if c.HeaderErr != nil || w.parts > maxParts {
				return
			}
			body := c.Body
			if i == len(p.Parts)-1 && !p.Closed {
				body = unclosedTail(p, body)
			}
			ce, err := message.New(message.Header{Header: c.Header}, bytes.NewReader(body))
			if err != nil {
				return
			}
			w.walkPart(ce, c, depth+1)
		}
		return
	}
	body, _ := io.ReadAll(io.LimitReader(e.Body, maxPartBytes))
	w.part(t, body)
}

// unclosedTail is the body of the last part of multipart p that has no
// close delimiter as go-message (mime/multipart) reads it: without a tail
// that could begin a delimiter (line break, "--", boundary) at the end.
func unclosedTail(p *mailparse.Part, body []byte) []byte {
	nl := "\n"
	if bytes.Contains(p.Body, []byte("\r\n")) {
		nl = "\r\n"
	}
	delim := nl + "--" + p.Boundary
	if i := bytes.LastIndexByte(body, delim[0]); i >= 0 && strings.HasPrefix(delim, string(body[i:])) {
		return body[:i]
	}
	return body
}

// mixedBreaks reports whether body has both CRLF and bare LF line breaks:
// go-message then takes only delimiters with the first one's line break,
// mailparse every delimiter.
func mixedBreaks(body []byte) bool {
	crlf := bytes.Count(body, []byte("\r\n"))
	return crlf > 0 && crlf != bytes.Count(body, []byte("\n"))
}

// walk visits entity e at the given depth, reading its parts with
// go-message's multipart reader.
func (w *walker) walk(e *message.Entity, depth int) {
	w.parts++
	if w.parts > maxParts || depth > 8 {
		return
	}
	t, params, _ := e.Header.ContentType()
	t = strings.ToLower(t)
	if t == "multipart/report" && w.s.reportType == "" {
		w.s.reportType = strings.ToLower(params["report-type"])
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if err != nil || p == nil || w.parts > maxParts {
				return
			}
			w.walk(p, depth+1)
		}
	}
	body, _ := io.ReadAll(io.LimitReader(e.Body, maxPartBytes))
	w.part(t, body)
}

// part records one leaf part.
func (w *walker) part(t string, body []byte) {
	s := w.s
	switch t {
	case "message/delivery-status", "message/global-delivery-status":
		s.deliveryPart = true
		s.dsn = mergeDSN(s.dsn, parseDeliveryStatus(body))
	case "message/feedback-report":
		s.feedbackPart = true
		fb, d := parseFeedbackReport(body)
		s.feedback = fb
		s.dsn = mergeDSN(s.dsn, d)
	case "message/disposition-notification", "message/global-disposition-notification":
		s.mdnPart = true
	case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers", "message/rfc822-headers", "message/partial":
		if !s.hasReturned {
			s.hasReturned = true
			s.returned, _ = splitMessage(body)
		}
	default:
		if (t == "" || strings.HasPrefix(t, "text/")) && !s.hasReturned && len(s.text) < maxText {
			s.text = clip(s.text + string(body) + "\n")
		}
	}
}

// returnedMessageID is the Message-ID of the returned message, without <>.
func (s *structure) returnedMessageID() string {
	return firstID(s.returned.get("message-id"))
}

package bridge

import (
	"mime"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/deskgate/deskgate/store"
)

// NewAttachment is a file posted with a message (POST
// /conversations/{id}/messages, "attachments").
type NewAttachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// MaxNewAttachments bounds the files of one posted message.
const MaxNewAttachments = 10

// checkAttachments validates posted files and returns their records and
// contents: a name without a folder (at most 255 bytes of UTF-8), a media
// type that parses (else application/octet-stream).
func checkAttachments(in []NewAttachment) ([]store.Attachment, [][]byte, error) {
	if len(in) > MaxNewAttachments {
		return nil, nil, errorf(KindInvalid, "attachments: at most %d files", MaxNewAttachments)
	}
	atts := make([]store.Attachment, 0, len(in))
	data := make([][]byte, 0, len(in))
	for i, a := range in {
		name := path.Base(strings.ReplaceAll(strings.TrimSpace(a.Filename), "\\", "/"))
		switch {
		case name == "" || name == "." || name == "/":
			return nil, nil, errorf(KindInvalid, "attachments[%d].filename: required", i)
		case len(name) > 255 || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n"):
			return nil, nil, errorf(KindInvalid, "attachments[%d].filename: at most 255 bytes of UTF-8 on one line", i)
		}
		ct := "application/octet-stream"
		if mt, _, err := mime.ParseMediaType(a.ContentType); err == nil && strings.Contains(mt, "/") {
			ct = mt
		}
		atts = append(atts, store.Attachment{Filename: name, ContentType: ct, Size: len(a.Data)})
		data = append(data, a.Data)
	}
	return atts, data, nil
}

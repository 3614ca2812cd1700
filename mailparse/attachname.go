package mailparse

import (
	"fmt"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
)

// Attachment names. Every attachment gets a name a person can save it
// under: a forwarded message (message/rfc822, RFC 2046 §5.2.1) is named
// after its subject with ".eml"; a part that names nothing is named from
// its type ("image.png", "attachment.pdf"); two parts of the same name
// (compared without case, as Windows and macOS file systems do) get
// distinct names ("scan.pdf", "scan (2).pdf"), so none hides another
// when saved.

// maxNameRunes bounds a name made from a subject.
const maxNameRunes = 100

// typeExtensions are the file extensions of common attachment types. A
// fixed table rather than mime.ExtensionsByType, which depends on the
// host's mime.types and so would name the same mail differently on two
// machines.
var typeExtensions = map[string]string{
	"application/pdf": ".pdf", "application/zip": ".zip", "application/json": ".json",
	"application/xml": ".xml", "application/msword": ".doc", "application/rtf": ".rtf",
	"application/vnd.ms-excel": ".xls", "application/vnd.ms-powerpoint": ".ppt",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
	"application/vnd.oasis.opendocument.text":                                   ".odt",
	"application/vnd.oasis.opendocument.spreadsheet":                            ".ods",
	"application/ms-tnef": ".dat", "application/pkcs7-signature": ".p7s", "application/x-pkcs7-signature": ".p7s",
	"application/pgp-signature": ".asc", "application/pgp-encrypted": ".asc", "application/pgp-keys": ".asc",
	"application/ics": ".ics", "application/gzip": ".gz", "application/x-gzip": ".gz",
	"application/x-7z-compressed": ".7z", "application/x-rar-compressed": ".rar", "application/vnd.rar": ".rar",
	"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/pjpeg": ".jpg", "image/gif": ".gif",
	"image/webp": ".webp", "image/bmp": ".bmp", "image/tiff": ".tif", "image/svg+xml": ".svg",
	"image/heic": ".heic", "image/heif": ".heif", "image/avif": ".avif", "image/x-icon": ".ico",
	"audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/ogg": ".ogg", "audio/wav": ".wav", "audio/x-wav": ".wav",
	"audio/amr": ".amr", "video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm", "video/3gpp": ".3gp",
	"text/plain": ".txt", "text/html": ".html", "text/csv": ".csv", "text/calendar": ".ics", "text/vcard": ".vcf",
	"text/x-vcard": ".vcf", "text/xml": ".xml", "text/markdown": ".md", "text/rfc822-headers": ".txt",
	"message/rfc822": ".eml", "message/global": ".eml", "message/delivery-status": ".txt",
	"message/disposition-notification": ".txt", "message/feedback-report": ".txt",
}

// typeBaseNames name a nameless part by what it is.
var typeBaseNames = map[string]string{
	"text/calendar": "invite", "application/ics": "invite", "text/vcard": "contact", "text/x-vcard": "contact",
	"message/delivery-status": "delivery-status", "message/disposition-notification": "read-receipt",
	"message/feedback-report": "feedback-report", "text/rfc822-headers": "headers",
	"application/pkcs7-signature": "smime", "application/x-pkcs7-signature": "smime",
	"application/pgp-signature": "signature", "application/ms-tnef": "winmail",
}

// nameFromType returns a name for a part of media type mt that has none.
func nameFromType(mt string) string {
	base := typeBaseNames[mt]
	if base == "" {
		major, _, _ := strings.Cut(mt, "/")
		switch major {
		case "image", "audio", "video":
			base = major
		case "message":
			base = "message"
		default:
			base = "attachment"
		}
	}
	ext, ok := typeExtensions[mt]
	if !ok {
		ext = ".bin"
		if strings.HasPrefix(mt, "text/") {
			ext = ".txt"
		}
	}
	return base + ext
}

// messageName returns "<subject>.eml" for an attached message, read from
// its own header; "" when it has no subject.
func messageName(data []byte, hint string) string {
	h, _, err := readHeader(data)
	if err != nil {
		var ok bool
		if h, _, ok = salvageHeader(data); !ok {
			return ""
		}
	}
	mh := mail.Header{Header: message.Header{Header: h}}
	subject, err := mh.Subject()
	if err != nil || strings.Contains(subject, "=?") {
		subject = decodeWords(mh.Get("Subject"))
	}
	subject = strings.Join(strings.Fields(headerText(subject, hint)), " ")
	subject = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_' // characters file systems refuse
		}
		return r
	}, subject)
	subject = strings.Trim(cleanFilename(subject), ". _")
	if subject == "" {
		return ""
	}
	if r := []rune(subject); len(r) > maxNameRunes {
		subject = strings.TrimSpace(string(r[:maxNameRunes]))
	}
	return subject + ".eml"
}

// distinctNames renames attachments whose names collide, without case:
// the second "scan.pdf" becomes "scan (2).pdf".
func distinctNames(atts []Attachment) {
	used := make(map[string]bool, len(atts))
	for i := range atts {
		name := atts[i].Filename
		if !used[strings.ToLower(name)] {
			used[strings.ToLower(name)] = true
			continue
		}
		stem, ext := splitExt(name)
		for n := 2; ; n++ {
			cand := fmt.Sprintf("%s (%d)%s", stem, n, ext)
			if !used[strings.ToLower(cand)] {
				atts[i].Filename = cand
				used[strings.ToLower(cand)] = true
				break
			}
		}
	}
}

// splitExt splits "report.final.pdf" into "report.final" and ".pdf"; a
// name without a dot, or with only a leading one, has no extension.
func splitExt(name string) (string, string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i > 10 || strings.ContainsAny(name[i:], " ") {
		return name, ""
	}
	return name[:i], name[i:]
}

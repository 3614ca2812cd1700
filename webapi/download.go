package webapi

import (
	"mime"
	"strings"
)

// mimeAttachment is a Content-Disposition that makes browsers download.
func mimeAttachment(filename string) string {
	if filename == "" {
		filename = "attachment"
	}
	return mime.FormatMediaType("attachment", map[string]string{"filename": filename})
}

// safeContentType keeps image and plain types and turns anything a browser
// could execute (HTML, SVG, JavaScript) into an opaque download.
func safeContentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "application/octet-stream"
	}
	switch {
	case mt == "image/svg+xml", strings.Contains(mt, "html"), strings.Contains(mt, "javascript"), strings.Contains(mt, "xml"):
		return "application/octet-stream"
	}
	return mt
}

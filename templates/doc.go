// Package templates holds the email templates of the messaging center
// (SPEC §9): the six system templates with their defaults, the variables
// each one documents, validation that names the line of a mistake, and
// rendering.
//
// A template has a subject, a text body and an HTML body in Go template
// syntax. The subject and the text body are rendered with text/template,
// the HTML body with html/template, so whatever a variable holds (a
// customer's name, a message body) is escaped for its HTML context and
// can never inject markup. A rendered subject is one line: control
// characters, CR and LF above all, become spaces (RFC 5322 §2.2 header
// injection), and it is cut to a sane length.
//
// The package is a leaf: it knows nothing of storage. Edited templates
// are kept by the store and handed to Render; this package supplies the
// defaults (System), validation (Validate) and sample data (Sample) for
// previews.
package templates

package templates

import "fmt"

// samples are example values by variable name, for previews; a variable
// not listed gets "<Name>".
var samples = map[string]any{
	"Name":           "Ada Lovelace",
	"Email":          "ada@example.com",
	"Subject":        "Printer on fire",
	"ConversationID": 42,
	"Count":          2,
	"Link":           "https://help.example.com/reset-password?token=SAMPLE",
	"ExpiresIn":      "1 hour",
	"Site":           "https://help.example.com",
	"Project":        "Support",
	"InvitedBy":      "Grace Hopper",
	"ChangedBy":      "Grace Hopper",
	"AddedBy":        "Grace Hopper",
	"Member":         "Alan Turing",
	"Assigned":       true,
	"Event":          "item.status_changed",
	"Automation":     "Tell the customer we closed it",
	"Author":         "Grace Hopper",
	"AuthorType":     "user",
	"At":             "Thu, 3 Dec 2026 16:20 UTC",
	"Body":           "Have you tried turning it off and on again?",
	"Filename":       "screenshot.png",
	"ContentType":    "image/png",
	"Size":           "12 KB",
	"ID":             7,
	"Title":          "Printer on fire",
	"Status":         "closed",
	"Kind":           "external",
}

// Sample returns example data for vars: every variable set, lists with
// two elements, so a preview (and Validate) exercises every branch that
// depends on a value being present.
func Sample(vars []Var) map[string]any {
	m := make(map[string]any, len(vars))
	for _, v := range vars {
		switch {
		case v.List:
			m[v.Name] = []any{Sample(v.Fields), Sample(v.Fields)}
		case len(v.Fields) > 0:
			m[v.Name] = Sample(v.Fields)
		default:
			if s, ok := samples[v.Name]; ok {
				m[v.Name] = s
			} else {
				m[v.Name] = fmt.Sprintf("<%s>", v.Name)
			}
		}
	}
	return m
}

// Merge returns sample data for vars with the values of given laid over
// it (given wins, nested records merged), for a preview with some data
// given.
func Merge(vars []Var, given map[string]any) map[string]any {
	return merge(Sample(vars), given)
}

func merge(base, over map[string]any) map[string]any {
	for k, v := range over {
		if bm, ok := base[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				base[k] = merge(bm, om)
				continue
			}
		}
		base[k] = v
	}
	return base
}

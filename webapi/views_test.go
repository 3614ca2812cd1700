package webapi

import (
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// Every field a response type writes is one the OpenAPI document declares,
// and every declared one is written: responses are allow-lists, so a field
// added to a stored record reaches no client until it is added to a view
// and documented.
func TestViewsAreTheDocumentedAllowLists(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"User": userView{}, "Customer": customerView{}, "Settings": settingsView{}, "Project": projectView{},
		"Item": itemView{}, "Conversation": conversationView{}, "Message": messageView{}, "Author": authorView{},
		"Attachment": attachmentView{}, "MailLogEntry": mailLogEntry{}, "Mailbox": mailboxView{},
		"MailboxStatus": mailboxStatus{},
		"Template":      templateOut{}, "Automation": automationOut{}, "Trigger": triggerJSON{}, "AutomationAction": actionJSON{},
	} {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("schema %s not in the document", name)
			continue
		}
		declared := map[string]bool{}
		for p := range ref.Value.Properties {
			declared[p] = true
		}
		written := map[string]bool{}
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			written[tag] = true
			if !declared[tag] {
				t.Errorf("%s writes %q, which the document does not declare", name, tag)
			}
		}
		for p := range declared {
			if !written[p] {
				t.Errorf("%s: the document declares %q, which the response never writes", name, p)
			}
		}
	}
}

package webapi_test

import (
	"slices"
	"testing"
)

// GET /templates gives each template the automations that use it
// (used_by), and PUT /automations/{id} edits an automation's name,
// trigger, actions or enabled alone, keeping the rest (issue 19, item 8).
func TestTemplatesUsedByAndAutomationEditing(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"ack", "escalate"} {
		e.must(201, "POST", "/api/v1/templates", adminToken, map[string]any{"name": n, "subject": n, "text": n + " {{.Item.Title}}"})
	}
	usedBy := func() map[string][]uint64 {
		t.Helper()
		var ts []struct {
			Name   string
			UsedBy []uint64 `json:"used_by"`
		}
		e.must(200, "GET", "/api/v1/templates", adminToken, nil).decode(t, &ts)
		out := map[string][]uint64{}
		for _, tm := range ts {
			if tm.UsedBy == nil {
				t.Fatalf("template %s without used_by", tm.Name)
			}
			out[tm.Name] = tm.UsedBy
		}
		return out
	}
	want := func(step string, exp map[string][]uint64) {
		t.Helper()
		got := usedBy()
		for name, ids := range exp {
			if !slices.Equal(got[name], ids) {
				t.Fatalf("%s: %s used_by %v, want %v (all: %v)", step, name, got[name], ids, got)
			}
		}
	}
	want("no automations", map[string][]uint64{"notification": {1}, "welcome": {}, "ack": {}, "escalate": {}})

	a2 := e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "ack twice",
		"trigger": map[string]any{"event": "item.created"},
		"actions": []any{map[string]any{"type": "send_email", "template": "ack", "to": "customers"}, map[string]any{"type": "send_email", "template": "ack", "to": "followers"}}}).id(t)
	a3 := e.must(201, "POST", "/api/v1/automations", adminToken, map[string]any{"name": "both",
		"trigger": map[string]any{"event": "item.status_changed", "conditions": map[string]any{"to": "closed"}},
		"actions": []any{map[string]any{"type": "send_email", "template": "escalate", "to": "assignees"}, map[string]any{"type": "post_message", "conversation": "internal", "template": "ack"}}}).id(t)
	want("two automations", map[string][]uint64{"ack": {a2, a3}, "escalate": {a3}, "notification": {1}})
	var one struct {
		UsedBy []uint64 `json:"used_by"`
	}
	e.must(200, "GET", "/api/v1/templates/ack", adminToken, nil).decode(t, &one)
	if !slices.Equal(one.UsedBy, []uint64{a2, a3}) {
		t.Fatalf("GET /templates/ack used_by %v", one.UsedBy)
	}

	type automation struct {
		Name    string
		Enabled bool
		Trigger struct {
			Event      string
			Conditions map[string]string
		}
		Actions []struct{ Type, Template, To, Conversation string }
	}
	get := func(id uint64) automation {
		var a automation
		e.must(200, "GET", pathf("/api/v1/automations/%d", id), adminToken, nil).decode(t, &a)
		return a
	}
	path := pathf("/api/v1/automations/%d", a2)
	// The trigger alone: name and actions stay.
	e.must(200, "PUT", path, adminToken, map[string]any{"trigger": map[string]any{"event": "message.created", "conditions": map[string]any{"author_type": "customer"}}})
	if a := get(a2); a.Name != "ack twice" || a.Trigger.Event != "message.created" || a.Trigger.Conditions["author_type"] != "customer" || len(a.Actions) != 2 || !a.Enabled {
		t.Fatalf("after editing the trigger: %+v", a)
	}
	// The actions alone: the trigger stays; used_by follows.
	e.must(200, "PUT", path, adminToken, map[string]any{"actions": []any{map[string]any{"type": "send_email", "template": "escalate", "to": "boss@example.org"}}})
	if a := get(a2); a.Trigger.Event != "message.created" || len(a.Actions) != 1 || a.Actions[0].Template != "escalate" || a.Actions[0].To != "boss@example.org" {
		t.Fatalf("after editing the actions: %+v", a)
	}
	want("after editing the actions", map[string][]uint64{"ack": {a3}, "escalate": {a2, a3}})
	// Switched off alone, renamed alone.
	e.must(200, "PUT", path, adminToken, map[string]any{"enabled": false})
	e.must(200, "PUT", path, adminToken, map[string]any{"name": "tell the boss"})
	if a := get(a2); a.Enabled || a.Name != "tell the boss" || a.Trigger.Event != "message.created" || len(a.Actions) != 1 {
		t.Fatalf("after switching off and renaming: %+v", a)
	}
	// Bad edits are refused and change nothing.
	e.must(422, "PUT", path, adminToken, map[string]any{"name": ""})
	e.must(422, "PUT", path, adminToken, map[string]any{"trigger": map[string]any{"event": "item.exploded"}})
	e.must(422, "PUT", path, adminToken, map[string]any{"actions": []any{}})
	e.must(422, "PUT", path, adminToken, map[string]any{"trigger": map[string]any{"event": "item.created", "conditions": map[string]any{"author_type": "customer"}}})
	if a := get(a2); a.Name != "tell the boss" || a.Trigger.Event != "message.created" || len(a.Actions) != 1 {
		t.Fatalf("after refused edits: %+v", a)
	}
	e.must(422, "PUT", "/api/v1/automations/1", adminToken, map[string]any{"enabled": false})
	// A template in use cannot be deleted; once unused it can.
	e.must(409, "DELETE", "/api/v1/templates/escalate", adminToken, nil)
	e.must(204, "DELETE", path, adminToken, nil)
	e.must(204, "DELETE", pathf("/api/v1/automations/%d", a3), adminToken, nil)
	want("after deleting them", map[string][]uint64{"ack": {}, "escalate": {}})
	e.must(204, "DELETE", "/api/v1/templates/escalate", adminToken, nil)
}

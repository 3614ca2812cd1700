package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// testTemplatesAndAutomations: templates by name (upsert, list in name
// order, delete), automations with ids from 2, overwrite and delete, and
// an item's status surviving a restart.
func testTemplatesAndAutomations(t *testing.T, b Backend) {
	st, reopen := b.Open(t)
	now := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)
	err := update(st, func(tx store.Tx) error {
		for _, n := range []string{"welcome", "closed_notice", "notification"} {
			if err := tx.PutTemplate(&store.TemplateRecord{Name: n, Kind: "custom", Subject: "s " + n, Text: "t", Enabled: true, UpdatedAt: now}); err != nil {
				return err
			}
		}
		// Upsert: the second put wins.
		return tx.PutTemplate(&store.TemplateRecord{Name: "welcome", Kind: "system", Subject: "edited", Text: "t2", HTML: "<p>h</p>", Edited: true, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	var autoIDs []uint64
	err = update(st, func(tx store.Tx) error {
		autoIDs = nil
		for _, name := range []string{"a", "b"} {
			a := &store.Automation{Name: name, Event: "item.status_changed", Conditions: map[string]string{"to": "closed"},
				Actions: []store.AutomationAction{{Type: "post_message", Conversation: "external", Template: "closed_notice"}}, Enabled: true}
			if err := tx.CreateAutomation(a); err != nil {
				return err
			}
			autoIDs = append(autoIDs, a.ID)
		}
		it := &store.Item{ProjectID: 1, Title: "x", Status: store.ItemClosed}
		return tx.CreateItem(it)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(autoIDs) != 2 || autoIDs[0] != store.FirstAutomationID || autoIDs[1] != store.FirstAutomationID+1 {
		t.Fatalf("automation ids %v, want 2 and 3", autoIDs)
	}
	st = reopen()
	_ = view(st, func(tx store.Tx) error {
		ts := must(tx.Templates())
		if len(ts) != 3 || ts[0].Name != "closed_notice" || ts[1].Name != "notification" || ts[2].Name != "welcome" {
			t.Fatalf("templates %+v", ts)
		}
		w := must(tx.Template("welcome"))
		if w.Subject != "edited" || w.Kind != "system" || !w.Edited || w.Enabled || w.HTML != "<p>h</p>" || !w.UpdatedAt.Equal(now) {
			t.Errorf("welcome %+v", w)
		}
		if _, err := tx.Template("nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing template: %v", err)
		}
		as := must(tx.Automations())
		if len(as) != 2 || as[0].Name != "a" || as[0].Conditions["to"] != "closed" || as[0].Actions[0].Template != "closed_notice" || !as[0].Enabled {
			t.Errorf("automations %+v", as)
		}
		if it := must(tx.Item(1)); it.Status != store.ItemClosed {
			t.Errorf("item status %q", it.Status)
		}
		return nil
	})
	errAt := now.Add(time.Minute)
	err = update(st, func(tx store.Tx) error {
		a := must(tx.Automation(autoIDs[0]))
		a.LastError, a.LastErrorAt, a.Runs, a.Enabled = "template gone", &errAt, 3, false
		if err := tx.PutAutomation(a); err != nil {
			return err
		}
		if err := tx.DeleteAutomation(autoIDs[1]); err != nil {
			return err
		}
		return tx.DeleteTemplate("closed_notice")
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(st, func(tx store.Tx) error {
		a := must(tx.Automation(autoIDs[0]))
		if a.LastError != "template gone" || a.LastErrorAt == nil || !a.LastErrorAt.Equal(errAt) || a.Runs != 3 || a.Enabled {
			t.Errorf("automation after put %+v", a)
		}
		if _, err := tx.Automation(autoIDs[1]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted automation: %v", err)
		}
		if n := len(must(tx.Templates())); n != 2 {
			t.Errorf("%d templates after delete", n)
		}
		return nil
	})
	// Built-in automation run counts: 0 before the first, added up, kept.
	if n := must(readBuiltinRuns(st, 1)); n != 0 {
		t.Errorf("builtin runs before any: %d", n)
	}
	for _, n := range []uint64{2, 0, 3} {
		if err := update(st, func(tx store.Tx) error { return tx.AddBuiltinRuns(1, n) }); err != nil {
			t.Fatal(err)
		}
	}
	st = reopen()
	if n := must(readBuiltinRuns(st, 1)); n != 5 {
		t.Errorf("builtin runs after 2+0+3: %d", n)
	}
	if n := must(readBuiltinRuns(st, 7)); n != 0 {
		t.Errorf("builtin runs of another id: %d", n)
	}
	for name, fn := range map[string]func(store.Tx) error{
		"delete missing template":   func(tx store.Tx) error { return tx.DeleteTemplate("closed_notice") },
		"delete missing automation": func(tx store.Tx) error { return tx.DeleteAutomation(99) },
		"put missing automation":    func(tx store.Tx) error { return tx.PutAutomation(&store.Automation{ID: 99}) },
	} {
		if err := update(st, fn); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func readBuiltinRuns(st store.Store, id uint64) (uint64, error) {
	var n uint64
	err := view(st, func(tx store.Tx) error { var err error; n, err = tx.BuiltinRuns(id); return err })
	return n, err
}

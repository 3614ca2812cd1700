package boltstore

import (
	"fmt"

	"github.com/deskgate/deskgate/store"
)

// Buckets of the messaging center: templates by name, automations by id,
// and the run counts of built-in automations (id → big-endian uint64).
var (
	bTemplates   = []byte("templates")
	bAutomations = []byte("automations")
	bBuiltinRuns = []byte("builtin_runs")
)

func init() { allBuckets = append(allBuckets, bBuiltinRuns) }

// Template returns the stored template name, or ErrNotFound.
func (t *Tx) Template(name string) (*store.TemplateRecord, error) {
	var r store.TemplateRecord
	ok, err := getJSON(t.b(bTemplates), []byte(name), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("template %q: %w", name, store.ErrNotFound)
	}
	return &r, nil
}

// Templates returns every stored template, by name.
func (t *Tx) Templates() ([]store.TemplateRecord, error) {
	return all[store.TemplateRecord](t.b(bTemplates))
}

// PutTemplate stores r.
func (t *Tx) PutTemplate(r *store.TemplateRecord) error {
	return putJSON(t.b(bTemplates), []byte(r.Name), r)
}

// DeleteTemplate removes template name.
func (t *Tx) DeleteTemplate(name string) error {
	b := t.b(bTemplates)
	if b.Get([]byte(name)) == nil {
		return fmt.Errorf("template %q: %w", name, store.ErrNotFound)
	}
	return b.Delete([]byte(name))
}

// CreateAutomation stores a with a new id, FirstAutomationID or more.
func (t *Tx) CreateAutomation(a *store.Automation) error {
	b := t.b(bAutomations)
	if b.Sequence() < store.FirstAutomationID-1 {
		if err := b.SetSequence(store.FirstAutomationID - 1); err != nil {
			return err
		}
	}
	return create(t, bAutomations, &a.ID, &a.CreatedAt, a)
}

// Automation returns automation id or ErrNotFound.
func (t *Tx) Automation(id uint64) (*store.Automation, error) {
	var a store.Automation
	return &a, get(t.b(bAutomations), id, &a, "automation")
}

// Automations returns every stored automation, by id.
func (t *Tx) Automations() ([]store.Automation, error) {
	return all[store.Automation](t.b(bAutomations))
}

// PutAutomation overwrites an existing automation.
func (t *Tx) PutAutomation(a *store.Automation) error {
	b := t.b(bAutomations)
	if b.Get(u64(a.ID)) == nil {
		return fmt.Errorf("automation %d: %w", a.ID, store.ErrNotFound)
	}
	return putJSON(b, u64(a.ID), a)
}

// DeleteAutomation removes automation id.
func (t *Tx) DeleteAutomation(id uint64) error {
	b := t.b(bAutomations)
	if b.Get(u64(id)) == nil {
		return fmt.Errorf("automation %d: %w", id, store.ErrNotFound)
	}
	return b.Delete(u64(id))
}

// AddBuiltinRuns adds n to built-in automation id's run count.
func (t *Tx) AddBuiltinRuns(id, n uint64) error {
	if n == 0 {
		return nil
	}
	cur, err := t.BuiltinRuns(id)
	if err != nil {
		return err
	}
	return t.b(bBuiltinRuns).Put(u64(id), u64(cur+n))
}

// BuiltinRuns returns built-in automation id's run count.
func (t *Tx) BuiltinRuns(id uint64) (uint64, error) {
	v := t.b(bBuiltinRuns).Get(u64(id))
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("builtin runs of automation %d: %d bytes, want 8", id, len(v))
	}
	return decodeU64(v), nil
}

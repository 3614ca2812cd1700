package pgstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

// Template returns the stored template name, or ErrNotFound.
func (t *Tx) Template(name string) (*store.TemplateRecord, error) {
	if v, ok, err := t.cached(kindTemplates); err != nil {
		return nil, err
	} else if ok {
		for _, r := range v.([]store.TemplateRecord) {
			if r.Name == name {
				return &r, nil
			}
		}
		return nil, fmt.Errorf("template %q: %w", name, store.ErrNotFound)
	}
	var r store.TemplateRecord
	ok, err := t.getJSON(&r, `SELECT data FROM templates WHERE name = $1`, name)
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
	if v, ok, err := t.cached(kindTemplates); err != nil || ok {
		return slices.Clone(v.([]store.TemplateRecord)), err
	}
	return allJSON[store.TemplateRecord](t, `SELECT data FROM templates ORDER BY name COLLATE "C"`)
}

// PutTemplate stores r.
func (t *Tx) PutTemplate(r *store.TemplateRecord) error {
	t.changed(kindTemplates)
	data, err := mustJSON(r)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO templates (name, data) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data`, r.Name, data)
	return err
}

// DeleteTemplate removes template name.
func (t *Tx) DeleteTemplate(name string) error {
	t.changed(kindTemplates)
	tag, err := t.exec(`DELETE FROM templates WHERE name = $1`, name)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("template %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// CreateAutomation stores a with a new id (the sequence starts at 2).
func (t *Tx) CreateAutomation(a *store.Automation) error {
	t.changed(kindAutomations)
	return t.create("automations", &a.ID, &a.CreatedAt, a)
}

// Automation returns automation id or ErrNotFound.
func (t *Tx) Automation(id uint64) (*store.Automation, error) {
	var a store.Automation
	return &a, t.getLocked(&a, "automation", id, `SELECT data FROM automations WHERE id = $1`)
}

// Automations returns every stored automation, by id.
func (t *Tx) Automations() ([]store.Automation, error) {
	if v, ok, err := t.cached(kindAutomations); err != nil || ok {
		return cloneAutomations(v), err
	}
	return allJSON[store.Automation](t, `SELECT data FROM automations ORDER BY id`)
}

// PutAutomation overwrites an existing automation.
func (t *Tx) PutAutomation(a *store.Automation) error {
	t.changed(kindAutomations)
	data, err := mustJSON(a)
	if err != nil {
		return err
	}
	tag, err := t.exec(`UPDATE automations SET data = $2 WHERE id = $1`, int64(a.ID), data)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("automation %d: %w", a.ID, store.ErrNotFound)
	}
	return nil
}

// DeleteAutomation removes automation id.
func (t *Tx) DeleteAutomation(id uint64) error {
	t.changed(kindAutomations)
	tag, err := t.exec(`DELETE FROM automations WHERE id = $1`, int64(id))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("automation %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// AddBuiltinRuns adds n to built-in automation id's run count. It is one
// upsert, so concurrent firing batches on several nodes each add theirs.
// The transaction's queued writes go first, in a statement of their own:
// carried in front of the upsert (WITH clauses, which run after it), they
// would run with the counter's row locked, and concurrent firing batches
// (each writing hundreds of rows) would write one after the other.
func (t *Tx) AddBuiltinRuns(id, n uint64) error {
	if n == 0 {
		return nil
	}
	if err := t.flush(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO builtin_runs (id, runs) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET runs = builtin_runs.runs + EXCLUDED.runs`, int64(id), int64(n))
	return err
}

// BuiltinRuns returns built-in automation id's run count.
func (t *Tx) BuiltinRuns(id uint64) (uint64, error) {
	var n int64
	err := t.queryRow(`SELECT runs FROM builtin_runs WHERE id = $1`, int64(id)).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return uint64(n), err
}

// cloneAutomations copies the node's snapshot v for a caller that may
// change what it gets.
func cloneAutomations(v any) []store.Automation {
	as, _ := v.([]store.Automation)
	out := slices.Clone(as)
	for i := range out {
		out[i] = cloneAutomation(out[i])
	}
	return out
}

// cloneAutomation is a deep copy of a (its conditions and actions hold
// maps and slices).
func cloneAutomation(a store.Automation) store.Automation {
	data, err := json.Marshal(a)
	if err != nil {
		return a
	}
	var b store.Automation
	if json.Unmarshal(data, &b) != nil {
		return a
	}
	return b
}

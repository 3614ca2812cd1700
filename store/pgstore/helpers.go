package pgstore

import (
	"errors"

	"github.com/jackc/pgx/v5"
)

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// putJSON runs sql with $1 = id and $2 = v as JSON.
func (t *Tx) putJSON(sql string, id uint64, v any) error {
	data, err := mustJSON(v)
	if err != nil {
		return err
	}
	_, err = t.exec(sql, int64(id), data)
	return err
}

// ids collects the one bigint column of sql's rows.
func (t *Tx) ids(sql string, args ...any) ([]uint64, error) {
	rows, err := t.query(sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (uint64, error) {
		var id int64
		err := row.Scan(&id)
		return uint64(id), err
	})
}

// bytesOf returns the one bytea column of sql's row, or found=false.
func (t *Tx) bytesOf(sql string, args ...any) ([]byte, bool, error) {
	var b []byte
	err := t.queryRow(sql, args...).Scan(&b)
	if isNoRows(err) {
		return nil, false, nil
	}
	return b, err == nil && b != nil, err
}

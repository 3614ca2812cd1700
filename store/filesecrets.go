package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileSecrets keeps secrets as files of the directory it names (mode
// 0600, written atomically): the embedded store keeps them in its data
// directory, beside the database file, and commands read them there while
// serve holds the database.
type FileSecrets string

// LoadOrCreate implements Secrets.
func (d FileSecrets) LoadOrCreate(_ context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	path := filepath.Join(string(d), name)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return data, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if data, err = create(); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, data); err != nil {
		return nil, err
	}
	return data, nil
}

// writeFileAtomic writes data to path with mode 0600: a temporary file in
// the same directory, fsynced, then renamed over path, so a crash leaves
// either no secret or a whole one.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("install %s: %w", path, err)
	}
	return nil
}

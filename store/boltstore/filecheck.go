package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt maps the file into memory and trusts its header: a file cut short
// (a full disk, a bad copy) makes it read past the end of the mapping and
// die with SIGSEGV, and a zero-length file is silently made a new, empty
// store. checkFile looks at the file first, so deskgate refuses it with an
// error naming the file and what to do. bbolt exports no check of its own
// header (it lives in go.etcd.io/bbolt/internal/common), so the few
// fields needed are read here, from bbolt's file format (v1.4/v1.5):
//
//	page 0 and page 1 are meta pages: a 16-byte page header, then
//	magic u32, version u32, page size u32, flags u32, root bucket (pgid
//	u64, sequence u64), freelist pgid u64, high-water pgid u64, txid u64,
//	checksum u64 (FNV-1a 64 of the 56 bytes before it), native byte order.
//
// bbolt uses the valid meta page with the higher txid; the file must hold
// every page below its high-water mark.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	boltPageHeader = 16
	boltMetaSize   = 64
	boltMinPages   = 4 // two meta pages, a freelist page and the root leaf
)

// boltMeta is the part of a meta page the check reads.
type boltMeta struct {
	pageSize uint32
	pgid     uint64 // high-water mark: pages in use
	txid     uint64
}

// parseMeta reads the meta page at b (a whole page or more); ok is false
// when its magic, version or checksum is wrong.
func parseMeta(b []byte) (boltMeta, bool) {
	if len(b) < boltPageHeader+boltMetaSize {
		return boltMeta{}, false
	}
	m := b[boltPageHeader : boltPageHeader+boltMetaSize]
	ne := binary.NativeEndian
	h := fnv.New64a()
	h.Write(m[:56])
	if ne.Uint32(m[0:]) != boltMagic || ne.Uint32(m[4:]) != boltVersion || ne.Uint64(m[56:]) != h.Sum64() {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: ne.Uint32(m[8:]), pgid: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:])}, true
}

// checkFile reports what is wrong with an existing store file at path, or
// nil when bbolt may open it (or it does not exist yet).
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	size := fi.Size()
	if size == 0 {
		return damaged(path, "the file is empty (0 bytes)")
	}
	// Meta page 0 says the page size; meta page 1 sits one page further.
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read store %s: %w", path, err)
	}
	head = head[:n]
	var best boltMeta
	found := false
	m0, ok0 := parseMeta(head)
	if ok0 {
		best, found = m0, true
	}
	for _, ps := range []uint32{m0.pageSize, 4096, 8192, 16384, 32768} {
		if ps == 0 || int(ps)+boltPageHeader+boltMetaSize > len(head) {
			continue
		}
		if m1, ok := parseMeta(head[ps:]); ok && m1.pageSize == ps && (!found || m1.txid > best.txid) {
			best, found = m1, true
			break
		}
	}
	switch {
	case !found:
		return damaged(path, fmt.Sprintf("it is not a bbolt database or both of its header pages are damaged (%d bytes)", size))
	case best.pageSize < 512 || best.pageSize&(best.pageSize-1) != 0:
		return damaged(path, fmt.Sprintf("its header names an impossible page size %d", best.pageSize))
	case size%int64(best.pageSize) != 0:
		return damaged(path, fmt.Sprintf("its size %d bytes is not a whole number of %d-byte pages (cut short?)", size, best.pageSize))
	case best.pgid < boltMinPages || size < int64(best.pgid)*int64(best.pageSize):
		return damaged(path, fmt.Sprintf("it is %d bytes but its header says %d pages of %d bytes (%d bytes): it was cut short",
			size, best.pgid, best.pageSize, int64(best.pgid)*int64(best.pageSize)))
	}
	return nil
}

// damaged is the error for a store file bbolt must not open.
func damaged(path, what string) error {
	return fmt.Errorf("store file %s is damaged: %s. deskgate has not opened or changed it. "+
		"Stop here and restore the file from a backup; or, to start over with an empty store, move it away (keep it for recovery) and start again", path, what)
}

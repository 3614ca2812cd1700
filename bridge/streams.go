package bridge

import (
	"fmt"
	"sync"
)

// Open event streams (SSE, GET /me/events) are capped three ways, so no
// one holds the process's connections with them (issue 20):
//   - per token, MaxStreamsPerToken: one more closes the token's oldest;
//   - per owner (user or customer, all its tokens and sessions),
//     MaxStreamsPerOwner: one more closes the owner's oldest;
//   - in all, MaxStreams: beyond it a new stream is refused (503
//     too_many_streams), never someone else's closed.

// Stream caps.
const (
	MaxStreamsPerToken = 20
	MaxStreamsPerOwner = 40
	MaxStreams         = 500
)

// TrackStream registers an open event stream of c's token; close ends it
// (the stream's handler returns). The returned function unregisters it.
// Past MaxStreamsPerToken or MaxStreamsPerOwner the oldest stream of the
// token or owner is closed; with MaxStreams open already, it is refused.
func (s *Notifications) TrackStream(c Caller, close func()) (release func(), err error) {
	return s.streams.add(c.TokenID, fmt.Sprintf("%s/%d", c.Kind, c.ID), close)
}

// streams are the open event streams by token and by owner.
type streams struct {
	mu      sync.Mutex
	byToken map[string][]*openStream
	byOwner map[string][]*openStream
	open    int
	max     int // MaxStreams when 0
}

type openStream struct {
	token, owner string
	close        func()
	once         sync.Once
}

// errTooManyStreams refuses a stream when MaxStreams are open.
func errTooManyStreams() *Error {
	return &Error{Kind: KindUnavailable, Code: "too_many_streams", Message: "too many event streams open on this node, try again later"}
}

func (st *streams) add(token, owner string, close func()) (func(), error) {
	o := &openStream{token: token, owner: owner, close: close}
	st.mu.Lock()
	if st.byToken == nil {
		st.byToken, st.byOwner = map[string][]*openStream{}, map[string][]*openStream{}
	}
	limit := st.max
	if limit <= 0 {
		limit = MaxStreams
	}
	// The oldest of the token and of the owner make room first; only
	// then is the total checked, so a client at its own caps reconnecting
	// is never refused for the others' streams.
	var ending []*openStream
	if l := st.byToken[token]; len(l) >= MaxStreamsPerToken {
		ending = append(ending, l[:len(l)-MaxStreamsPerToken+1]...)
	}
	if l := st.byOwner[owner]; len(l) >= MaxStreamsPerOwner {
		ending = append(ending, l[:len(l)-MaxStreamsPerOwner+1]...)
	}
	for _, x := range ending {
		st.removeLocked(x)
	}
	if st.open >= limit {
		st.mu.Unlock()
		for _, x := range ending {
			x.end()
		}
		return nil, errTooManyStreams()
	}
	st.byToken[token] = append(st.byToken[token], o)
	st.byOwner[owner] = append(st.byOwner[owner], o)
	st.open++
	st.mu.Unlock()
	for _, x := range ending {
		x.end()
	}
	return func() { st.remove(o) }, nil
}

func (o *openStream) end() { o.once.Do(o.close) }

func (st *streams) remove(o *openStream) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.removeLocked(o)
}

// removeLocked unregisters o once (a closed stream's release finds it
// gone).
func (st *streams) removeLocked(o *openStream) {
	if !drop(st.byToken, o.token, o) {
		return
	}
	drop(st.byOwner, o.owner, o)
	st.open--
}

// drop removes o from m[key] and reports whether it was there.
func drop(m map[string][]*openStream, key string, o *openStream) bool {
	list := m[key]
	for i, x := range list {
		if x == o {
			list = append(list[:i:i], list[i+1:]...)
			if len(list) == 0 {
				delete(m, key)
			} else {
				m[key] = list
			}
			return true
		}
	}
	return false
}

// closeToken ends every stream of token (revoked, or its session ended).
func (st *streams) closeToken(token string) {
	st.mu.Lock()
	list := append([]*openStream(nil), st.byToken[token]...)
	for _, x := range list {
		st.removeLocked(x)
	}
	st.mu.Unlock()
	for _, x := range list {
		x.end()
	}
}

// SetMaxStreams sets the cap on open event streams in all (MaxStreams
// when n <= 0). Call it before the Service is shared.
func (s *Notifications) SetMaxStreams(n int) { s.streams.max = n }

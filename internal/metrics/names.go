package metrics

import "sync"

// maxLabelLen is the longest label value a Names set keeps.
const maxLabelLen = 64

// Other is the label value of the names a Names set does not keep.
const Other = "other"

// Names bounds the values of one label: it keeps the first max distinct
// well-formed names (letters, digits and underscores, at most 64 bytes,
// as GraphQL names and error codes are) and maps every other name to
// Other, so that clients choosing operation names cannot grow the number
// of series without bound.
type Names struct {
	max  int
	mu   sync.RWMutex
	seen map[string]struct{}
}

// NewNames returns a set that keeps at most max names.
func NewNames(max int) *Names { return &Names{max: max, seen: map[string]struct{}{}} }

// Label returns the label value for name: empty is empty, a kept name
// itself, anything else Other.
func (n *Names) Label(name, empty string) string {
	if name == "" {
		return empty
	}
	if !wellFormed(name) {
		return Other
	}
	n.mu.RLock()
	_, ok := n.seen[name]
	n.mu.RUnlock()
	if ok {
		return name
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.seen[name]; ok {
		return name
	}
	if len(n.seen) >= n.max {
		return Other
	}
	n.seen[name] = struct{}{}
	return name
}

// wellFormed says whether s is a GraphQL-like name of at most maxLabelLen
// bytes.
func wellFormed(s string) bool {
	if len(s) > maxLabelLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

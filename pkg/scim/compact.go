package scim

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"strings"
)

// The attributes flowsctl sets on a user, compared by hash during a sync.
const (
	aGiven = iota
	aFamily
	aDisplay
	aEmail // compared case-insensitively: hashed lower-cased
	aExt
	nAttr
)

// managed returns u's values of the attributes flowsctl sets, in the a* order.
func managed(u *User) [nAttr]string {
	return [nAttr]string{u.Name.GivenName, u.Name.FamilyName, u.DisplayName, u.PrimaryEmail(), u.ExternalID}
}

// ruser flags.
const (
	fActive  uint8 = 1 << iota
	fScoped        // may be deleted or deactivated: ours and carries an externalId
	fTouched       // the source lists it
	fForeign       // another directory's (or domain's): never updated
)

// ruser is one server user in a sync: its id and userName live in the arena, and of each
// attribute flowsctl sets only a 64-bit hash is kept (0 for an empty value).
type ruser struct {
	h            [nAttr]uint64
	off          uint32 // arena offset: chunk<<chunkBits | position; the id, then the userName
	idLen, nmLen uint16
	flags        uint8
}

const (
	chunkBits = 20 // 1 MiB arena chunks
	recBits   = 16 // 65,536 records a chunk
)

// remoteUsers is the server's users held during a sync in compact form: fixed-size records in
// chunks (no pointers for the GC to scan, no doubling copies), ids and userNames in a chunked
// byte arena, an index by a hash of the lower-cased userName (verified against the arena, so
// a hash collision never matches the wrong user). A million users take ~150 MB, where the
// decoded resources took several times that.
type remoteUsers struct {
	seed   maphash.Seed
	recs   [][]ruser
	n      int
	arena  [][]byte
	byName map[uint64]int32
	clash  map[string]int32 // lower(userName) -> index, for names whose hash another name holds
	byID   map[uint64]int32 // hash(id) -> index, built only when group members are read by id
}

func newRemoteUsers() *remoteUsers {
	return &remoteUsers{seed: maphash.MakeSeed(), byName: map[uint64]int32{}}
}

// hash is a 64-bit hash of s, 0 only for "".
func (r *remoteUsers) hash(s string) uint64 {
	if s == "" {
		return 0
	}
	if v := maphash.String(r.seed, s); v != 0 {
		return v
	}
	return 1
}

// attrHash hashes attribute a's value v as the comparison needs it.
func (r *remoteUsers) attrHash(a int, v string) uint64 {
	if a == aEmail {
		v = strings.ToLower(v)
	}
	return r.hash(v)
}

func (r *remoteUsers) rec(i int32) *ruser { return &r.recs[i>>recBits][i&(1<<recBits-1)] }

func (r *remoteUsers) bytes(x *ruser) []byte {
	c := r.arena[x.off>>chunkBits]
	p := x.off & (1<<chunkBits - 1)
	return c[p : p+uint32(x.idLen)+uint32(x.nmLen)]
}

// id and userName of user i (copies out of the arena).
func (r *remoteUsers) id(i int32) string {
	x := r.rec(i)
	return string(r.bytes(x)[:x.idLen])
}

func (r *remoteUsers) userName(i int32) string {
	x := r.rec(i)
	return string(r.bytes(x)[x.idLen:])
}

func (r *remoteUsers) nameIs(i int32, lower string) bool {
	x := r.rec(i)
	return strings.EqualFold(string(r.bytes(x)[x.idLen:]), lower)
}

// add stores a user and returns its index.
func (r *remoteUsers) add(id, userName string, vals [nAttr]string, flags uint8) (int32, error) {
	if len(id) > 1<<15 || len(userName) > 1<<15 {
		return 0, fmt.Errorf("a user's id or userName is longer than 32 KiB (userName starts %q): remove that user at the server", userName[:min(len(userName), 40)])
	}
	if r.n >= 1<<31-1 {
		return 0, fmt.Errorf("more than %d users", 1<<31-1)
	}
	need := len(id) + len(userName)
	if len(r.arena) == 0 || len(r.arena[len(r.arena)-1])+need > 1<<chunkBits {
		if len(r.arena) >= 1<<(32-chunkBits) {
			return 0, fmt.Errorf("the users' ids and userNames exceed 4 GiB")
		}
		r.arena = append(r.arena, make([]byte, 0, 1<<chunkBits))
	}
	ci := len(r.arena) - 1
	x := ruser{off: uint32(ci)<<chunkBits | uint32(len(r.arena[ci])), idLen: uint16(len(id)), nmLen: uint16(len(userName)), flags: flags}
	r.arena[ci] = append(append(r.arena[ci], id...), userName...)
	for a, v := range vals {
		x.h[a] = r.attrHash(a, v)
	}
	if r.n>>recBits == len(r.recs) {
		r.recs = append(r.recs, make([]ruser, 0, 1<<recBits))
	}
	last := &r.recs[len(r.recs)-1]
	*last = append(*last, x)
	i := int32(r.n)
	r.n++
	lower := strings.ToLower(userName)
	k := r.hash(lower)
	if j, ok := r.byName[k]; ok && !r.nameIs(j, lower) {
		if r.clash == nil {
			r.clash = map[string]int32{}
		}
		r.clash[lower] = i
	} else {
		r.byName[k] = i
	}
	if r.byID != nil {
		r.byID[r.hash(id)] = i
	}
	return i, nil
}

// lookup finds a user by userName (case-insensitive).
func (r *remoteUsers) lookup(userName string) (int32, bool) {
	lower := strings.ToLower(userName)
	if i, ok := r.byName[r.hash(lower)]; ok && r.nameIs(i, lower) {
		return i, true
	}
	i, ok := r.clash[lower]
	return i, ok
}

// lookupID finds a user by id, building the id index on first use.
func (r *remoteUsers) lookupID(id string) (int32, bool) {
	if r.byID == nil {
		r.byID = make(map[uint64]int32, r.n)
		for i := int32(0); int(i) < r.n; i++ {
			r.byID[r.hash(r.id(i))] = i
		}
	}
	i, ok := r.byID[r.hash(id)]
	if !ok || r.id(i) == id {
		return i, ok
	}
	// Another id holds this hash (a 2^-64 chance): look the slow way.
	for j := int32(0); int(j) < r.n; j++ {
		if r.id(j) == id {
			return j, true
		}
	}
	return 0, false
}

// changes are the attributes of want that differ from user i (nil when equal). Only the
// attributes flowsctl manages are compared: name, displayName, primary email, externalId,
// active; an attribute the source leaves empty is not managed.
func (r *remoteUsers) changes(i int32, want User) map[string]any {
	x := r.rec(i)
	vals := managed(&want)
	ch := map[string]any{}
	for a, path := range [nAttr]string{"name.givenName", "name.familyName", "displayName", "emails", "externalId"} {
		v := vals[a]
		if v == "" || r.attrHash(a, v) == x.h[a] {
			continue
		}
		if a == aEmail {
			ch[path] = []Email{{Value: v, Type: "work", Primary: true}}
		} else {
			ch[path] = v
		}
	}
	if want.Active != (x.flags&fActive != 0) {
		ch["active"] = want.Active
	}
	if len(ch) == 0 {
		return nil
	}
	return ch
}

// bitset is a set of user indices.
type bitset []uint64

func (b *bitset) set(i int32) {
	w := int(i >> 6)
	if w >= len(*b) {
		nb := make(bitset, w+1, max(w+1, 2*len(*b)))
		copy(nb, *b)
		*b = nb
	}
	(*b)[w] |= 1 << (uint(i) & 63)
}

// minus lists the members of b not in o, in order.
func (b bitset) minus(o bitset) []int32 {
	var out []int32
	for w, v := range b {
		if w < len(o) {
			v &^= o[w]
		}
		for v != 0 {
			t := bits.TrailingZeros64(v)
			out = append(out, int32(w<<6+t))
			v &= v - 1
		}
	}
	return out
}

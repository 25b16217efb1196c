package zuorafake

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// randomBytes uses crypto/rand, which never fails on supported platforms.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// newHexID is a sequence-set id: 32 lowercase hex characters, like
// 402892c74c9193cd014c96bbe7c101f9.
func newHexID() string { return hex.EncodeToString(randomBytes(16)) }

// newUUID is a random version 4 UUID for Zuora-Request-Id.
func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newProcessID is the 16 upper-case hex processId of error bodies.
func newProcessID() string { return strings.ToUpper(hex.EncodeToString(randomBytes(8))) }

package httpx

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"sync"
)

// parsed holds the certificates of the PEM bundles this process has read, by the bundle's
// SHA-256: a fleet run builds a client per tenant from the same --ca-file, and parsing it
// again for each was a measurable share of the fleet's start. At most maxParsed bundles are
// kept (then it starts afresh); certificates are never modified once parsed, so pools share them.
var parsed struct {
	sync.Mutex
	m map[[32]byte][]*x509.Certificate
}

const maxParsed = 256

// appendPEM adds the certificates of a PEM bundle to pool, as x509.CertPool.AppendCertsFromPEM
// does (blocks of another type, with headers, or that do not parse are skipped), and reports
// whether it added any.
func appendPEM(pool *x509.CertPool, b []byte) bool {
	key := sha256.Sum256(b)
	parsed.Lock()
	certs, ok := parsed.m[key]
	parsed.Unlock()
	if !ok {
		certs = parsePEM(b)
		parsed.Lock()
		if parsed.m == nil || len(parsed.m) >= maxParsed {
			parsed.m = map[[32]byte][]*x509.Certificate{}
		}
		parsed.m[key] = certs
		parsed.Unlock()
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return len(certs) > 0
}

func parsePEM(b []byte) []*x509.Certificate {
	var certs []*x509.Certificate
	for len(b) > 0 {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			continue
		}
		certs = append(certs, c)
	}
	return certs
}

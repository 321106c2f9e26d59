package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"time"
)

// CA is the sandbox's own certificate authority and the loopback server certificate it signed.
type CA struct {
	CertPEM []byte
	Server  tls.Certificate

	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

// NewCA generates an ECDSA P-256 CA and a server certificate for 127.0.0.1, ::1 and localhost.
func NewCA() (*CA, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	sn := serial()
	caTmpl := &x509.Certificate{
		SerialNumber: sn,
		// The name is unique per CA: a client trusting a bundle of many sandboxes' CAs (a fleet
		// run) looks up the issuer by name and checks the signature of every CA of that name, so
		// one shared name would cost one signature check per CA in the bundle on every handshake.
		Subject:               pkix.Name{CommonName: "flowsctl sandbox CA " + sn.Text(16), Organization: []string{"flowsctl sandbox"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca := &CA{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), key: caKey, cert: mustParse(caDER)}
	if ca.Server, err = ca.ServerCert(now.Add(-time.Hour), now.Add(7*24*time.Hour)); err != nil {
		return nil, err
	}
	return ca, nil
}

// ServerCert signs a new certificate for the loopback server (127.0.0.1, ::1 and localhost),
// valid from notBefore to notAfter (an expired one for tests of certificate errors).
func (ca *CA) ServerCert(notBefore, notAfter time.Time) (tls.Certificate, error) {
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca.cert, &srvKey.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{srvDER, ca.cert.Raw}, PrivateKey: srvKey, Leaf: mustParse(srvDER)}, nil
}

func mustParse(der []byte) *x509.Certificate {
	c, _ := x509.ParseCertificate(der)
	return c
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

package okta

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// ParsePrivateKey reads an RSA private key in PEM (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA
// PRIVATE KEY"), as Okta's admin console downloads it.
func ParsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("not a PEM private key (expected -----BEGIN PRIVATE KEY-----)")
	}
	switch blk.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, err
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("the key is %T; Okta service apps sign with RSA (RS256)", k)
		}
		return rk, nil
	}
	return nil, fmt.Errorf("PEM block %q is not a private key", blk.Type)
}

// ClientAssertion is the private_key_jwt assertion of RFC 7523 that Okta's token endpoint
// takes: RS256, iss = sub = the client id, aud = the token URL, valid for five minutes, with
// a random jti so it cannot be replayed.
func ClientAssertion(key *rsa.PrivateKey, keyID, clientID, tokenURL string) (string, error) {
	hdr := map[string]string{"alg": "RS256", "typ": "JWT"}
	if keyID != "" {
		hdr["kid"] = keyID
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	now := time.Now()
	claims := map[string]any{"iss": clientID, "sub": clientID, "aud": tokenURL,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": hex.EncodeToString(jti)}
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b), err
	}
	h, err := enc(hdr)
	if err != nil {
		return "", err
	}
	c, err := enc(claims)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(h + "." + c))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return h + "." + c + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

package entraemu

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// FederatedCredential is a workload identity federation record of a client: Entra accepts an
// assertion from Issuer about Subject with audience api://AzureADTokenExchange, signed by Key.
type FederatedCredential struct {
	Issuer, Subject string
	Key             crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey
}

// FederationAudience is the audience Entra requires of a federated assertion.
const FederationAudience = "api://AzureADTokenExchange"

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionError is an STS error for a rejected client assertion.
type assertionError struct {
	code int
	msg  string
}

// verifyAssertion checks a client assertion (RFC 7523) for c: a certificate assertion
// (x5t or x5t#S256 names one of the client's certificates; iss = sub = client id; aud = the
// token endpoint) or a federated one (iss/sub match a FederatedCredential; aud is
// api://AzureADTokenExchange). The signature, exp and nbf are checked. Caller holds t.mu.
func (t *tenant) verifyAssertion(c *Client, assertion, assertionType, tokenEndpoint string) *assertionError {
	if assertionType != jwtBearer {
		return &assertionError{700025, "client_assertion_type must be " + jwtBearer + "."}
	}
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return &assertionError{50027, "JWT token is invalid or malformed."}
	}
	var hdr struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp float64         `json:"exp"`
		Nbf float64         `json:"nbf"`
	}
	if sandbox.DecodeJWTSegment(parts[0], &hdr) != nil || sandbox.DecodeJWTSegment(parts[1], &claims) != nil {
		return &assertionError{50027, "JWT token is invalid or malformed."}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return &assertionError{50027, "JWT token is invalid or malformed."}
	}
	auds := audiences(claims.Aud)
	now := t.now()
	if claims.Exp == 0 || time.Unix(int64(claims.Exp), 0).Before(now.Add(-5*time.Minute)) {
		return &assertionError{700024, "Client assertion is not within its valid time range."}
	}
	if claims.Nbf != 0 && time.Unix(int64(claims.Nbf), 0).After(now.Add(5*time.Minute)) {
		return &assertionError{700024, "Client assertion is not within its valid time range."}
	}
	var key crypto.PublicKey
	if hdr.X5t != "" || hdr.X5tS256 != "" {
		x5t, x5tS256 := thumbprint(hdr.X5t), thumbprint(hdr.X5tS256)
		for _, cert := range c.Certificates {
			s1, s256 := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw)
			if (x5t != nil && bytes.Equal(x5t, s1[:])) || (x5tS256 != nil && bytes.Equal(x5tS256, s256[:])) {
				key = cert.PublicKey
			}
		}
		if key == nil {
			return &assertionError{700027, "Client assertion failed signature validation: the key was not found (no certificate with this thumbprint is registered for app '" + c.ID + "')."}
		}
		if claims.Iss != c.ID || claims.Sub != c.ID {
			return &assertionError{700021, "Client assertion application identifier doesn't match 'client_id' parameter."}
		}
		if !slices.Contains(auds, tokenEndpoint) {
			return &assertionError{700027, "Client assertion contains an invalid audience: " + strings.Join(auds, ", ") + "."}
		}
	} else {
		for _, fc := range c.Federated {
			if fc.Issuer == claims.Iss && fc.Subject == claims.Sub {
				key = fc.Key
			}
		}
		if key == nil {
			return &assertionError{70021, fmt.Sprintf("No matching federated identity record found for presented assertion issuer '%s' with subject '%s'.", claims.Iss, claims.Sub)}
		}
		if !slices.Contains(auds, FederationAudience) {
			return &assertionError{700212, "No matching federated identity record found for presented assertion audience '" + strings.Join(auds, ", ") + "'."}
		}
	}
	if err := verifySignature(hdr.Alg, key, parts[0]+"."+parts[1], sig); err != nil {
		return &assertionError{700027, "Client assertion failed signature validation: " + err.Error()}
	}
	return nil
}

// thumbprint decodes an x5t header value: base64url per RFC 7515, or standard base64 as MSAL
// sends it (Entra takes both); nil when absent or undecodable.
func thumbprint(v string) []byte {
	if v == "" {
		return nil
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			return b
		}
	}
	return nil
}

func audiences(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	json.Unmarshal(raw, &many)
	return many
}

// verifySignature supports what MSAL and workload identity issuers use: RS256, PS256, ES256.
func verifySignature(alg string, key crypto.PublicKey, signed string, sig []byte) error {
	sum := sha256.Sum256([]byte(signed))
	switch k := key.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "RS256":
			return rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], sig)
		case "PS256":
			return rsa.VerifyPSS(k, crypto.SHA256, sum[:], sig, nil)
		}
	case *ecdsa.PublicKey:
		if alg == "ES256" && len(sig) == 64 {
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			if ecdsa.Verify(k, sum[:], r, s) {
				return nil
			}
			return fmt.Errorf("signature is invalid")
		}
	}
	return fmt.Errorf("algorithm %q does not fit the registered key", alg)
}

package entraemu

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"time"
)

// sign issues a compact RS256 JWT with the tenant's key.
func (t *tenant) sign(claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"typ": "JWT", "alg": "RS256", "kid": t.kid, "x5t": t.kid})
	c, _ := json.Marshal(claims)
	in := b64(h) + "." + b64(c)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, t.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return in + "." + b64(sig)
}

// verify checks the signature and expiry of a token and returns its claims.
func (t *tenant) verify(tok string) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("IDX14100: JWT is not well formed, there are no dots (.).")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errors.New("Signature is invalid.")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&t.key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return nil, errors.New("Signature is invalid.")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, errors.New("IDX14102: Unable to decode the payload.")
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		return nil, errors.New("IDX14102: Unable to decode the payload.")
	}
	exp, _ := claims["exp"].(float64)
	if int64(exp) < t.now().Unix() {
		return nil, errors.New("Lifetime validation failed, the token is expired.")
	}
	return claims, nil
}

func (t *tenant) jwks() map[string]any {
	pub := t.key.PublicKey
	return map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "use": "sig", "kid": t.kid, "x5t": t.kid,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
		"issuer": t.issuer(),
	}}}
}

func (t *tenant) issuer() string { return t.stsURL + "/" + TenantID + "/v2.0" }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// accessToken builds the claims of a Graph token. Exactly one of roles (app-only) and scp (user) is set.
func (t *tenant) accessToken(aud, appID string, roles, scp []string, oid string, ttl time.Duration) string {
	now := t.now()
	c := map[string]any{
		"aud": aud, "iss": "https://sts.windows.net/" + TenantID + "/", "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(ttl).Unix(), "tid": TenantID, "appid": appID, "azp": appID, "oid": oid, "sub": oid,
		"ver": "1.0", "uti": randomString(22),
	}
	if scp != nil {
		c["scp"] = strings.Join(scp, " ")
		c["idtyp"] = "user"
		c["upn"] = AdminUPN
		c["wids"] = []string{"158c047a-c907-4556-b7ef-446551a6b5f7"} // Cloud Application Administrator
	} else {
		c["roles"] = roles
		c["idtyp"] = "app"
	}
	return t.sign(c)
}

package auth

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: RFC 6238 defaults, which every authenticator app supports.
const (
	totpPeriod = 30
	totpSkew   = 1 // one step either side, for clock drift
)

// TOTPEnrolment is a new second factor to show the user once.
type TOTPEnrolment struct {
	Secret string // base32, for manual entry
	URL    string // otpauth:// URL
	PNG    []byte // QR code of URL, 200×200
}

// NewTOTP makes a new TOTP secret for account (the user's e-mail).
func NewTOTP(issuer, account string) (TOTPEnrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, SecretSize: 20})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: new TOTP secret: %w", err)
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL(), PNG: buf.Bytes()}, nil
}

// TOTPCode returns the code for secret at t (tests and the demo use it).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// CheckTOTP checks code against secret at now, allowing one step of clock
// drift either side, and refuses any step at or before lastStep, so a code
// cannot be used twice. It returns the step to record as the new lastStep.
func CheckTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if s <= lastStep {
			continue
		}
		want, err := TOTPCode(secret, time.Unix(s*totpPeriod, 0))
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// NewRecoveryCodes returns n one-time recovery codes such as
// "k4d9-x2mq-7hpa", drawn from an alphabet without look-alike characters.
func NewRecoveryCodes(n int) []string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	codes := make([]string, n)
	for i := range codes {
		raw := []byte(NewToken(16))
		var b strings.Builder
		for j := 0; j < 12; j++ {
			if j > 0 && j%4 == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(alphabet[int(raw[j])%len(alphabet)])
		}
		codes[i] = b.String()
	}
	return codes
}

// NormaliseRecoveryCode folds case, spaces and dashes so codes can be typed
// loosely.
func NormaliseRecoveryCode(code string) string {
	code = strings.ToLower(strings.Join(strings.Fields(code), ""))
	code = strings.ReplaceAll(code, "-", "")
	if len(code) != 12 {
		return code
	}
	return code[0:4] + "-" + code[4:8] + "-" + code[8:12]
}

// TOTPFromSecret rebuilds the enrolment (URL and QR code) of an existing
// secret.
func TOTPFromSecret(issuer, account, secret string) (TOTPEnrolment, error) {
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&period=%d&digits=6&algorithm=SHA1",
		url.PathEscape(issuer), url.PathEscape(account), secret, url.QueryEscape(issuer), totpPeriod))
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: TOTP key: %w", err)
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: secret, URL: key.URL(), PNG: buf.Bytes()}, nil
}

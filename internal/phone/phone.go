// Package phone validates and normalizes the phone numbers residents sign in
// with: mainland China mobile numbers (11 digits starting 13–19) and other
// numbers in E.164 form.
package phone

import (
	"errors"
	"strings"
)

// ErrInvalid is returned for a string that is neither a mainland mobile number
// nor an E.164 number.
var ErrInvalid = errors.New("phone: not a mainland mobile number (e.g. 13900000001) or an E.164 number (e.g. +85291234567)")

// Normalize returns the canonical form of a phone number, the one Linli stores:
// a mainland mobile number as its 11 digits (with or without +86 given),
// any other number in E.164 form (+ and 8 to 15 digits). Spaces and dashes
// between digits are dropped.
func Normalize(s string) (string, error) {
	s = strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "+86"); ok && isMainlandMobile(rest) {
		return rest, nil
	}
	if isMainlandMobile(s) {
		return s, nil
	}
	if isE164(s) {
		return s, nil
	}
	return "", ErrInvalid
}

// Validate reports whether s is already in the canonical form Normalize returns.
func Validate(s string) error {
	n, err := Normalize(s)
	if err != nil {
		return err
	}
	if n != s {
		return errors.New("phone: not in canonical form (want " + n + ")")
	}
	return nil
}

func isMainlandMobile(s string) bool {
	return len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && allDigits(s)
}

func isE164(s string) bool {
	digits, ok := strings.CutPrefix(s, "+")
	return ok && len(digits) >= 8 && len(digits) <= 15 && digits[0] != '0' && allDigits(digits)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

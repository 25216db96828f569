package phone

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"13900000001", "13900000001", true},
		{"+8613900000001", "13900000001", true},
		{" 139-0000-0001 ", "13900000001", true},
		{"+85291234567", "+85291234567", true},
		{"+442071838750", "+442071838750", true},
		{"12900000001", "", false},       // 12x is not a mobile prefix
		{"1390000000", "", false},        // 10 digits
		{"139000000012", "", false},      // 12 digits
		{"+0123456789", "", false},       // country code cannot start with 0
		{"+1234567", "", false},          // too short for E.164
		{"+1234567890123456", "", false}, // too long for E.164
		{"1390000000a", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := Validate("13900000001"); err != nil {
		t.Errorf("Validate(canonical) = %v", err)
	}
	if err := Validate("+8613900000001"); err == nil {
		t.Error("Validate(+86 form) = nil; want an error asking for the canonical form")
	}
}

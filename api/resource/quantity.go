package resource

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Quantity is an exact decimal amount with a preferred output format.
//
// The number is kept as unscaled * 10^exp with unscaled stripped of trailing zeros, so equal
// values have equal representations (reflect.DeepEqual works on quantities that were built
// the same way). Use Cmp or Equal to compare values.
type Quantity struct {
	// unscaled is nil for zero. It is never modified after being stored: every operation
	// builds a new big.Int, which is what makes struct copies safe.
	unscaled *big.Int
	exp      int32

	// s is the text to serialize when upstream would echo the parsed string back (see
	// parse); empty means "compute the canonical form".
	s string
	// sScale is the decimal scale upstream's fast path stored for s; RoundUp keeps s when the
	// requested scale is no finer than it, exactly as upstream does.
	sScale int32

	// Format is how the value is written: DecimalSI, BinarySI or DecimalExponent.
	Format
}

// Format is one of the three ways of writing a quantity.
type Format string

// The formats a Quantity can be written in.
const (
	DecimalExponent = Format("DecimalExponent") // 12e6
	BinarySI        = Format("BinarySI")        // 12Mi (12 * 2^20)
	DecimalSI       = Format("DecimalSI")       // 12M (12 * 10^6)
)

// Scale is a power of ten, used to ask for a value in a given unit (Milli = 10^-3).
type Scale int32

// Common scales.
const (
	Nano  Scale = -9
	Micro Scale = -6
	Milli Scale = -3
	Kilo  Scale = 3
	Mega  Scale = 6
	Giga  Scale = 9
	Tera  Scale = 12
	Peta  Scale = 15
	Exa   Scale = 18
)

// splitPattern is the regular expression upstream quotes in its format error; the scanner
// below implements it by hand (and is stricter than it, as upstream's is).
const splitPattern = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

// Parse errors, with upstream's texts (they surface in validation messages).
var (
	ErrFormatWrong = errors.New("quantities must match the regular expression '" + splitPattern + "'")
	ErrNumeric     = errors.New("unable to parse numeric part of quantity")
	ErrSuffix      = errors.New("unable to parse quantity's suffix")
)

// maxExponent bounds the exponent of "1eN" style input. Upstream wraps larger exponents
// around int32; Skiff refuses them instead of computing with absurd magnitudes.
const maxExponent = 1 << 30

// MustParse parses s or panics; for constants in code and tests.
func MustParse(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(fmt.Errorf("cannot parse '%v': %v", s, err))
	}
	return q
}

// ParseQuantity parses a quantity string such as "100m", "1.5Gi" or "2e3".
func ParseQuantity(str string) (Quantity, error) {
	if str == "" {
		return Quantity{}, ErrFormatWrong
	}
	if str == "0" {
		return Quantity{Format: DecimalSI, s: str}, nil
	}
	sc, err := scan(str)
	if err != nil {
		return Quantity{}, err
	}
	base, exponent, format, ok := interpretSuffix(sc.suffix)
	if !ok {
		return Quantity{}, ErrSuffix
	}

	digits := sc.num + sc.denom
	mant, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return Quantity{}, ErrNumeric
	}
	exp10 := -int64(len(sc.denom))
	if base == 10 {
		exp10 += int64(exponent)
	} else {
		mant.Lsh(mant, uint(exponent))
	}
	if !sc.positive {
		mant.Neg(mant)
	}

	q := Quantity{Format: format}
	q.setExact(mant, exp10)

	// Amounts are kept to nanounit precision; anything finer is rounded up (away from zero),
	// so that asking for a tiny amount of a resource still asks for some.
	if exp10 < int64(Nano) {
		q.unscaled, q.exp = roundAwayFromZero(q.unscaled, q.exp, int32(Nano))
	}
	if format == BinarySI {
		if q.cmpAbs(maxInt64Quantity) > 0 {
			capped := new(big.Int).Set(maxInt64Big)
			if q.Sign() < 0 {
				capped.Neg(capped)
			}
			q.setExact(capped, 0)
		}
		if !q.IsZero() && q.cmpAbs(oneQuantity) < 0 {
			q.Format = DecimalSI
		}
	}

	if s, scale, keep := echoedText(str, sc, base, exponent, format); keep {
		q.s, q.sScale = s, scale
	}
	return q, nil
}

// echoedText reports whether upstream would serialize str exactly as written. Upstream keeps
// the input string when its int64 fast path parsed it and the digits "look canonical": for
// decimal, a scale that is a multiple of three, no "000" at the end and no leading zero of the
// digits; for binary, a mantissa that is not a multiple of 8.
func echoedText(str string, sc scanned, base, exponent int32, format Format) (string, int32, bool) {
	shifted := sc.num + sc.denom
	switch format {
	case BinarySI:
		if len(sc.denom) != 0 {
			return "", 0, false
		}
		precision := 15 - len(sc.num) - int(float32(exponent)*3/10) - 1
		if precision < 0 {
			return "", 0, false
		}
		var v big.Int
		v.SetString(shifted, 10)
		if !v.IsInt64() || v.BitLen()+int(exponent) > 63 {
			return "", 0, false
		}
		if exponent%10 == 0 && v.Int64()&0x07 != 0 {
			return str, 0, true
		}
		return "", 0, false
	default:
		if 18-len(sc.num)-len(sc.denom) < 0 {
			return "", 0, false
		}
		scale := int64(exponent) - int64(len(sc.denom))
		if scale < int64(Nano) {
			return "", 0, false
		}
		if scale%3 == 0 && !strings.HasSuffix(shifted, "000") && shifted[0] != '0' {
			return str, int32(scale), true
		}
		return "", 0, false
	}
}

// scanned is a quantity string split into its parts.
type scanned struct {
	positive bool
	num      string // integer digits without leading zeros ("0" if none)
	denom    string // fraction digits
	suffix   string
}

// scan splits str into sign, integer digits, fraction digits and suffix, following upstream's
// scanner: leading zeros are dropped, "1." and "." are accepted, and the suffix is a run of
// suffix letters optionally followed by a signed exponent.
func scan(str string) (scanned, error) {
	sc := scanned{positive: true}
	pos, end := 0, len(str)
	switch str[0] {
	case '-':
		sc.positive = false
		pos++
	case '+':
		pos++
	}
	for pos < end && str[pos] == '0' {
		pos++
	}
	if pos >= end {
		sc.num = "0"
		return sc, nil
	}
	start := pos
	for pos < end && isDigit(str[pos]) {
		pos++
	}
	sc.num = str[start:pos]
	if sc.num == "" {
		sc.num = "0"
	}
	if pos < end && str[pos] == '.' {
		pos++
		start = pos
		for pos < end && isDigit(str[pos]) {
			pos++
		}
		sc.denom = str[start:pos]
	}
	suffixStart := pos
	for pos < end && strings.IndexByte("eEinumkKMGTP", str[pos]) >= 0 {
		pos++
	}
	if pos < end && (str[pos] == '-' || str[pos] == '+') {
		pos++
	}
	for pos < end && isDigit(str[pos]) {
		pos++
	}
	if pos < end {
		return scanned{}, ErrFormatWrong
	}
	sc.suffix = str[suffixStart:]
	return sc, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

var decimalSuffixes = map[string]int32{
	"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
}

var binarySuffixes = map[string]int32{
	"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
}

// interpretSuffix returns the base (10 or 2), the exponent and the format a suffix means.
func interpretSuffix(s string) (base, exponent int32, format Format, ok bool) {
	if e, ok := decimalSuffixes[s]; ok {
		return 10, e, DecimalSI, true
	}
	if e, ok := binarySuffixes[s]; ok {
		return 2, e, BinarySI, true
	}
	if len(s) > 1 && (s[0] == 'e' || s[0] == 'E') {
		n, err := strconv.ParseInt(s[1:], 10, 64)
		if err != nil {
			return 0, 0, DecimalExponent, false
		}
		if n > maxExponent || n < -maxExponent {
			return 0, 0, DecimalExponent, false
		}
		return 10, int32(n), DecimalExponent, true
	}
	return 0, 0, DecimalExponent, false
}

// NewQuantity returns value in the given format.
func NewQuantity(value int64, format Format) *Quantity {
	q := &Quantity{Format: format}
	q.setExact(big.NewInt(value), 0)
	return q
}

// NewMilliQuantity returns value/1000 in the given format.
func NewMilliQuantity(value int64, format Format) *Quantity {
	q := &Quantity{Format: format}
	q.setExact(big.NewInt(value), -3)
	return q
}

// NewScaledQuantity returns value * 10^scale in DecimalSI format.
func NewScaledQuantity(value int64, scale Scale) *Quantity {
	q := &Quantity{Format: DecimalSI}
	q.setExact(big.NewInt(value), int64(scale))
	return q
}

// Set replaces the value with an integer, keeping the format.
func (q *Quantity) Set(value int64) { q.SetScaled(value, 0) }

// SetMilli replaces the value with value/1000, keeping the format.
func (q *Quantity) SetMilli(value int64) { q.SetScaled(value, Milli) }

// SetScaled replaces the value with value * 10^scale, keeping the format.
func (q *Quantity) SetScaled(value int64, scale Scale) {
	q.s = ""
	q.setExact(big.NewInt(value), int64(scale))
}

// setExact stores m * 10^exp normalized; it takes ownership of m.
func (q *Quantity) setExact(m *big.Int, exp int64) {
	q.unscaled, q.exp = normalize(m, exp)
}

// DeepCopy returns a copy; Quantity never shares mutable state, so a copy is enough.
func (q Quantity) DeepCopy() Quantity { return q }

// DeepCopyInto copies q into out.
func (q *Quantity) DeepCopyInto(out *Quantity) { *out = *q }

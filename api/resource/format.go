package resource

import (
	"bytes"
	"math/big"
	"strconv"
	"strings"
)

// decimalSuffixByExponent is the reverse of decimalSuffixes.
var decimalSuffixByExponent = map[int32]string{
	-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E",
}

// binarySuffixByPower names 1024^i.
var binarySuffixByPower = []string{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}

var big1024 = big.NewInt(1024)

// String returns the serialized form: the parsed text when upstream would keep it, else the
// canonical form (see the package comment).
func (q Quantity) String() string {
	if q.s != "" {
		return q.s
	}
	return q.canonical()
}

// canonical renders the value in its canonical form.
func (q Quantity) canonical() string {
	if q.IsZero() {
		return "0"
	}
	format := q.Format
	switch format {
	case DecimalSI, DecimalExponent:
	case BinarySI:
		// Binary suffixes only make sense for whole numbers of at least 1Ki; anything else is
		// written in decimal so that nothing is rounded.
		if q.CmpInt64(-1024) > 0 && q.CmpInt64(1024) < 0 {
			format = DecimalSI
		} else if q.exp < 0 {
			format = DecimalSI
		}
	default:
		format = DecimalExponent
	}
	if format == BinarySI {
		return q.canonicalBinary()
	}
	return q.canonicalDecimal(format)
}

// canonicalDecimal writes mantissa and an exponent that is a multiple of three, the largest
// possible without fractional digits.
func (q Quantity) canonicalDecimal(format Format) string {
	m := q.unscaled
	exp := int64(q.exp)
	r := exp % 3
	if r < 0 {
		r += 3
	}
	if r != 0 {
		m = new(big.Int).Mul(m, pow10(r))
		exp -= r
	}
	number := m.String()
	if format == DecimalSI {
		// DecimalSI has no suffix beyond E (or below n). Kubernetes up to at least v1.37
		// then writes the bare mantissa, so "1000E" serializes as "1" and silently loses
		// its magnitude; Skiff reproduces that rather than differ from the servers clients
		// talk to. (Later apimachinery switches to exponent notation, "1e21".)
		return number + decimalSuffixByExponent[int32(exp)]
	}
	if exp == 0 {
		return number
	}
	return number + "e" + strconv.FormatInt(exp, 10)
}

// canonicalBinary writes a whole number as mantissa times the largest power of 1024 dividing it.
func (q Quantity) canonicalBinary() string {
	m := new(big.Int).Mul(q.unscaled, pow10(int64(q.exp)))
	power := 0
	var quo, rem big.Int
	for power < len(binarySuffixByPower)-1 {
		quo.QuoRem(m, big1024, &rem)
		if rem.Sign() != 0 {
			break
		}
		m.Set(&quo)
		power++
	}
	return m.String() + binarySuffixByPower[power]
}

// MarshalJSON writes the quantity as a JSON string.
func (q Quantity) MarshalJSON() ([]byte, error) {
	s := q.String()
	out := make([]byte, 0, len(s)+2)
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"'), nil
}

// UnmarshalJSON accepts a JSON string or number (and null, meaning zero). Like upstream, the
// quotes are removed without unescaping and surrounding blanks are ignored.
func (q *Quantity) UnmarshalJSON(value []byte) error {
	if bytes.Equal(value, []byte("null")) {
		*q = Quantity{}
		return nil
	}
	if l := len(value); l >= 2 && value[0] == '"' && value[l-1] == '"' {
		value = value[1 : l-1]
	}
	parsed, err := ParseQuantity(strings.TrimSpace(string(value)))
	if err != nil {
		return err
	}
	*q = parsed
	return nil
}

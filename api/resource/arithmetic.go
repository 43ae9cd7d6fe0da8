package resource

import (
	"math"
	"math/big"
)

var (
	bigTen         = big.NewInt(10)
	maxInt64Big    = big.NewInt(math.MaxInt64)
	minInt64Big    = big.NewInt(math.MinInt64)
	oneQuantity    = Quantity{unscaled: big.NewInt(1)}
	maxInt64Amount = normalizedCopy(maxInt64Big)
	// maxInt64Quantity is the cap upstream applies to binary amounts (2^63-1).
	maxInt64Quantity = Quantity{unscaled: maxInt64Amount.unscaled, exp: maxInt64Amount.exp}
)

func normalizedCopy(b *big.Int) Quantity {
	m, e := normalize(new(big.Int).Set(b), 0)
	return Quantity{unscaled: m, exp: e}
}

// normalize strips trailing zeros from m into the exponent; zero becomes (nil, 0). It takes
// ownership of m.
func normalize(m *big.Int, exp int64) (*big.Int, int32) {
	if m.Sign() == 0 {
		return nil, 0
	}
	var q, r big.Int
	for {
		q.QuoRem(m, bigTen, &r)
		if r.Sign() != 0 {
			break
		}
		m.Set(&q)
		exp++
	}
	return m, int32(exp)
}

// pow10 returns 10^n for n >= 0.
func pow10(n int64) *big.Int {
	return new(big.Int).Exp(bigTen, big.NewInt(n), nil)
}

// numDigits returns the number of decimal digits of |m| (m != 0).
func numDigits(m *big.Int) int64 {
	return int64(len(new(big.Int).Abs(m).String()))
}

// roundAwayFromZero rounds m*10^exp to a multiple of 10^scale, away from zero.
func roundAwayFromZero(m *big.Int, exp, scale int32) (*big.Int, int32) {
	if m == nil || exp >= scale {
		return m, exp
	}
	shift := int64(scale) - int64(exp)
	neg := m.Sign() < 0
	abs := new(big.Int).Abs(m)
	var out *big.Int
	if shift > numDigits(abs) {
		// The whole amount is below one unit of the target scale.
		out = big.NewInt(1)
	} else {
		var r big.Int
		out = new(big.Int)
		out.QuoRem(abs, pow10(shift), &r)
		if r.Sign() != 0 {
			out.Add(out, big.NewInt(1))
		}
	}
	if neg {
		out.Neg(out)
	}
	return normalize(out, int64(scale))
}

// aligned returns the unscaled values of a and b at their common (smaller) exponent.
func aligned(a, b Quantity) (x, y *big.Int, exp int32) {
	x, y = a.mantissa(), b.mantissa()
	switch {
	case a.unscaled == nil:
		return x, y, b.exp
	case b.unscaled == nil:
		return x, y, a.exp
	case a.exp > b.exp:
		return new(big.Int).Mul(x, pow10(int64(a.exp)-int64(b.exp))), y, b.exp
	case b.exp > a.exp:
		return x, new(big.Int).Mul(y, pow10(int64(b.exp)-int64(a.exp))), a.exp
	}
	return x, y, a.exp
}

// mantissa returns the unscaled value, never nil (callers must not modify it).
func (q Quantity) mantissa() *big.Int {
	if q.unscaled == nil {
		return new(big.Int)
	}
	return q.unscaled
}

// IsZero reports whether the value is zero.
func (q *Quantity) IsZero() bool { return q.unscaled == nil || q.unscaled.Sign() == 0 }

// Sign returns -1, 0 or 1.
func (q *Quantity) Sign() int {
	if q.unscaled == nil {
		return 0
	}
	return q.unscaled.Sign()
}

// Cmp returns -1, 0 or 1 as q is less than, equal to or greater than y.
func (q *Quantity) Cmp(y Quantity) int {
	qs, ys := q.Sign(), y.Sign()
	if qs != ys {
		if qs < ys {
			return -1
		}
		return 1
	}
	if qs == 0 {
		return 0
	}
	c := q.cmpAbs(y)
	if qs < 0 {
		return -c
	}
	return c
}

// cmpAbs compares magnitudes, deciding by order of magnitude first so that wildly different
// exponents never force a huge multiplication.
func (q *Quantity) cmpAbs(y Quantity) int {
	if q.IsZero() || y.IsZero() {
		switch {
		case q.IsZero() && y.IsZero():
			return 0
		case q.IsZero():
			return -1
		}
		return 1
	}
	qm := numDigits(q.unscaled) + int64(q.exp)
	ym := numDigits(y.unscaled) + int64(y.exp)
	if qm != ym {
		if qm < ym {
			return -1
		}
		return 1
	}
	x, z, _ := aligned(*q, y)
	return new(big.Int).Abs(x).Cmp(new(big.Int).Abs(z))
}

// CmpInt64 compares q with an integer.
func (q *Quantity) CmpInt64(y int64) int {
	other := Quantity{}
	other.setExact(big.NewInt(y), 0)
	return q.Cmp(other)
}

// Equal reports whether q and v have the same value (format and text are ignored).
func (q Quantity) Equal(v Quantity) bool { return q.Cmp(v) == 0 }

// Add adds y to q. A zero q takes y's format, so 0 + 1Gi prints as "1Gi".
func (q *Quantity) Add(y Quantity) {
	q.s = ""
	if q.IsZero() {
		q.Format = y.Format
	}
	x, z, exp := aligned(*q, y)
	q.setExact(new(big.Int).Add(x, z), int64(exp))
}

// Sub subtracts y from q. A zero q takes y's format.
func (q *Quantity) Sub(y Quantity) {
	q.s = ""
	if q.IsZero() {
		q.Format = y.Format
	}
	x, z, exp := aligned(*q, y)
	q.setExact(new(big.Int).Sub(x, z), int64(exp))
}

// Neg negates q.
func (q *Quantity) Neg() {
	q.s = ""
	q.setExact(new(big.Int).Neg(q.mantissa()), int64(q.exp))
}

// Mul multiplies q by y and reports whether the unscaled result still fits an int64.
func (q *Quantity) Mul(y int64) bool {
	q.s = ""
	m := new(big.Int).Mul(q.mantissa(), big.NewInt(y))
	q.setExact(m, int64(q.exp))
	return q.mantissa().IsInt64()
}

// RoundUp rounds q away from zero to a multiple of 10^scale and reports whether the value was
// already exact at that scale.
func (q *Quantity) RoundUp(scale Scale) bool {
	if q.s != "" && q.sScale >= int32(scale) {
		return true
	}
	q.s = ""
	m, e := roundAwayFromZero(q.unscaled, q.exp, int32(scale))
	exact := m == q.unscaled
	q.unscaled, q.exp = m, e
	return exact
}

// Value returns the value rounded up (away from zero) to an integer.
func (q *Quantity) Value() int64 { return q.ScaledValue(0) }

// MilliValue returns the value in thousandths, rounded up (away from zero).
func (q *Quantity) MilliValue() int64 { return q.ScaledValue(Milli) }

// ScaledValue returns ceil(q / 10^scale), rounding away from zero, saturated to int64.
func (q *Quantity) ScaledValue(scale Scale) int64 {
	if q.IsZero() {
		return 0
	}
	m, e := roundAwayFromZero(q.unscaled, q.exp, int32(scale))
	shift := int64(e) - int64(scale)
	// Anything with more than 19 digits does not fit; saturate instead of overflowing.
	if numDigits(m)+shift > 19 {
		if m.Sign() < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	v := new(big.Int).Mul(m, pow10(shift))
	switch {
	case v.Cmp(maxInt64Big) > 0:
		return math.MaxInt64
	case v.Cmp(minInt64Big) < 0:
		return math.MinInt64
	}
	return v.Int64()
}

// AsInt64 returns the value as an int64 when it is a whole number that fits.
func (q *Quantity) AsInt64() (int64, bool) {
	if q.IsZero() {
		return 0, true
	}
	if q.exp < 0 || numDigits(q.unscaled)+int64(q.exp) > 19 {
		return 0, false
	}
	v := new(big.Int).Mul(q.unscaled, pow10(int64(q.exp)))
	if !v.IsInt64() {
		return 0, false
	}
	return v.Int64(), true
}

// AsApproximateFloat64 returns the value as a float64, losing precision as floats do.
func (q *Quantity) AsApproximateFloat64() float64 {
	if q.IsZero() {
		return 0
	}
	f, _ := new(big.Float).SetInt(q.unscaled).Float64()
	if q.exp == 0 {
		return f
	}
	return f * math.Pow10(int(q.exp))
}

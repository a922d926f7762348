// Deterministic transcendentals: exp, log, sin, cos built only from correctly rounded IEEE
// operations (+ - * / and integer bit manipulation), so host (g++) and device (nvcc) agree bit
// for bit. Double-precision polynomials; float wrappers round the double result once.
// Accuracy (tested against libm in tests/kernels/test_detmath.cpp): <= 2 ulp in double.
#pragma once

#include <cstdint>

#include "common.cuh"

namespace salient::detmath {

namespace detail {

/// Bit pattern conversions without memcpy (usable in device code).
SALIENT_HD inline double from_bits(std::uint64_t b) {
  union {
    std::uint64_t u;
    double d;
  } v{b};
  return v.d;
}
SALIENT_HD inline std::uint64_t to_bits(double d) {
  union {
    double d;
    std::uint64_t u;
  } v{d};
  return v.u;
}

/// 2^k for integer k in the normal range [-1022, 1023].
SALIENT_HD inline double pow2i(int k) {
  return from_bits(static_cast<std::uint64_t>(k + 1023) << 52);
}

/// Round half away from zero to an integer (exact for |x| < 2^31).
SALIENT_HD inline int round_to_int(double x) { return static_cast<int>(x < 0 ? x - 0.5 : x + 0.5); }

/// Taylor polynomial of sin(r) for |r| <= pi/4, to r^19 (truncation error < 2e-22).
SALIENT_HD inline double sin_poly(double r) {
  const double r2 = r * r;
  double p = -1.0 / 121645100408832000.0;  // r^19
  p = p * r2 + 1.0 / 355687428096000.0;
  p = p * r2 - 1.0 / 1307674368000.0;
  p = p * r2 + 1.0 / 6227020800.0;
  p = p * r2 - 1.0 / 39916800.0;
  p = p * r2 + 1.0 / 362880.0;
  p = p * r2 - 1.0 / 5040.0;
  p = p * r2 + 1.0 / 120.0;
  p = p * r2 - 1.0 / 6.0;
  return r + r * r2 * p;
}

/// Taylor polynomial of cos(r) for |r| <= pi/4, to r^18 (truncation error < 4e-21).
SALIENT_HD inline double cos_poly(double r) {
  const double r2 = r * r;
  double p = -1.0 / 6402373705728000.0;  // r^18
  p = p * r2 + 1.0 / 20922789888000.0;
  p = p * r2 - 1.0 / 87178291200.0;
  p = p * r2 + 1.0 / 479001600.0;
  p = p * r2 - 1.0 / 3628800.0;
  p = p * r2 + 1.0 / 40320.0;
  p = p * r2 - 1.0 / 720.0;
  p = p * r2 + 1.0 / 24.0;
  return 1.0 - 0.5 * r2 + r2 * r2 * p;
}

/// Reduces x by multiples of pi/2: x = q*pi/2 + r, |r| <= ~pi/4 (Cody-Waite, 3 parts).
/// Accurate for |x| < 1e5, which is all the model needs (angles are in [0, 2 pi)).
SALIENT_HD inline double reduce_half_pi(double x, int& q) {
  const double two_over_pi = 0.63661977236758134308;
  const double p1 = 1.5707963267341256e+00;      // first 33 bits of pi/2
  const double p2 = 6.07710050630396597660e-11;  // next 33 bits
  const double p3 = 2.02226624879595063154e-21;  // remainder
  q = round_to_int(x * two_over_pi);
  const double fq = static_cast<double>(q);
  return ((x - fq * p1) - fq * p2) - fq * p3;
}

}  // namespace detail

/// e^x in double precision.
SALIENT_HD inline double exp(double x) {
  if (x != x) return x;                                             // NaN
  if (x > 709.78) return detail::from_bits(0x7ff0000000000000ULL);  // +inf
  if (x < -745.2) return 0.0;
  const double ln2_hi = 6.93147180369123816490e-01;
  const double ln2_lo = 1.90821492927058770002e-10;
  const double inv_ln2 = 1.44269504088896338700e+00;
  const int k = detail::round_to_int(x * inv_ln2);
  const double fk = static_cast<double>(k);
  const double r = (x - fk * ln2_hi) - fk * ln2_lo;  // |r| <= 0.35
  // Taylor series of e^r to degree 13 (remainder < 2e-18 relative).
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  const double er = 1.0 + (r + r * r * p);
  // Scale by 2^k in two steps so that subnormal and near-overflow results are handled.
  if (k > 1000) return er * detail::pow2i(1000) * detail::pow2i(k - 1000);
  if (k < -1000) return er * detail::pow2i(-1000) * detail::pow2i(k + 1000);
  return er * detail::pow2i(k);
}

/// Natural logarithm in double precision; log(0) = -inf, log(x<0) = NaN.
SALIENT_HD inline double log(double x) {
  if (x != x || x < 0) return detail::from_bits(0x7ff8000000000000ULL);
  if (x == 0) return detail::from_bits(0xfff0000000000000ULL);
  if (x > 1.7976931348623157e308) return x;  // +inf
  int e = 0;
  if (x < 2.2250738585072014e-308) {  // subnormal: scale into the normal range
    x *= detail::pow2i(54);
    e = -54;
  }
  const std::uint64_t b = detail::to_bits(x);
  e += static_cast<int>((b >> 52) & 0x7ff) - 1023;
  double m = detail::from_bits((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);  // [1,2)
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  // log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716.
  const double f = m - 1.0;
  const double s = f / (m + 1.0);
  const double s2 = s * s;
  double p = 1.0 / 25.0;
  p = p * s2 + 1.0 / 23.0;
  p = p * s2 + 1.0 / 21.0;
  p = p * s2 + 1.0 / 19.0;
  p = p * s2 + 1.0 / 17.0;
  p = p * s2 + 1.0 / 15.0;
  p = p * s2 + 1.0 / 13.0;
  p = p * s2 + 1.0 / 11.0;
  p = p * s2 + 1.0 / 9.0;
  p = p * s2 + 1.0 / 7.0;
  p = p * s2 + 1.0 / 5.0;
  p = p * s2 + 1.0 / 3.0;
  // 2 atanh(s) = 2s + 2 s^3 p = f - s*f + 2 s^3 p  (since 2s = f - s f)
  const double log_m = f - s * (f - 2.0 * s2 * p);
  const double fe = static_cast<double>(e);
  const double ln2_hi = 6.93147180369123816490e-01;
  const double ln2_lo = 1.90821492927058770002e-10;
  return fe * ln2_hi + (log_m + fe * ln2_lo);
}

/// sin(x) in double precision for |x| < 1e5.
SALIENT_HD inline double sin(double x) {
  int q = 0;
  const double r = detail::reduce_half_pi(x, q);
  switch (q & 3) {
    case 0:
      return detail::sin_poly(r);
    case 1:
      return detail::cos_poly(r);
    case 2:
      return -detail::sin_poly(r);
    default:
      return -detail::cos_poly(r);
  }
}

/// cos(x) in double precision for |x| < 1e5.
SALIENT_HD inline double cos(double x) {
  int q = 0;
  const double r = detail::reduce_half_pi(x, q);
  switch (q & 3) {
    case 0:
      return detail::cos_poly(r);
    case 1:
      return -detail::sin_poly(r);
    case 2:
      return -detail::cos_poly(r);
    default:
      return detail::sin_poly(r);
  }
}

/// Float wrappers: one rounding of the double result.
SALIENT_HD inline float expf(float x) { return static_cast<float>(exp(static_cast<double>(x))); }
SALIENT_HD inline float logf(float x) { return static_cast<float>(log(static_cast<double>(x))); }
SALIENT_HD inline float sinf(float x) { return static_cast<float>(sin(static_cast<double>(x))); }
SALIENT_HD inline float cosf(float x) { return static_cast<float>(cos(static_cast<double>(x))); }

}  // namespace salient::detmath

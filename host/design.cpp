// Experimental designs (host/design.h).
#include "design.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "../kernels/rng.cuh"

namespace salient {
namespace detail {
namespace {

/// Kronecker product of square integer matrices.
using Matrix = std::vector<std::vector<int>>;

Matrix kron(const Matrix& a, const Matrix& b) {
  const std::size_t n = a.size(), m = b.size();
  Matrix c(n * m, std::vector<int>(n * m, 0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < m; ++k)
        for (std::size_t l = 0; l < m; ++l) c[i * m + k][j * m + l] = a[i][j] * b[k][l];
  return c;
}

std::vector<int> times(const Matrix& a, const std::vector<int>& v) {
  std::vector<int> r(a.size(), 0);
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < v.size(); ++j) r[i] += a[i][j] * v[j];
  return r;
}

/// Kronecker product of vectors.
std::vector<int> kron(const std::vector<int>& a, const std::vector<int>& b) {
  std::vector<int> c;
  for (int x : a)
    for (int y : b) c.push_back(x * y);
  return c;
}

}  // namespace
}  // namespace detail

Design grid_design(int k, int levels) {
  if (k < 1 || levels < 2) throw std::invalid_argument("grid design: k >= 1 and levels >= 2");
  std::size_t n = 1;
  for (int i = 0; i < k; ++i) {
    n *= static_cast<std::size_t>(levels);
    if (n > 1000000) throw std::invalid_argument("grid design: more than 10^6 points");
  }
  Design d(n, std::vector<double>(static_cast<std::size_t>(k)));
  for (std::size_t p = 0; p < n; ++p) {
    std::size_t rest = p;
    for (int f = k - 1; f >= 0; --f) {
      d[p][static_cast<std::size_t>(f)] =
          static_cast<double>(rest % static_cast<std::size_t>(levels)) / (levels - 1);
      rest /= static_cast<std::size_t>(levels);
    }
  }
  return d;
}

Design lhs_design(int k, int points, std::uint64_t seed) {
  if (k < 1 || points < 1) throw std::invalid_argument("lhs design: k >= 1 and points >= 1");
  Design d(static_cast<std::size_t>(points), std::vector<double>(static_cast<std::size_t>(k)));
  for (int f = 0; f < k; ++f) {
    std::vector<int> perm(static_cast<std::size_t>(points));
    std::iota(perm.begin(), perm.end(), 0);
    // Fisher-Yates with Philox words keyed by (seed, factor, position).
    for (int i = points - 1; i > 0; --i) {
      const auto r = philox(seed, static_cast<std::uint32_t>(f), static_cast<std::uint32_t>(i),
                            Purpose::kPlan, 0);
      const int j = static_cast<int>(uniform_double(r[0], r[1]) * (i + 1));
      std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
    }
    for (int p = 0; p < points; ++p) {
      const auto r = philox(seed, static_cast<std::uint32_t>(f), static_cast<std::uint32_t>(p),
                            Purpose::kPlan, 1);
      d[static_cast<std::size_t>(p)][static_cast<std::size_t>(f)] =
          (perm[static_cast<std::size_t>(p)] + uniform_double(r[0], r[1])) / points;
    }
  }
  return d;
}

std::vector<std::vector<int>> ye_olh(int m) {
  using detail::Matrix;
  if (m < 2 || m > 12) throw std::invalid_argument("Ye design: 2 <= m <= 12");
  const std::size_t q = std::size_t{1} << (m - 1);  // rows of the half design
  const Matrix identity{{1, 0}, {0, 1}}, reverse{{0, 1}, {1, 0}};
  // A_k = I x ... x I x R x ... x R with k factors R (k = 1 .. m-2); A_{m-1} = R x ... x R.
  std::vector<Matrix> a(static_cast<std::size_t>(m));
  for (int k = 1; k <= m - 1; ++k) {
    Matrix p{{1}};
    for (int i = 0; i < m - 1; ++i) p = detail::kron(p, i < m - 1 - k ? identity : reverse);
    a[static_cast<std::size_t>(k)] = p;
  }
  std::vector<int> e(q);
  std::iota(e.begin(), e.end(), 1);
  // M = [e, A_1 e, ..., A_{m-1} e, A_1 A_{m-1} e, ..., A_{m-2} A_{m-1} e].
  std::vector<std::vector<int>> mcols{e};
  for (int k = 1; k <= m - 1; ++k) mcols.push_back(detail::times(a[k], e));
  for (int k = 1; k <= m - 2; ++k)
    mcols.push_back(detail::times(a[k], detail::times(a[static_cast<std::size_t>(m - 1)], e)));
  // Signs: a_k = b_1 x ... x b_{m-1} with b_{m-k} = (-1, 1) and the others (1, 1);
  // S = [1, a_1, ..., a_{m-1}, a_1 a_2, ..., a_1 a_{m-1}].
  std::vector<std::vector<int>> sign(static_cast<std::size_t>(m));
  for (int k = 1; k <= m - 1; ++k) {
    std::vector<int> v{1};
    for (int i = 1; i <= m - 1; ++i)
      v = detail::kron(v, i == m - k ? std::vector<int>{-1, 1} : std::vector<int>{1, 1});
    sign[static_cast<std::size_t>(k)] = v;
  }
  std::vector<std::vector<int>> scols{std::vector<int>(q, 1)};
  for (int k = 1; k <= m - 1; ++k) scols.push_back(sign[static_cast<std::size_t>(k)]);
  for (int k = 2; k <= m - 1; ++k) {
    std::vector<int> v(q);
    for (std::size_t i = 0; i < q; ++i) v[i] = sign[1][i] * sign[static_cast<std::size_t>(k)][i];
    scols.push_back(v);
  }
  // T = M o S; the design is [T; 0; -T].
  const std::size_t cols = static_cast<std::size_t>(2 * m - 2);
  std::vector<std::vector<int>> x(2 * q + 1, std::vector<int>(cols, 0));
  for (std::size_t c = 0; c < cols; ++c)
    for (std::size_t i = 0; i < q; ++i) {
      x[i][c] = mcols[c][i] * scols[c][i];
      x[q + 1 + i][c] = -x[i][c];
    }
  return x;
}

Design olh_design(int k) {
  if (k < 1 || k > 22) throw std::invalid_argument("olh design: 1 <= factors <= 22");
  int m = 2;
  while (2 * m - 2 < k) ++m;
  const std::vector<std::vector<int>> x = ye_olh(m);
  const double half = static_cast<double>(1 << (m - 1));
  Design d(x.size(), std::vector<double>(static_cast<std::size_t>(k)));
  for (std::size_t i = 0; i < x.size(); ++i)
    for (int c = 0; c < k; ++c)
      d[i][static_cast<std::size_t>(c)] = (x[i][static_cast<std::size_t>(c)] + half) / (2 * half);
  return d;
}

}  // namespace salient

// The CPU backend's sort: a parallel, stable LSD radix sort of non-negative int32 keys (with
// int32 values, or none). Stable, so it gives the same permutation as thrust::stable_sort_by_key
// on any number of threads; Thrust's OpenMP system sorts on one thread (its sequential radix
// sort), which on 2 threads was the largest serial part of the step.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace salient::detail {

/// Sorts key[0, n) (each in [0, max_key]) and, if `value` is not null, value[0, n) with them,
/// stably. Each 8-bit digit pass splits the input into one contiguous share per thread: the
/// shares count their digits, the counts become start offsets (by digit, then share) and each
/// share scatters in its own order, which keeps equal keys in input order.
///
/// Entries whose key is max_key itself (the callers' "none": inactive agents, agents that saw
/// no one) end a stable sort in input order after all others. When they are at least half the
/// input, one stable partition puts them there and only the others are sorted (by keys up to
/// max_key - 1): a late battle's sorts are mostly of the dead.
inline void radix_sort(std::int32_t* key, std::int32_t* value, std::int32_t n,
                       std::int32_t max_key) {
  if (n < 2) return;
  constexpr int kDigits = 256;
  // Scratch kept for the run: no allocation (nor page faults) per step. Per calling thread;
  // the parallel region below reaches it only through the pointers taken here.
  static thread_local std::vector<std::int32_t> key_buffer, value_buffer;
  static thread_local std::vector<std::int64_t> count_buffer;
  key_buffer.resize(static_cast<std::size_t>(n));
  if (value) value_buffer.resize(static_cast<std::size_t>(n));
  const int threads = omp_get_max_threads();
  count_buffer.assign(static_cast<std::size_t>(threads) * kDigits, 0);
  std::int64_t* const counts = count_buffer.data();
  std::int32_t *src_key = key, *dst_key = key_buffer.data();
  std::int32_t *src_value = value, *dst_value = value ? value_buffer.data() : nullptr;

  std::int64_t tops = 0;  // entries with key == max_key
#pragma omp parallel for schedule(static) reduction(+ : tops) num_threads(threads)
  for (std::int32_t i = 0; i < n; ++i) tops += key[i] == max_key;
  if (tops == n) return;  // all equal: already in stable order
  std::int32_t m = n;     // entries to sort by digits, [0, m)
  if (2 * tops >= n) {
    m = n - static_cast<std::int32_t>(tops);
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), shares = omp_get_num_threads();
      const std::int64_t lo = static_cast<std::int64_t>(n) * t / shares;
      const std::int64_t hi = static_cast<std::int64_t>(n) * (t + 1) / shares;
      std::int64_t* count = counts + static_cast<std::size_t>(t) * kDigits;
      count[0] = 0, count[1] = 0;  // this share's entries below max_key and at it
      for (std::int64_t i = lo; i < hi; ++i) ++count[key[i] == max_key ? 1 : 0];
#pragma omp barrier
#pragma omp single
      {
        std::int64_t below = 0, top = m;
        for (int u = 0; u < shares; ++u) {
          std::int64_t* c = counts + static_cast<std::size_t>(u) * kDigits;
          const std::int64_t here_below = c[0], here_top = c[1];
          c[0] = below, c[1] = top;
          below += here_below, top += here_top;
        }
      }
      for (std::int64_t i = lo; i < hi; ++i) {
        const std::int64_t at = count[key[i] == max_key ? 1 : 0]++;
        dst_key[at] = key[i];
        if (dst_value) dst_value[at] = value[i];
      }
#pragma omp barrier
#pragma omp for schedule(static)
      for (std::int32_t i = m; i < n; ++i) {  // the tops are where they end
        key[i] = dst_key[i];
        if (value) value[i] = dst_value[i];
      }
    }
    std::swap(src_key, dst_key);  // the others are sorted from the buffer, over [0, m)
    std::swap(src_value, dst_value);
    max_key -= 1;
  }

  for (int shift = 0; shift < 31 && (max_key >> shift) > 0 && m > 1; shift += 8) {
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num(), shares = omp_get_num_threads();
      const std::int64_t lo = static_cast<std::int64_t>(m) * t / shares;
      const std::int64_t hi = static_cast<std::int64_t>(m) * (t + 1) / shares;
      std::int64_t* count = counts + static_cast<std::size_t>(t) * kDigits;
      std::fill(count, count + kDigits, 0);
      for (std::int64_t i = lo; i < hi; ++i) ++count[(src_key[i] >> shift) & (kDigits - 1)];
#pragma omp barrier
#pragma omp single
      {
        std::int64_t start = 0;
        for (int d = 0; d < kDigits; ++d)
          for (int s = 0; s < shares; ++s) {
            std::int64_t& c = counts[static_cast<std::size_t>(s) * kDigits + d];
            const std::int64_t here = c;
            c = start;
            start += here;
          }
      }  // the implicit barrier: every share's offsets are ready
      for (std::int64_t i = lo; i < hi; ++i) {
        const std::int64_t at = count[(src_key[i] >> shift) & (kDigits - 1)]++;
        dst_key[at] = src_key[i];
        if (dst_value) dst_value[at] = src_value[i];
      }
    }
    std::swap(src_key, dst_key);
    std::swap(src_value, dst_value);
  }
  if (src_key != key) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int32_t i = 0; i < m; ++i) {
      key[i] = src_key[i];
      if (value) value[i] = src_value[i];
    }
  }
}

}  // namespace salient::detail

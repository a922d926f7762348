// The CPU backend's parallel radix sort (host/radix_sort.h) against std::stable_sort: the same
// keys and the same permutation of values (stability), on 1, 2 and 3 threads.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "host/radix_sort.h"

namespace salient {
namespace {

/// Sorts `key` (and the ids 0 .. n-1 with it, and the keys alone) by radix_sort on 1, 2 and 3
/// threads and expects exactly std::stable_sort's keys and permutation. Returns the sorts
/// checked.
int expect_stable_sort(const std::vector<std::int32_t>& key, std::int32_t max_key) {
  const auto n = static_cast<std::int32_t>(key.size());
  std::vector<std::int32_t> order(key.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::int32_t> want = order;
  std::stable_sort(want.begin(), want.end(), [&](std::int32_t l, std::int32_t r) {
    return key[static_cast<std::size_t>(l)] < key[static_cast<std::size_t>(r)];
  });
  std::vector<std::int32_t> want_key(key.size());
  for (std::size_t i = 0; i < key.size(); ++i) want_key[i] = key[static_cast<std::size_t>(want[i])];
  const int threads_before = omp_get_max_threads();
  int checked = 0;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    std::vector<std::int32_t> k = key, v = order, keys_only = key;
    detail::radix_sort(k.data(), v.data(), n, max_key);
    detail::radix_sort(keys_only.data(), nullptr, n, max_key);
    SCOPED_TRACE(testing::Message() << "threads " << threads);
    EXPECT_EQ(k, want_key);
    EXPECT_EQ(v, want);
    EXPECT_EQ(keys_only, want_key);
    ++checked;
  }
  omp_set_num_threads(threads_before);
  return checked;
}

TEST(RadixSort, EqualsStableSortOnAnyThreadCount) {
  std::mt19937 gen(11);
  int checked = 0;
  for (const std::int32_t n : {0, 1, 2, 3, 1000, 100003}) {
    for (const std::int32_t max_key : {0, 1, 255, 256, 70000, (1 << 30) + 5}) {
      std::uniform_int_distribution<std::int32_t> pick(0, max_key);
      std::vector<std::int32_t> key(static_cast<std::size_t>(n));
      for (auto& k : key) k = pick(gen);
      if (n > 10) key[3] = max_key, key[7] = 0;  // both ends of the range
      SCOPED_TRACE(testing::Message() << "n " << n << " max_key " << max_key);
      checked += expect_stable_sort(key, max_key);
    }
  }
  EXPECT_EQ(checked, 6 * 6 * 3);
}

// Inputs mostly at max_key (the callers' "none": a late battle's dead), where the sort first
// partitions those out, and inputs around that threshold: still exactly std::stable_sort.
TEST(RadixSort, EqualsStableSortWhenMostKeysAreTheLargest) {
  std::mt19937 gen(23);
  int checked = 0;
  for (const std::int32_t n : {2, 3, 17, 1000, 100003}) {
    for (const std::int32_t max_key : {1, 256, 257, 70000}) {
      for (const double top_share : {0.0, 0.3, 0.49, 0.5, 0.51, 0.9, 0.999, 1.0}) {
        std::bernoulli_distribution top(top_share);
        std::uniform_int_distribution<std::int32_t> pick(0, max_key - 1);
        std::vector<std::int32_t> key(static_cast<std::size_t>(n));
        for (auto& k : key) k = top(gen) ? max_key : pick(gen);
        SCOPED_TRACE(testing::Message()
                     << "n " << n << " max_key " << max_key << " top share " << top_share);
        checked += expect_stable_sort(key, max_key);
      }
    }
  }
  EXPECT_EQ(checked, 5 * 4 * 8 * 3);
}

}  // namespace
}  // namespace salient

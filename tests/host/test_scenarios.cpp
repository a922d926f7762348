// Scenario tests: whole runs of the shipped scenarios, checked against what they are for.
#include <gtest/gtest.h>

#include "h5_read.h"

namespace salient {
namespace {

/// A column of an HDF5 dataset read by read_datasets.
template <class T>
std::vector<T> column(const std::map<std::string, std::vector<char>>& ds, const std::string& name) {
  const auto& bytes = ds.at(name);
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

// configs/two_villages.toml: the stronger attacker takes both villages within the run, and at
// least one village changes hands (from one side to the other) more than once.
TEST(Scenarios, TwoVillagesTakenByAttackerAfterChangingHands) {
  const ScenarioConfig cfg =
      load_scenario(test::source_dir() + "/configs/two_villages.toml");
  const auto ds = test::read_datasets(test::run_to_file(cfg, "two_villages.h5"),
                                      {"/events", "/settlements", "/timeseries"});
  const auto settlement = column<std::int32_t>(ds, "/events/settlement_control/settlement");
  const auto to = column<std::int8_t>(ds, "/events/settlement_control/to");
  const auto ids = column<std::int32_t>(ds, "/settlements/id");
  ASSERT_EQ(ids.size(), 2u);
  std::vector<std::int8_t> holder(2, kNoControl), last_side(2, kNoControl);
  std::vector<int> changes_of_hands(2, 0);
  for (std::size_t e = 0; e < settlement.size(); ++e) {
    const std::int32_t k = settlement[e];
    holder[k] = to[e];
    if (to[e] < 0) continue;
    if (last_side[k] == 1 - to[e]) ++changes_of_hands[k];
    last_side[k] = to[e];
  }
  EXPECT_EQ(holder[0], 0) << "the attacker holds village 0 at the end";
  EXPECT_EQ(holder[1], 0) << "the attacker holds village 1 at the end";
  EXPECT_GT(std::max(changes_of_hands[0], changes_of_hands[1]), 1);
  // The recorded cumulative changes of hands agree with the events.
  const auto recorded = column<std::int64_t>(ds, "/timeseries/changes_of_hands");
  EXPECT_EQ(recorded[recorded.size() - 2] + recorded[recorded.size() - 1],
            changes_of_hands[0] + changes_of_hands[1]);
}

}  // namespace
}  // namespace salient

// Event tables of the output file: /events/settlement_control (every change of a settlement's
// holder) and /events/strikes (every round and bomb that fell). Columns are extendible 1-D
// datasets of one length, appended at every flush. Layout: docs/OUTPUT.md.
#include "hdf5_write.h"
#include "output.h"

namespace salient {

using namespace h5;

namespace {

/// Appends one column of `rows` values taken from each buffered event by `get`.
template <class T, class E, class F>
void column(hid_t loc, const char* name, hid_t type, hsize_t at, const std::vector<E>& events,
            F get) {
  std::vector<T> v(events.size());
  for (std::size_t r = 0; r < events.size(); ++r) v[r] = static_cast<T>(get(events[r]));
  append(loc, name, type, at, v.size(), false, v.data());
}

}  // namespace

void OutputFile::create_event_tables() {
  Handle ev = group(file_, "events");
  {
    Handle sc = group(ev, "settlement_control");
    attr(sc, "description",
         std::string("every change of a settlement's holder: from/to are side indices, -1 = "
                     "contested or never held"));
    extendible(sc, "step", H5T_NATIVE_INT64, false);
    extendible(sc, "time", H5T_NATIVE_DOUBLE, false);
    extendible(sc, "settlement", H5T_NATIVE_INT32, false);
    extendible(sc, "from", H5T_NATIVE_INT8, false);
    extendible(sc, "to", H5T_NATIVE_INT8, false);
  }
  Handle st = group(ev, "strikes");
  attr(st, "description",
       std::string("every artillery round and air-delivered bomb that fell, in step then key "
                   "(asset, round) order: side and asset index the firing side and asset, "
                   "weapon 0 = artillery, 1 = air; target_cell is the cell of the side's "
                   "picture it was aimed at; aim and impact in metres; killed, wounded (of "
                   "which friendly: the firing side's own) and urban cells destroyed"));
  attr(st, "asset_names",
       meta_.asset_names.empty() ? std::vector<std::string>{""} : meta_.asset_names);
  attr(st, "weapons", std::vector<std::string>{"artillery", "air"});
  extendible(st, "step", H5T_NATIVE_INT64, false);
  extendible(st, "time", H5T_NATIVE_DOUBLE, false);
  extendible(st, "side", H5T_NATIVE_INT8, false);
  extendible(st, "asset", H5T_NATIVE_INT32, false);
  extendible(st, "weapon", H5T_NATIVE_UINT8, false);
  extendible(st, "target_cell", H5T_NATIVE_INT32, false);
  for (const char* f : {"aim_x", "aim_y", "impact_x", "impact_y", "cep"})
    extendible(st, f, H5T_NATIVE_FLOAT, false);
  for (const char* f : {"killed", "wounded", "friendly", "cells_destroyed"})
    extendible(st, f, H5T_NATIVE_INT32, false);
}

void OutputFile::strike(const StrikeEvent& e) { pending_strikes_.push_back(e); }

void OutputFile::event(const SettlementEvent& e) { pending_events_.push_back(e); }

void OutputFile::append_events() {
  if (!pending_events_.empty()) {
    Handle sc(H5Gopen2(file_, "events/settlement_control", H5P_DEFAULT), H5Gclose, "events");
    const auto at = static_cast<hsize_t>(event_rows_);
    using E = SettlementEvent;
    const auto& v = pending_events_;
    column<std::int64_t>(sc, "step", H5T_NATIVE_INT64, at, v, [](const E& e) { return e.step; });
    column<double>(sc, "time", H5T_NATIVE_DOUBLE, at, v, [](const E& e) { return e.time_s; });
    column<std::int32_t>(sc, "settlement", H5T_NATIVE_INT32, at, v,
                         [](const E& e) { return e.change.settlement; });
    column<std::int8_t>(sc, "from", H5T_NATIVE_INT8, at, v,
                        [](const E& e) { return e.change.from; });
    column<std::int8_t>(sc, "to", H5T_NATIVE_INT8, at, v, [](const E& e) { return e.change.to; });
    event_rows_ += static_cast<std::int64_t>(v.size());
    pending_events_.clear();
  }
  if (!pending_strikes_.empty()) {
    Handle st(H5Gopen2(file_, "events/strikes", H5P_DEFAULT), H5Gclose, "strikes");
    const auto at = static_cast<hsize_t>(strike_rows_);
    using E = StrikeEvent;
    const auto& v = pending_strikes_;
    const auto& sides = meta_.asset_sides;
    const auto& weapons = meta_.asset_weapons;
    column<std::int64_t>(st, "step", H5T_NATIVE_INT64, at, v, [](const E& e) { return e.step; });
    column<double>(st, "time", H5T_NATIVE_DOUBLE, at, v, [](const E& e) { return e.time_s; });
    column<std::int8_t>(st, "side", H5T_NATIVE_INT8, at, v, [&](const E& e) {
      return sides.at(static_cast<std::size_t>(e.impact.asset));
    });
    column<std::int32_t>(st, "asset", H5T_NATIVE_INT32, at, v,
                         [](const E& e) { return e.impact.asset; });
    column<std::uint8_t>(st, "weapon", H5T_NATIVE_UINT8, at, v, [&](const E& e) {
      return weapons.at(static_cast<std::size_t>(e.impact.asset));
    });
    column<std::int32_t>(st, "target_cell", H5T_NATIVE_INT32, at, v,
                         [](const E& e) { return e.impact.cell; });
    column<float>(st, "aim_x", H5T_NATIVE_FLOAT, at, v, [](const E& e) { return e.impact.aim_x; });
    column<float>(st, "aim_y", H5T_NATIVE_FLOAT, at, v, [](const E& e) { return e.impact.aim_y; });
    column<float>(st, "impact_x", H5T_NATIVE_FLOAT, at, v, [](const E& e) { return e.impact.x; });
    column<float>(st, "impact_y", H5T_NATIVE_FLOAT, at, v, [](const E& e) { return e.impact.y; });
    column<float>(st, "cep", H5T_NATIVE_FLOAT, at, v, [](const E& e) { return e.impact.cep_m; });
    column<std::int32_t>(st, "killed", H5T_NATIVE_INT32, at, v,
                         [](const E& e) { return e.impact.killed; });
    column<std::int32_t>(st, "wounded", H5T_NATIVE_INT32, at, v,
                         [](const E& e) { return e.impact.wounded; });
    column<std::int32_t>(st, "friendly", H5T_NATIVE_INT32, at, v,
                         [](const E& e) { return e.impact.friendly; });
    column<std::int32_t>(st, "cells_destroyed", H5T_NATIVE_INT32, at, v,
                         [](const E& e) { return e.impact.cells_destroyed; });
    strike_rows_ += static_cast<std::int64_t>(v.size());
    pending_strikes_.clear();
  }
}

}  // namespace salient

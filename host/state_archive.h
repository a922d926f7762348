// Named arrays of raw state: what a checkpoint holds. A backend, the commanders and the fire
// budgets each hand out their mutable state as a list of StateArray and take it back; the
// checkpoint file (host/checkpoint.h) stores one dataset per array.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace salient {

/// Element type of a state array (maps one to one onto a native HDF5 type).
enum class ElementType : std::uint8_t { kU8, kI8, kU16, kI16, kU32, kI32, kI64, kF32, kF64 };

/// Bytes of one element of type t.
inline std::size_t element_size(ElementType t) {
  constexpr std::size_t sizes[] = {1, 1, 2, 2, 4, 4, 8, 4, 8};
  return sizes[static_cast<int>(t)];
}

/// The ElementType of a C++ arithmetic type.
template <class T>
constexpr ElementType element_type_of() {
  if constexpr (std::is_same_v<T, std::uint8_t>)
    return ElementType::kU8;
  else if constexpr (std::is_same_v<T, std::int8_t>)
    return ElementType::kI8;
  else if constexpr (std::is_same_v<T, std::uint16_t>)
    return ElementType::kU16;
  else if constexpr (std::is_same_v<T, std::int16_t>)
    return ElementType::kI16;
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return ElementType::kU32;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return ElementType::kI32;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return ElementType::kI64;
  else if constexpr (std::is_same_v<T, float>)
    return ElementType::kF32;
  else {
    static_assert(std::is_same_v<T, double>, "no ElementType for this type");
    return ElementType::kF64;
  }
}

/// A checkpoint does not fit the run it should continue (wrong array, type or length, or a
/// malformed file). The message names the file or array and what was expected.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One named array of state as raw bytes (count elements of `type`).
struct StateArray {
  std::string name;
  ElementType type = ElementType::kU8;
  std::uint64_t count = 0;
  std::vector<std::uint8_t> bytes;

  /// Packs a vector.
  template <class T>
  static StateArray of(std::string name, const std::vector<T>& v) {
    StateArray a{std::move(name), element_type_of<T>(), v.size(), {}};
    a.bytes.resize(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(a.bytes.data(), v.data(), a.bytes.size());
    return a;
  }
  /// Unpacks into `v`; throws CheckpointError if the type differs, or the length differs
  /// from `expected_count` (when that is not -1).
  template <class T>
  void to(std::vector<T>& v, std::int64_t expected_count = -1) const {
    if (type != element_type_of<T>())
      throw CheckpointError("state array '" + name + "' has the wrong element type");
    if (expected_count >= 0 && count != static_cast<std::uint64_t>(expected_count))
      throw CheckpointError("state array '" + name + "' has " + std::to_string(count) +
                            " elements, expected " + std::to_string(expected_count));
    if (bytes.size() != count * sizeof(T))
      throw CheckpointError("state array '" + name + "' is truncated");
    v.resize(count);
    if (count > 0) std::memcpy(v.data(), bytes.data(), bytes.size());
  }
};

/// Finds the array `name` in `arrays`; throws CheckpointError if it is missing.
inline const StateArray& find_state(const std::vector<StateArray>& arrays,
                                    const std::string& name) {
  for (const StateArray& a : arrays)
    if (a.name == name) return a;
  throw CheckpointError("state array '" + name + "' is missing");
}

}  // namespace salient

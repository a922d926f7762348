// SHA-256 of a byte string (FIPS 180-4), for the scenario hash stored in the output.
#pragma once

#include <string>

namespace salient {
/// Lower-case hex SHA-256 digest of `data`.
std::string sha256_hex(const std::string& data);
}  // namespace salient

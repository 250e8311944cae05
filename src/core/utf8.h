// UTF-8 validation (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
#pragma once

#include <cstddef>
#include <string_view>

namespace finserve {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is malformed.
size_t Utf8SequenceLength(std::string_view s, size_t i);
bool IsValidUtf8(std::string_view s);

}  // namespace finserve

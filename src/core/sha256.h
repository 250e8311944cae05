// SHA-256 (OpenSSL) of byte strings, as lowercase hex: the identity of model files and configs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace finserve {

std::array<uint8_t, 32> Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string ToHex(const uint8_t* data, size_t size);

}  // namespace finserve

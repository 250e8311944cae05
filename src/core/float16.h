// IEEE 754 half precision and bfloat16 conversions for FP16/BF16 tensors (storage types:
// arithmetic happens in float). Round-to-nearest-even; NaN and infinities are preserved.
#pragma once

#include <cstdint>
#include <cstring>

namespace finserve {

inline float BitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline uint32_t FloatToBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

float HalfToFloat(uint16_t half);
uint16_t FloatToHalf(float value);

inline float Bfloat16ToFloat(uint16_t b) { return BitsToFloat(static_cast<uint32_t>(b) << 16); }
uint16_t FloatToBfloat16(float value);

}  // namespace finserve

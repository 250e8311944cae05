// SaturateCast<T>(double): float->integer conversion without undefined behaviour (values out of
// range clamp to the type's limits, NaN becomes 0). Header-only.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

namespace finserve::runtime::onnx {

template <typename T>
T SaturateCast(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return T{0};
    if (v <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

}  // namespace finserve::runtime::onnx

// Typed reading of the serving layer's config sections (features, decision, explanation) out of
// the effective config document, with errors that name the file and the key path
// ("config.yaml: 'features.Home.categories.rent' must be a string (a column name), got 3").
// Stateless helpers; thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace finserve::serving::config {

// Where a value sits: the file(s) and the dotted key path.
struct Path {
  std::string_view file;
  std::string path;

  Path Child(std::string_view key) const;
  Path Index(size_t i) const;
  Status Error(std::string_view problem) const;  // "<file>: '<path>' <problem>"
  Status TypeError(std::string_view expected, const nlohmann::json& got) const;
};

// A value as it appears in a message: compact, at most 80 characters.
std::string Describe(const nlohmann::json& value);

// Refuses keys of `object` outside `known` (a typo never silently disables a setting).
Status CheckKeys(const nlohmann::json& object, const Path& at, std::initializer_list<std::string_view> known);

// The member `key` of `object`, or nullptr when absent or null.
const nlohmann::json* Find(const nlohmann::json& object, std::string_view key);

Result<std::string> ReadString(const nlohmann::json& object, std::string_view key, const Path& at,
                               std::optional<std::string> fallback = std::nullopt);
Result<double> ReadNumber(const nlohmann::json& object, std::string_view key, const Path& at,
                          std::optional<double> fallback = std::nullopt);
Result<int64_t> ReadInt(const nlohmann::json& object, std::string_view key, const Path& at, int64_t min,
                        int64_t max, std::optional<int64_t> fallback = std::nullopt);
// One of `choices`.
Result<std::string> ReadChoice(const nlohmann::json& object, std::string_view key, const Path& at,
                               std::initializer_list<std::string_view> choices,
                               std::optional<std::string> fallback = std::nullopt);

}  // namespace finserve::serving::config

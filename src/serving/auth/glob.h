// Model-name globs that restrict a key to some models: '*' matches any run of characters
// (including none), '?' exactly one; everything else matches itself. One backtrack point, no
// recursion: at worst pattern length x name length steps (both at most 128). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace finserve::serving::auth {

bool GlobMatch(std::string_view pattern, std::string_view text);
// True when `globs` is empty (no restriction) or one of them matches `name`.
bool AnyGlobMatches(const std::vector<std::string>& globs, std::string_view name);

// Checks one glob: non-empty, at most 128 characters, only model-name characters
// (A-Z a-z 0-9 _ - .) plus '*' and '?'.
Status ValidateGlob(std::string_view glob);
// "credit_*, fraud_?" -> {"credit_*", "fraud_?"}, each validated.
Result<std::vector<std::string>> ParseGlobList(std::string_view list);

}  // namespace finserve::serving::auth

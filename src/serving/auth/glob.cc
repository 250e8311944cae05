#include "serving/auth/glob.h"

namespace finserve::serving::auth {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      // Let the last '*' swallow one more character and retry from there.
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool AnyGlobMatches(const std::vector<std::string>& globs, std::string_view name) {
  if (globs.empty()) return true;
  for (const auto& g : globs) {
    if (GlobMatch(g, name)) return true;
  }
  return false;
}

Status ValidateGlob(std::string_view glob) {
  if (glob.empty() || glob.size() > 128) return InvalidArgument("a model glob must have 1 to 128 characters");
  for (char c : glob) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.' || c == '*' || c == '?';
    if (!ok) {
      return InvalidArgument("model glob '" + std::string(glob) + "' has the character '" + std::string(1, c) +
                             "'; globs use model-name characters (A-Z a-z 0-9 _ - .) and * ?");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ParseGlobList(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    FS_RETURN_IF_ERROR(ValidateGlob(item));
    out.emplace_back(item);
  }
  return out;
}

}  // namespace finserve::serving::auth

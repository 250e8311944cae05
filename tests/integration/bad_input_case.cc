#include "integration/bad_input_case.h"

#include <fstream>
#include <sstream>

namespace finserve::testing {
namespace {

std::string ExpandMacros(const std::string& text, const std::string& body_length) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("{{", i);
    if (open == std::string::npos) break;
    out.append(text, i, open - i);
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    const std::string macro = text.substr(open + 2, close - open - 2);
    if (macro == "length") {
      out += body_length;
    } else if (macro.rfind("repeat ", 0) == 0) {
      const size_t space = macro.find(' ', 7);
      const long n = std::stol(macro.substr(7, space - 7));
      const std::string unit = macro.substr(space + 1);
      for (long k = 0; k < n; ++k) out += unit;
    } else if (macro.rfind("hex ", 0) == 0) {
      std::istringstream in(macro.substr(4));
      std::string byte;
      while (in >> byte) out.push_back(static_cast<char>(std::stoi(byte, nullptr, 16)));
    } else {
      out.append(text, open, close + 2 - open);  // not a macro: literal text
    }
    i = close + 2;
  }
  out.append(text, i, std::string::npos);
  return out;
}

bool SetField(BadInputCase* c, const std::string& key, const std::string& value) {
  if (key == "expect-status") c->expect_status = value == "closed" ? 0 : std::stoi(value);
  else if (key == "expect-body") c->expect_body = value;
  else if (key == "expect-header") c->expect_headers.push_back(value);
  else if (key == "kind") c->kind = value;
  else if (key == "auth") c->auth = value;
  else if (key == "repeat") c->repeat = std::stoi(value);
  else if (key == "count") c->count = std::stoi(value);
  else if (key == "interval-ms") c->interval_ms = std::stoi(value);
  else if (key == "chunk") c->chunk = std::stoi(value);
  else return false;
  return true;
}

}  // namespace

bool ParseBadInputCase(const std::string& path, BadInputCase* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const std::string marker = "--- request\n";
  const size_t at = text.find(marker);
  if (at == std::string::npos) {
    *error = path + ": no '--- request' line";
    return false;
  }
  std::istringstream fields(text.substr(0, at));
  std::string line;
  int number = 0;
  while (std::getline(fields, line)) {
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (out->description.empty()) out->description = line.substr(line.find_first_not_of("# "));
      continue;
    }
    const size_t colon = line.find(": ");
    if (colon == std::string::npos || !SetField(out, line.substr(0, colon), line.substr(colon + 2))) {
      *error = path + ":" + std::to_string(number) + ": unknown line '" + line + "'";
      return false;
    }
  }
  std::string request = text.substr(at + marker.size());
  if (!request.empty() && request.back() == '\n') request.pop_back();
  const size_t blank = request.find("\n\n");
  out->head = blank == std::string::npos ? request : request.substr(0, blank);
  out->body = blank == std::string::npos ? "" : request.substr(blank + 2);
  const size_t slash = path.rfind('/');
  out->name = path.substr(slash + 1, path.size() - slash - 1 - 5);  // without ".case"
  return true;
}

std::string BuildRequestBytes(const BadInputCase& c, const std::string& auth_header) {
  const std::string body = ExpandMacros(c.body, "");
  std::string head = ExpandMacros(c.head, std::to_string(body.size()));
  while (!head.empty() && head.back() == '\n') head.pop_back();
  std::string out;
  std::istringstream lines(head);
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    out += line + "\r\n";
    if (first && !auth_header.empty()) out += auth_header + "\r\n";
    first = false;
  }
  return out + "\r\n" + body;
}

}  // namespace finserve::testing

#include "explain/background.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace finserve::explain {
namespace {

std::vector<std::string_view> SplitLine(std::string_view line) {
  std::vector<std::string_view> cells;
  while (true) {
    const size_t comma = line.find(',');
    std::string_view cell = line.substr(0, comma);
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '"')) cell.remove_prefix(1);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '"' || cell.back() == '\r')) cell.remove_suffix(1);
    cells.push_back(cell);
    if (comma == std::string_view::npos) return cells;
    line.remove_prefix(comma + 1);
  }
}

Result<std::vector<size_t>> MapHeader(std::string_view header, const std::vector<std::string>& columns,
                                      std::string_view file) {
  const auto names = SplitLine(header);
  std::vector<size_t> target(names.size());
  std::vector<bool> seen(columns.size(), false);
  for (size_t i = 0; i < names.size(); ++i) {
    size_t c = 0;
    while (c < columns.size() && columns[c] != names[i]) ++c;
    if (c == columns.size()) {
      return InvalidArgument(std::string(file) + ": line 1: column '" + std::string(names[i]) +
                             "' is not an input column of the model");
    }
    if (seen[c]) return InvalidArgument(std::string(file) + ": line 1: column '" + std::string(names[i]) + "' appears twice");
    seen[c] = true;
    target[i] = c;
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (!seen[c]) return InvalidArgument(std::string(file) + ": line 1: the header lacks column '" + columns[c] + "'");
  }
  return target;
}

}  // namespace

std::vector<double> BackgroundData::ColumnMeans(size_t num_columns) const {
  std::vector<double> sum(num_columns, 0.0), count(num_columns, 0.0);
  for (int64_t r = 0; r < num_rows; ++r) {
    for (size_t c = 0; c < num_columns; ++c) {
      const float v = rows[r * num_columns + c];
      if (!std::isnan(v)) sum[c] += v, count[c] += 1;
    }
  }
  for (size_t c = 0; c < num_columns; ++c) sum[c] = count[c] > 0 ? sum[c] / count[c] : 0.0;
  return sum;
}

Result<BackgroundData> ParseBackgroundCsv(std::string_view text, const std::vector<std::string>& columns,
                                          int64_t max_rows, std::string_view file) {
  const size_t eol = text.find('\n');
  FS_ASSIGN_OR_RETURN(std::vector<size_t> target, MapHeader(text.substr(0, eol), columns, file));
  BackgroundData data;
  text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
  for (int64_t line = 2; !text.empty() && data.num_rows < max_rows; ++line) {
    const size_t end = text.find('\n');
    const std::string_view row = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (row.find_first_not_of(" \r") == std::string_view::npos) continue;
    const auto cells = SplitLine(row);
    const std::string where = std::string(file) + ": line " + std::to_string(line);
    if (cells.size() != target.size()) {
      return InvalidArgument(where + ": " + std::to_string(cells.size()) + " cells, the header has " +
                             std::to_string(target.size()));
    }
    data.rows.resize(data.rows.size() + columns.size(), std::numeric_limits<float>::quiet_NaN());
    float* out = data.rows.data() + data.num_rows * columns.size();
    for (size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].empty()) continue;  // missing
      double v = 0;
      auto [ptr, ec] = std::from_chars(cells[i].data(), cells[i].data() + cells[i].size(), v);
      if (ec != std::errc() || ptr != cells[i].data() + cells[i].size() || !std::isfinite(v)) {
        return InvalidArgument(where + ": column '" + columns[target[i]] + "': '" + std::string(cells[i]) +
                               "' is not a number");
      }
      out[target[i]] = static_cast<float>(v);
    }
    ++data.num_rows;
  }
  if (data.num_rows == 0) return InvalidArgument(std::string(file) + ": has no data rows");
  return data;
}

}  // namespace finserve::explain

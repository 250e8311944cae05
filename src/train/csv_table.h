// CsvTable: a CSV file with a header row, read into memory as text cells, column by column.
//
// Dialect: RFC 4180 (comma separated, fields optionally in double quotes, "" inside quotes is a
// quote, quoted fields may span lines), CRLF or LF line ends, an optional UTF-8 byte-order mark.
// An empty cell, quoted or not, is a missing value. Every error names the file, the data row
// (1-based, header excluded), the line and the column, e.g.
//   "credit.csv: row 17 (line 18) has 13 fields, the header has 14".
// The reader refuses a file whose text or whose cells would take more than `max_memory_bytes`.
// Value type; not thread-safe while being built, safe to share read-only afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace finserve::train {

struct CsvOptions {
  int64_t max_memory_bytes = int64_t{2} << 30;  // text plus cells
  int64_t max_rows = int64_t{1} << 31;
};

class CsvTable {
 public:
  // Parses `text`; `source` names it in messages (a file name or "upload").
  static Result<CsvTable> Parse(std::string_view text, std::string_view source, const CsvOptions& options);

  const std::string& source() const { return source_; }
  const std::vector<std::string>& header() const { return header_; }
  int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return static_cast<int>(header_.size()); }
  // Index of a column by name, or -1.
  int FindColumn(std::string_view name) const;
  // Cell text; "" means missing.
  const std::string& cell(int64_t row, int column) const { return columns_[static_cast<size_t>(column)][static_cast<size_t>(row)]; }
  bool missing(int64_t row, int column) const { return cell(row, column).empty(); }
  const std::vector<std::string>& column(int column) const { return columns_[static_cast<size_t>(column)]; }

  // "row 17 (line 18), column 'Income'": where a cell came from, for messages.
  std::string Where(int64_t row, int column) const;
  // Keeps only the listed rows, in that order (for splits).
  CsvTable SelectRows(const std::vector<int64_t>& rows) const;

 private:
  std::string source_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> columns_;
  std::vector<int64_t> line_of_row_;  // 1-based line where each data row starts
  int64_t num_rows_ = 0;
};

}  // namespace finserve::train

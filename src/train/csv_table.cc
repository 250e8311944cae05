#include "train/csv_table.h"

#include <cstdio>
#include <set>

#include "core/utf8.h"

namespace finserve::train {
namespace {

// Rough in-memory cost of one cell: the string object plus any heap text beyond the inline buffer.
int64_t CellCost(const std::string& s) {
  constexpr size_t kInline = 15;
  return static_cast<int64_t>(sizeof(std::string) + (s.size() > kInline ? s.size() + 1 : 0));
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view source) : text_(text), source_(source) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  int64_t line() const { return line_; }

  // Reads one record into `fields`. Skips blank lines before it; false at the end of the text.
  Result<bool> Next(std::vector<std::string>* fields) {
    while (!AtEnd() && (text_[pos_] == '\n' || text_[pos_] == '\r')) Newline();
    if (AtEnd()) return false;
    fields->clear();
    record_line_ = line_;
    for (;;) {
      std::string field;
      FS_RETURN_IF_ERROR(ReadField(&field));
      fields->push_back(std::move(field));
      if (AtEnd()) return true;
      const char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      Newline();
      return true;
    }
  }
  int64_t record_line() const { return record_line_; }

 private:
  void Newline() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  Status ReadField(std::string* out) {
    if (!AtEnd() && text_[pos_] == '"') return ReadQuoted(out);
    const size_t start = pos_;
    while (!AtEnd() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
      if (text_[pos_] == '"') {
        return InvalidArgument(std::string(source_) + ": line " + std::to_string(line_) +
                               ": a quote inside an unquoted field (quote the whole field and double the quote)");
      }
      ++pos_;
    }
    out->assign(text_.substr(start, pos_ - start));
    return Status::Ok();
  }

  Status ReadQuoted(std::string* out) {
    const int64_t opened = line_;
    ++pos_;
    for (;;) {
      if (AtEnd()) {
        return InvalidArgument(std::string(source_) + ": the quoted field opened on line " + std::to_string(opened) +
                               " is never closed");
      }
      const char c = text_[pos_++];
      if (c == '"') {
        if (!AtEnd() && text_[pos_] == '"') {
          out->push_back('"');
          ++pos_;
          continue;
        }
        if (!AtEnd() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
          return InvalidArgument(std::string(source_) + ": line " + std::to_string(line_) +
                                 ": text after the closing quote of a field");
        }
        return Status::Ok();
      }
      if (c == '\n') ++line_;
      out->push_back(c);
    }
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  int64_t record_line_ = 1;
};

Status CheckHeader(const std::vector<std::string>& header, std::string_view source) {
  std::set<std::string> seen;
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c].empty()) {
      return InvalidArgument(std::string(source) + ": header column " + std::to_string(c + 1) + " has no name");
    }
    if (!IsValidUtf8(header[c])) {
      return InvalidArgument(std::string(source) + ": header column " + std::to_string(c + 1) + " is not valid UTF-8");
    }
    if (!seen.insert(header[c]).second) {
      return InvalidArgument(std::string(source) + ": the header names column '" + header[c] + "' twice");
    }
  }
  return Status::Ok();
}

// "812 bytes", "220 KiB", "3.4 MiB": a size as a reader compares them.
std::string MiB(int64_t bytes) {
  char buf[32];
  if (bytes < 10 * 1024) {
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
  } else if (bytes < 10 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.0f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  }
  return buf;
}

}  // namespace

Result<CsvTable> CsvTable::Parse(std::string_view text, std::string_view source, const CsvOptions& options) {
  int64_t used = static_cast<int64_t>(text.size());
  if (used > options.max_memory_bytes) {
    return ResourceExhausted(std::string(source) + ": the file is " + MiB(used) + ", over the memory budget of " +
                             MiB(options.max_memory_bytes) + " (--max-memory)");
  }
  Parser parser(text, source);
  CsvTable table;
  table.source_ = std::string(source);
  FS_ASSIGN_OR_RETURN(bool has_header, parser.Next(&table.header_));
  if (!has_header) return InvalidArgument(std::string(source) + ": the file is empty (a header row is required)");
  FS_RETURN_IF_ERROR(CheckHeader(table.header_, source));
  table.columns_.resize(table.header_.size());
  std::vector<std::string> fields;
  for (;;) {
    FS_ASSIGN_OR_RETURN(bool more, parser.Next(&fields));
    if (!more) break;
    const int64_t row = table.num_rows_ + 1;
    if (fields.size() != table.header_.size()) {
      return InvalidArgument(std::string(source) + ": row " + std::to_string(row) + " (line " +
                             std::to_string(parser.record_line()) + ") has " + std::to_string(fields.size()) +
                             " fields, the header has " + std::to_string(table.header_.size()));
    }
    if (row > options.max_rows) {
      return ResourceExhausted(std::string(source) + ": more than " + std::to_string(options.max_rows) + " rows");
    }
    for (size_t c = 0; c < fields.size(); ++c) {
      used += CellCost(fields[c]);
      table.columns_[c].push_back(std::move(fields[c]));
    }
    if (used > options.max_memory_bytes) {
      return ResourceExhausted(std::string(source) + ": at row " + std::to_string(row) + " (line " +
                               std::to_string(parser.record_line()) + ") the data takes more than the memory budget of " +
                               MiB(options.max_memory_bytes) + " (--max-memory)");
    }
    table.line_of_row_.push_back(parser.record_line());
    ++table.num_rows_;
  }
  return table;
}

int CsvTable::FindColumn(std::string_view name) const {
  for (size_t c = 0; c < header_.size(); ++c) {
    if (header_[c] == name) return static_cast<int>(c);
  }
  return -1;
}

std::string CsvTable::Where(int64_t row, int column) const {
  std::string out = "row " + std::to_string(row + 1);
  if (static_cast<size_t>(row) < line_of_row_.size()) {
    out += " (line " + std::to_string(line_of_row_[static_cast<size_t>(row)]) + ")";
  }
  return out + ", column '" + header_[static_cast<size_t>(column)] + "'";
}

CsvTable CsvTable::SelectRows(const std::vector<int64_t>& rows) const {
  CsvTable out;
  out.source_ = source_;
  out.header_ = header_;
  out.columns_.resize(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    out.columns_[c].reserve(rows.size());
    for (int64_t r : rows) out.columns_[c].push_back(columns_[c][static_cast<size_t>(r)]);
  }
  for (int64_t r : rows) out.line_of_row_.push_back(line_of_row_[static_cast<size_t>(r)]);
  out.num_rows_ = static_cast<int64_t>(rows.size());
  return out;
}

}  // namespace finserve::train

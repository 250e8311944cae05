// Any bytes as an audit log file: the record parser and the verifier answer with a report or a
// Status, never a crash; a record that parses has the seq, prev and hash it claims.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "audit/log_files.h"
#include "audit/record.h"
#include "audit/verifier.h"

namespace {

const std::string& FuzzDir() {
  static const std::string dir = [] {
    char pattern[] = "/tmp/finserve-audit-fuzz-XXXXXX";
    return std::string(::mkdtemp(pattern) ? pattern : "/tmp");
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace finserve::audit;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const Line& line : SplitLines(text)) {
    ParsedRecord record;
    std::string problem;
    if (ParseRecordLine(line.text, &record, &problem) != LineProblem::kNone) continue;
    if (record.doc["seq"].get<uint64_t>() != record.seq || record.doc["hash"].get<std::string>() != record.hash) {
      __builtin_trap();
    }
  }
  const std::string path = FuzzDir() + "/audit-20261122-000000000001.jsonl";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    auto report = VerifyLog(FuzzDir(), nullptr);
    if (report.ok()) (void)FormatReport(*report);
  }
  return 0;
}

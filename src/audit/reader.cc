#include "audit/reader.h"

#include "audit/log_files.h"
#include "audit/record.h"
#include "core/env.h"
#include "core/json_writer.h"

namespace finserve::audit {

Result<std::vector<FoundRecord>> FindDecisions(const std::string& directory, const std::string& id) {
  FS_ASSIGN_OR_RETURN(auto files, ListLogFiles(directory));
  std::string quoted;
  AppendJsonString(&quoted, id);
  std::vector<FoundRecord> found;
  for (const LogFile& file : files) {
    FS_ASSIGN_OR_RETURN(std::string contents, Env::Default()->ReadFile(file.path));
    if (contents.find(quoted) == std::string::npos) continue;
    for (const Line& line : SplitLines(contents)) {
      if (line.text.find(quoted) == std::string_view::npos) continue;
      FoundRecord f{{}, file.path, line.number};
      std::string problem;
      const LineProblem p = ParseRecordLine(line.text, &f.record, &problem);
      if (p != LineProblem::kNone) {
        return DataLoss(file.path + " line " + std::to_string(line.number) + " mentions '" + id + "' but " + problem +
                        "; run `finserve audit verify " + directory + "`");
      }
      if (f.record.type != "decision") continue;
      if (StringMember(f.record.doc, "request_id") != id && StringMember(f.record.doc, "client_id") != id) continue;
      found.push_back(std::move(f));
    }
  }
  if (found.empty()) return NotFound("no decision with request id '" + id + "' in the audit log " + directory);
  return found;
}

}  // namespace finserve::audit

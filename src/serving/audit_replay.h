// Replaying a recorded decision: rebuilds the version that decided from the archive (model file,
// its directory's other files and the effective config, all by SHA-256), decrypts the stored
// request, runs it through an InferenceService of its own (no server, no network) and compares the
// outputs' raw bytes with the record's `outputs_sha256`.
// Pure function of the state directory and its arguments; uses a private temporary directory.
#pragma once

#include <string>

#include "audit/crypto.h"
#include "audit/reader.h"
#include "serving/request.h"

namespace finserve::serving {

struct ReplayResult {
  bool identical = false;
  std::string recorded_sha256;
  std::string replayed_sha256;
  InferResponse response;  // what the archived version answers now
};

// Decrypts the request stored in `found` (FailedPrecondition when none was stored or no key given;
// DataLoss when the key does not open it, naming both key ids).
Result<std::string> StoredPlaintext(const audit::FoundRecord& found, const audit::EncryptionKey* key);
Result<InferRequest> StoredRequest(const audit::FoundRecord& found, const audit::EncryptionKey* key);

Result<ReplayResult> ReplayDecision(const std::string& state_dir, const audit::FoundRecord& found,
                                    const audit::EncryptionKey* key);

}  // namespace finserve::serving

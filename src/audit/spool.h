// The admin spool: how processes other than the server (`finserve keys ...`) get their actions into
// the server's one hash chain. They never write the chain; they drop one small JSON file per
// action into <audit-dir>/spool/ (written atomically), and the server that owns the chain appends
// each as an admin record, waits until it is durable, then deletes the file. Ingestion runs at
// start and then every few hundred milliseconds; an action taken while no server runs is recorded
// when the next one starts. A crash between append and delete can record an action twice, never
// lose it (each record carries the spool file name, so duplicates are visible).
// Thread-safe for distinct processes (unique file names); IngestSpool is called by one thread.
#pragma once

#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "core/status.h"

namespace finserve::audit {

// Writes `fields` (a JSON object with "type":"admin") into <audit_dir>/spool/.
Status WriteSpoolEntry(const std::string& audit_dir, std::string_view fields);

// Appends every spooled entry (oldest first) to `log`; returns how many were recorded. A file that
// is not a JSON object is moved to spool/rejected/ and reported in the log.
Result<int> IngestSpool(const std::string& audit_dir, AuditLog* log);

}  // namespace finserve::audit

// Structured logging: one JSON object per line per event, on stderr by default.
//
//   FS_LOG(kInfo, "model_loaded").With("model", name).With("version", v);
//
// prints {"ts":"2026-11-22T10:00:00.123456Z","level":"info","event":"model_loaded","model":...}
// when the temporary goes out of scope. Events below the current level cost one branch.
// Thread-safe: lines from different threads never interleave.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/json_writer.h"

namespace finserve {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogLevelEnabled(LogLevel level);
// "debug" | "info" | "warn" | "error" | "off"; false if unknown.
bool ParseLogLevel(std::string_view name, LogLevel* level);

class LogEvent {
 public:
  LogEvent(LogLevel level, std::string_view event);
  ~LogEvent();
  LogEvent(const LogEvent&) = delete;
  LogEvent& operator=(const LogEvent&) = delete;

  LogEvent& With(std::string_view key, std::string_view value) {
    writer_.Field(key, value);
    return *this;
  }
  LogEvent& With(std::string_view key, const char* value) { return With(key, std::string_view(value)); }
  LogEvent& With(std::string_view key, int64_t value) {
    writer_.Field(key, value);
    return *this;
  }
  LogEvent& With(std::string_view key, int value) { return With(key, static_cast<int64_t>(value)); }
  LogEvent& With(std::string_view key, uint64_t value) {
    writer_.Field(key, value);
    return *this;
  }
  LogEvent& With(std::string_view key, double value) {
    writer_.Field(key, value);
    return *this;
  }
  LogEvent& With(std::string_view key, bool value) {
    writer_.Field(key, value);
    return *this;
  }

 private:
  LogLevel level_;
  JsonWriter writer_;
};

// Lets FS_LOG be one expression (the glog idiom): `&` binds after the .With() chain.
struct LogVoidify {
  void operator&(const LogEvent&) {}
};

}  // namespace finserve

// Safe inside an unbraced if/else; the event's fields are not evaluated when the level is off.
#define FS_LOG(level, event)                                          \
  !::finserve::LogLevelEnabled(::finserve::LogLevel::level)           \
      ? (void)0                                                       \
      : ::finserve::LogVoidify() & ::finserve::LogEvent(::finserve::LogLevel::level, event)

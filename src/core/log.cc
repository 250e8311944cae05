#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "core/env.h"

namespace finserve {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

spdlog::logger& Logger() {
  static auto* logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto* l = new spdlog::logger("finserve", sink);
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);  // filtering happens in LogLevelEnabled
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *logger;
}

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error", "off"};

void AppendUtcTimestamp(JsonWriter* w) {
  w->Field("ts", FormatUtcMicros(Env::Default()->NowUnixMicros()));
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed)); }
bool LogLevelEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed) && level != LogLevel::kOff;
}

bool ParseLogLevel(std::string_view name, LogLevel* level) {
  for (int i = 0; i < 5; ++i) {
    if (kLevelNames[i] == name) {
      *level = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

LogEvent::LogEvent(LogLevel level, std::string_view event) : level_(level) {
  writer_.Reserve(256);
  writer_.BeginObject();
  AppendUtcTimestamp(&writer_);
  writer_.Field("level", kLevelNames[static_cast<int>(level)]);
  writer_.Field("event", event);
}

LogEvent::~LogEvent() {
  writer_.EndObject();
  static constexpr spdlog::level::level_enum kSpd[] = {spdlog::level::debug, spdlog::level::info,
                                                       spdlog::level::warn, spdlog::level::err,
                                                       spdlog::level::off};
  Logger().log(kSpd[static_cast<int>(level_)], "{}", writer_.str());
}

}  // namespace finserve

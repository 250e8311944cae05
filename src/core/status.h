// Status and Result<T>: errors as values across every module boundary.
//
// A Status is OK or carries a code and a message written for the caller ("input 'features':
// expected FP32, got INT64"). Context is added on the way up with WithContext(), never swallowed.
// Result<T> holds either a value or a non-OK Status. Both are cheap to move; an OK Status does not
// allocate. Thread-compatible (no shared state).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace finserve {

// The canonical codes (as in gRPC/absl); front ends map them to HTTP and gRPC in one place each.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "context: message", keeping the code. No-op on OK.
  Status WithContext(std::string_view context) const;
  // "INVALID_ARGUMENT: message" (or "OK").
  std::string ToString() const;

  bool operator==(const Status& other) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status FailedPrecondition(std::string message);
Status Unimplemented(std::string message);
Status Internal(std::string message);
Status Unavailable(std::string message);
Status ResourceExhausted(std::string message);
Status DeadlineExceeded(std::string message);
Status PermissionDenied(std::string message);
Status Unauthenticated(std::string message);
Status DataLoss(std::string message);
Status OutOfRange(std::string message);
Status Cancelled(std::string message);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an OK Status without a value");
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "Result built from OK status without value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
inline Status AsStatus(Status&& s) { return std::move(s); }
template <typename T>
Status AsStatus(const Result<T>& r) { return r.status(); }
}  // namespace internal

}  // namespace finserve

#define FS_CONCAT_INNER(a, b) a##b
#define FS_CONCAT(a, b) FS_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the current function if it is not OK.
#define FS_RETURN_IF_ERROR(expr)                                         \
  do {                                                                   \
    ::finserve::Status fs_status_ = ::finserve::internal::AsStatus(expr); \
    if (!fs_status_.ok()) return fs_status_;                             \
  } while (0)

// FS_ASSIGN_OR_RETURN(auto x, MakeX()): declares/assigns the value or returns the error.
#define FS_ASSIGN_OR_RETURN(lhs, expr) \
  FS_ASSIGN_OR_RETURN_IMPL(FS_CONCAT(fs_result_, __LINE__), lhs, expr)
#define FS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

// Programmer errors only (broken invariants), never user input.
#define FS_CHECK(cond)                                                     \
  do {                                                                     \
    if (!(cond)) ::finserve::internal::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace finserve::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}

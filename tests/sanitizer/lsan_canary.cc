// The LeakSanitizer canary: this program leaks on purpose, in a function of our own. Its ctest
// (asan builds only) passes only when LeakSanitizer reports the leak with the suppressions of the
// asan test preset in effect, so a suppression file that hid our own leaks would fail the run.
#include <cstdio>

namespace {

int* volatile g_escape = nullptr;  // keeps the compiler from eliding the allocation

__attribute__((noinline)) void FinserveCanaryLeak() {
  g_escape = new int[64];
  g_escape[0] = 42;
  std::printf("canary allocated %d\n", g_escape[0]);
  g_escape = nullptr;  // the last pointer is gone: a leak
}

}  // namespace

int main() {
  FinserveCanaryLeak();
  return 0;
}

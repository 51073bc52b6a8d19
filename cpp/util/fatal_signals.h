// Native crashes are fatal, but they say which task it was. While a C++
// task body runs, its thread points a thread_local at the task's name, op id
// and worker (RunningTaskScope). Handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL
// and SIGABRT, installed once per process, print
//   cohort: fatal signal SIGSEGV in C++ task 'name' (op #n) on worker k
// with write(2) only (async-signal-safe: no allocation, no stdio), restore
// the disposition that was there before and re-raise, so the process still
// dies of the signal (exit status 134/139). On a thread that is not running a
// C++ task the signal goes straight to the previous handler: Node/V8 use
// SIGSEGV for WebAssembly bounds checks, and that must keep working.
// Worker threads run on an alternate signal stack (AltSignalStack), so a
// stack overflow in a task is reported too.
#pragma once
#include <signal.h>

#include <cstddef>
#include <cstdint>

namespace cohort {

struct RunningTask {
  const char* name = nullptr;     // outlives the task (task names live in the registry)
  const char* context = nullptr;  // the op's context ("3.2"; null at the top level); outlives the task
  uint64_t op = 0;                // its position there
  unsigned worker = 0;
};

// Marks the calling thread as running `task` for the scope's lifetime.
class RunningTaskScope {
 public:
  explicit RunningTaskScope(const RunningTask& task);
  ~RunningTaskScope();
  RunningTaskScope(const RunningTaskScope&) = delete;
  RunningTaskScope& operator=(const RunningTaskScope&) = delete;

 private:
  RunningTask task_;
  const RunningTask* previous_;
};

// Installs the handlers (first call only; thread-safe).
void installFatalSignalHandlers();

// An alternate signal stack for the calling thread while alive; the one
// that was there before (if any) is put back on destruction.
class AltSignalStack {
 public:
  AltSignalStack();
  ~AltSignalStack();
  AltSignalStack(const AltSignalStack&) = delete;
  AltSignalStack& operator=(const AltSignalStack&) = delete;

 private:
  void* memory_ = nullptr;
  size_t size_ = 0;
  bool installed_ = false;
  stack_t previous_{};
};

}  // namespace cohort

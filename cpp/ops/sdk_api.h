// The runtime side of the SDK's C ABI: the function table handed to
// libraries and the per-execution context behind cohort_task_context.
#pragma once
#include <string>
#include <vector>

#include "cohort/cohort.h"

namespace cohort {
class RunningTaskView;
struct RunningTask;
struct TaskInfo;
}  // namespace cohort

// The opaque context a C++ task body receives: valid while it runs.
struct cohort_task_context {
  const cohort::RunningTaskView* op;
  std::vector<uint8_t> result;
  bool failed = false;
  std::string failure;
};

namespace cohort {

// The immutable function table (one per process; constant data).
const cohort_api& sdkApi();

int registrarRegisterTask(cohort_registrar* reg, const char* name, cohort_task_fn fn, uint32_t flags);
const char* registrarLastError(const cohort_registrar* reg);
int registrarRegisterReduction(cohort_registrar* reg, const char* name, uint32_t* idOut);
int registrarRegisterCallback(cohort_registrar* reg, const char* name, cohort_callback_fn fn);

class SdkTaskContext {
 public:
  explicit SdkTaskContext(const RunningTaskView& task) { ctx_.op = &task; }
  cohort_task_context* abi() { return &ctx_; }
  bool failed() const { return ctx_.failed; }
  const std::string& failureMessage() const { return ctx_.failure; }
  void fail(std::string m) {
    if (!ctx_.failed) {
      ctx_.failed = true;
      ctx_.failure = std::move(m);
    }
  }
  std::vector<uint8_t> takeResult() { return std::move(ctx_.result); }

 private:
  cohort_task_context ctx_;
};

// Runs `task`'s C++ body with `ctx` on this thread, marked as `running` for
// fatal-signal reports: an exception or a non-zero return fails `ctx`.
void callCppBody(const TaskInfo& task, SdkTaskContext& ctx, const RunningTask& running);

}  // namespace cohort

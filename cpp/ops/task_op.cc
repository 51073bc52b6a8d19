#include "ops/task_op.h"

#include "ops/sdk_api.h"
#include "runtime/runtime.h"

namespace cohort {

TaskOp::TaskOp(Runtime& rt, OpId id, const TaskInfo& task, VariantKind variant,
               std::vector<uint8_t> args, std::vector<FuturePtr> futures)
    : rt_(rt),
      id_(id),
      task_(task),
      variant_(variant),
      args_(std::move(args)),
      futures_(std::move(futures)),
      result_(std::make_shared<FutureImpl>("task '" + task.name + "' (op #" + std::to_string(id) + ")")) {}

std::string TaskOp::describe() const { return result_->producer(); }

void TaskOp::launch() {
  std::vector<Event> waits;
  waits.reserve(futures_.size() + preconditions_.size());
  for (const auto& f : futures_) waits.push_back(f->ready());
  for (auto& e : preconditions_) waits.push_back(std::move(e));
  preconditions_.clear();
  // One extra count so the task cannot start while we are still arming it.
  pending_.store(static_cast<int>(waits.size()) + 1, std::memory_order_relaxed);
  auto self = shared_from_this();
  for (const Event& e : waits) e.subscribe(self);
  eventFired(nullptr);
}

void TaskOp::eventFired(const FailurePtr& failure) {
  if (failure) {
    std::lock_guard<std::mutex> lock(failureMutex_);
    if (!predecessorFailure_) predecessorFailure_ = failure;
  }
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  FailurePtr pred;
  {
    std::lock_guard<std::mutex> lock(failureMutex_);
    pred = predecessorFailure_;
  }
  if (pred) {
    // Do not run: name the predecessor that failed and keep its message.
    finish(makeFailure(describe() + " did not run because " + pred->origin +
                           ", which it depends on, failed: " + pred->message,
                       pred->stack, describe()),
           {});
    return;
  }
  dispatch();
}

void TaskOp::dispatch() {
  if (variant_ == VariantKind::Js) {
    processor_ = rt_.jsProcessorId();
    rt_.jsQueue().post(JsWorkItem{shared_from_this(), 0, false});
  } else if (pinnedWorker_ >= 0) {
    rt_.workers().submitPinned(shared_from_this(), static_cast<unsigned>(pinnedWorker_));
  } else {
    rt_.workers().submit(shared_from_this());
  }
}

void TaskOp::run(ProcessorId proc) {
  processor_ = proc;
  SdkTaskContext ctx(*this);
  int rc = 0;
  try {
    rc = task_.cpp->fn(&sdkApi(), ctx.abi());
  } catch (const std::exception& e) {
    ctx.fail(std::string("C++ task threw: ") + e.what());
  } catch (...) {
    ctx.fail("C++ task threw a non-std::exception value");
  }
  if (!ctx.failed() && rc != 0)
    ctx.fail("C++ task '" + task_.name + "' returned error code " + std::to_string(rc));
  if (ctx.failed())
    finish(makeFailure(ctx.failureMessage(), "", describe()), {});
  else
    finish(nullptr, ctx.takeResult());
}

void TaskOp::completeJs(std::vector<uint8_t> result) { finish(nullptr, std::move(result)); }

void TaskOp::failJs(const std::string& message, const std::string& stack) {
  finish(makeFailure(message, stack, describe()), {});
}

void TaskOp::finish(FailurePtr failure, std::vector<uint8_t> result) {
  // Release what the task held before successors start.
  regions_.clear();
  if (failure) result_->reject(std::move(failure));
  else result_->resolve(result.empty() ? std::vector<uint8_t>{0} : std::move(result));
  rt_.operationCompleted(id_);
}

}  // namespace cohort

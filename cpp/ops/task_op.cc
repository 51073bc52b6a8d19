#include "ops/task_op.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "ops/checked_views.h"
#include "ops/fence_epoch.h"
#include "ops/sdk_api.h"
#include "util/fatal_signals.h"

namespace cohort {

const TaskRegionArgs& TaskOp::noRegions() {
  static const TaskRegionArgs kNone;  // immutable
  return kNone;
}

const TaskRegionArgs& TaskOp::regions() const {
  if (checked_) return checked_->regions();
  return regions_ ? *regions_ : noRegions();
}

TaskOp::~TaskOp() = default;

TaskOp::TaskOp(TaskServices& services, OpId id, const TaskInfo& task, VariantKind variant,
               std::shared_ptr<const std::vector<uint8_t>> args, std::vector<FuturePtr> futures,
               std::shared_ptr<const std::string> context, uint64_t position)
    : services_(services),
      id_(id),
      task_(task),
      variant_(variant),
      args_(std::move(args)),
      futures_(std::move(futures)),
      result_(makePooled<FutureImpl>(&task.name, std::move(context), position)) {}

OpName TaskOp::opName() const {
  OpName n;
  if (const auto& ctx = result_->context()) {
    uint64_t part = 0;
    for (char c : *ctx) {
      if (c == '.') {
        n.path.push_back(part);
        part = 0;
      } else {
        part = part * 10 + static_cast<uint64_t>(c - '0');
      }
    }
    n.path.push_back(part);
  }
  n.path.push_back(result_->position());
  return n;
}

std::string TaskOp::describe() const { return result_->producer(); }

namespace {
// Milliseconds on a monotonic clock cheap enough for every launch (the
// coarse clock is a vDSO read; its few-ms resolution is plenty for reports).
int64_t coarseNowMs() {
#ifdef CLOCK_MONOTONIC_COARSE
  timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0)
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
#endif
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void TaskOp::enterPhase(Phase p) {
  phaseSinceMs_.store(coarseNowMs(), std::memory_order_relaxed);
  phase_.store(static_cast<uint8_t>(p), std::memory_order_release);
}

TaskOp::Status TaskOp::status() const {
  auto phase = static_cast<Phase>(phase_.load(std::memory_order_acquire));
  int64_t since = phaseSinceMs_.load(std::memory_order_relaxed);
  return Status{phase, phase == Phase::Running ? processor_ : 0, std::max<int64_t>(0, coarseNowMs() - since)};
}

void TaskOp::launch() {
  // One extra count so the task cannot start while we are still arming it.
  pending_.store(static_cast<int>(futures_.size() + preconditions_.size()) + 1, std::memory_order_relaxed);
  enterPhase(Phase::Waiting);
  auto self = shared_from_this();
  for (const auto& f : futures_) f->ready().subscribe(self);
  preconditions_.forEach([&](const Event& e) { e.subscribe(self); });
  preconditions_.clear();
  eventFired(nullptr);
}

void TaskOp::eventFired(const FailurePtr& failure) {
  if (failure) {
    std::lock_guard<std::mutex> lock(failureMutex_);
    if (!predecessorFailure_) predecessorFailure_ = failure;
  }
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // Every other call wrote (under the lock) before its own decrement, which
  // this last one acquired: the failure is read without the lock.
  const FailurePtr& pred = predecessorFailure_;
  if (pred) {
    finish(dependentFailure(describe(), pred), {});  // does not run
    return;
  }
  dispatch();
}

void TaskOp::regionsFetched() {
  copiesIn_.clear();
  copiesOut_.clear();
  if (copiesArrived_.exists()) std::exchange(copiesArrived_, Event()).trigger();
  dispatch();
}

void TaskOp::dispatch() {
  enterPhase(Phase::Queued);
  if (remoteRank_ < 0 && (!copiesIn_.empty() || !copiesOut_.empty()))
    services_.fetchRegions(shared_from_this());
  else if (remoteRank_ >= 0)
    services_.dispatchRemote(shared_from_this());
  else if (variant_ == VariantKind::Js)
    services_.dispatch(shared_from_this(), ProcessorKind::Js, -1, priority_);
  else
    services_.dispatch(shared_from_this(), ProcessorKind::Cpu, pinnedWorker_, priority_);  // ended at the end of run()
}

void TaskOp::markRunning(ProcessorId proc) {
  processor_ = proc;
  enterPhase(Phase::Running);
}

void TaskOp::run(ProcessorId proc) {
  markRunning(proc);
  std::string violation;
  SdkTaskContext ctx(*this);  // reads regions() when asked: in checking mode, the private copies
  {
    std::vector<std::unique_lock<std::mutex>> held;
    held.reserve(exclusion_.size());
    for (const auto& key : exclusion_) held.emplace_back(services_.exclusionLocks().lockFor(key));
    if (services_.checksEnabled()) beginChecked();  // under the locks: no other holder writes meanwhile
    const auto& context = result_->context();       // named by a fatal signal
    callCppBody(task_, ctx, {task_.name.c_str(), context ? context->c_str() : nullptr, result_->position(), proc});
    if (checked_) violation = endChecked();  // written back under the locks
  }
  if (!exclusion_.empty()) services_.locksReleased();
  if (!ctx.failed() && !violation.empty()) ctx.fail(violation);
  if (ctx.failed())
    finish(makeFailure(ctx.failureMessage(), "", describe()), {});
  else
    finish(nullptr, ctx.takeResult());
  services_.cpuTaskEnded();  // last: everything this task posts to the JS thread is posted
}

bool TaskOp::tryAcquireLocks() {
  std::vector<std::mutex*> taken;
  for (const auto& key : exclusion_) {
    std::mutex& m = services_.exclusionLocks().lockFor(key);
    if (!m.try_lock()) {
      for (std::mutex* t : taken) t->unlock();
      return false;
    }
    taken.push_back(&m);
  }
  if (services_.checksEnabled()) beginChecked();
  return true;
}

void TaskOp::completeJs(std::vector<uint8_t> result) {
  const std::string violation = checked_ ? endChecked() : std::string();  // written back under the locks
  for (const auto& key : exclusion_) services_.exclusionLocks().lockFor(key).unlock();
  if (!exclusion_.empty()) services_.locksReleased();
  if (!violation.empty()) {
    finish(makeFailure(violation, "", describe()), {});
    return;
  }
  finish(nullptr, std::move(result));
}

void TaskOp::failJs(const std::string& message, const std::string& stack) {
  checked_.reset();  // a failed task's copies are discarded
  for (const auto& key : exclusion_) services_.exclusionLocks().lockFor(key).unlock();
  if (!exclusion_.empty()) services_.locksReleased();
  finish(makeFailure(message, stack, describe()), {});
}

void TaskOp::rebaseChild(TaskRegionArgs& childRegions) const {
  if (!checked_) return;
  for (auto& r : childRegions) checked_->rebase(r);
}

void TaskOp::beginChecked() {
  checked_.reset();
  if (regions_ && !regions_->empty()) checked_ = std::make_unique<CheckedViews>(*regions_);
}

std::string TaskOp::endChecked() {
  std::string violation = checked_->finish(describe());
  checked_.reset();
  return violation;
}

void TaskOp::joinEpoch(const std::shared_ptr<FenceEpoch>& epoch) {
  epoch->join();
  epoch_ = epoch;
}

void TaskOp::finish(FailurePtr failure, std::vector<uint8_t> result) {
  enterPhase(Phase::Done);
  // Its fetch failed (or it never ran): readers that counted on its copies fail too.
  if (copiesArrived_.exists())
    std::exchange(copiesArrived_, Event())
        .poison(failure ? failure : makeFailure(describe() + " did not bring its region data", "", describe()));
  // Release what the task held before successors start.
  regions_.reset();
  if (failure)
    result_->reject(std::move(failure));
  else if (result.empty())
    result_->resolveUndefined();
  else
    result_->resolve(std::move(result));
  if (epoch_) std::exchange(epoch_, nullptr)->arrive();  // after the result: a fence implies it
  services_.retire(shared_from_this());
  if (counted_) services_.operationCompleted(id_);
}

}  // namespace cohort

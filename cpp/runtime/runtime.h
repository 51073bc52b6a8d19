// The process-wide runtime: owns the processors (worker pool and the JS
// processor's inbox), the task registry and loaded libraries, and counts
// outstanding operations so the JS side knows when it is idle. One per
// process (the singleton slot below is the only process-global state).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/region_forest.h"
#include "mapping/machine.h"
#include "mapping/mapper_registry.h"
#include "mapping/sharding.h"
#include "ops/analysis_context.h"
#include "ops/exclusion_locks.h"
#include "ops/executor.h"
#include "ops/future.h"
#include "ops/task_op.h"
#include "plan/plan_log.h"
#include "plan/planner.h"
#include "procs/js_queue.h"
#include "procs/worker_pool.h"
#include "registry/library.h"
#include "registry/task_registry.h"

namespace cohort {

struct RuntimeOptions {
  unsigned workers = 0;  // 0: one per core
  bool checks = false;   // checking mode (COHORT_CHECKS=1): privilege violations
};

class Runtime {
 public:
  explicit Runtime(const RuntimeOptions& options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Starts the runtime, or returns the running one. `workersRequested` says
  // whether options.workers was given: asking a running runtime for another
  // worker count is an error.
  static std::shared_ptr<Runtime> start(const RuntimeOptions& options, bool workersRequested);

  WorkerPool& workers() { return workers_; }
  JsQueue& jsQueue() { return jsQueue_; }
  TaskRegistry& tasks() { return tasks_; }
  ReductionRegistry& reductions() { return reductions_; }
  ProcessorId jsProcessorId() const { return workers_.size(); }
  unsigned workerCount() const { return workers_.size(); }

  std::shared_ptr<Library> loadLibrary(const std::string& path);

  // Regions and the analysis contexts (issue thread only).
  RegionForest& forest() { return forest_; }
  // 0: the top-level context; otherwise the context of the running TS task
  // with that op id (created on its first child launch).
  const AnalysisContextPtr& context(OpId parent);
  ExclusionLocks& exclusionLocks() { return exclusionLocks_; }
  const Machine& machine() const { return machine_; }
  MapperRegistry& mappers() { return mappers_; }
  ShardingRegistry& sharding() { return sharding_; }
  bool checksEnabled() const { return checks_; }
  // Built-in tasks: fill (C++) and inline mapping (JS side).
  TaskId fillTask() const { return fillTask_; }
  TaskId inlineMapTask() const { return inlineMapTask_; }

  // The issue window: when outstanding() next drops to `n`, post a window
  // item to the JS thread. Returns false (and arms nothing) when it is
  // already at or below n.
  bool armLowWater(uint64_t n);

  // The engine: the planner (mapping + analysis), the executor (the only
  // code that turns plan entries into running work) and the plan's debug log.
  const Planner& planner() const { return planner_; }
  Executor& executor() { return executor_; }
  PlanLog& planLog() { return planLog_; }

  // Counts `op` as outstanding (unless it is a background op) and arms it.
  void start(const TaskOpPtr& op);
  OpId nextOpId() { return ++lastOpId_; }
  void operationStarted() { outstanding_.fetch_add(1, std::memory_order_acq_rel); }
  void operationCompleted(OpId id);
  uint64_t outstanding() const { return outstanding_.load(std::memory_order_acquire); }

  // TS tasks in flight on the JS thread (JS thread only).
  void beginJsTask(const TaskOpPtr& op) {
    op->markRunning();
    runningJs_.emplace(op->id(), op);
  }
  TaskOpPtr endJsTask(OpId id);
  // The running TS task with that op id, or null.
  const TaskOp* runningJsTask(OpId id) const {
    auto it = runningJs_.find(id);
    return it == runningJs_.end() ? nullptr : it->second.get();
  }

  // TS tasks that could not take their exclusion locks wait here until a
  // task holding such locks releases them (no busy retry on the JS thread).
  uint64_t lockGeneration() const { return lockGeneration_.load(std::memory_order_acquire); }
  void parkForLocks(TaskOpPtr op, uint64_t generationSeen);
  void locksReleased();

  // Finished operations are destroyed on the issuing thread, which
  // allocated them: freeing across threads makes glibc's arenas contend.
  void retire(TaskOpPtr op);
  void drainRetired();

  // Every task started and not yet drained, in start order (issuing thread
  // only; skip the ones whose status() is Done): the pending-task report.
  const UnfinishedTasks& unfinished() const { return unfinished_; }

  // C++ tasks dispatched to the pool and not finished. While there are any,
  // or items wait in the JS queue, runtime threads will wake the JS thread;
  // otherwise everything left waits on JS (TS task promises, inline
  // mappings) and the binding lets the event loop end (see runtime_binding).
  void cppTaskQueued() { activeCpp_.fetch_add(1, std::memory_order_seq_cst); }
  void cppTaskEnded();
  bool hasNativeWork() { return activeCpp_.load(std::memory_order_seq_cst) != 0 || !jsQueue_.empty(); }

  bool isShutDown() const { return shutDown_; }
  void checkRunning(const char* what) const;
  // Joins the workers; the caller has waited for outstanding() == 0.
  void shutdown();

 private:
  bool checks_;
  WorkerPool workers_;
  JsQueue jsQueue_;
  RegionForest forest_;
  Machine machine_;
  MapperRegistry mappers_;
  ShardingRegistry sharding_;
  AnalysisContextPtr topContext_;
  std::unordered_map<OpId, AnalysisContextPtr> taskContexts_;
  ExclusionLocks exclusionLocks_;
  TaskId fillTask_ = 0;
  TaskId inlineMapTask_ = 0;
  std::atomic<int64_t> lowWater_{-1};
  std::mutex lockWaitMutex_;
  std::atomic<uint64_t> lockGeneration_{0};
  std::vector<TaskOpPtr> lockWaiters_;
  std::mutex retiredMutex_;
  std::vector<TaskOpPtr> retired_;
  std::vector<TaskOpPtr> draining_;  // issuing thread only
  std::atomic<uint64_t> activeCpp_{0};
  TaskRegistry tasks_;
  ReductionRegistry reductions_;
  LibraryLoader libraries_;
  Planner planner_;
  Executor executor_;
  PlanLog planLog_;
  std::atomic<uint64_t> outstanding_{0};
  OpId lastOpId_ = 0;
  std::unordered_map<OpId, TaskOpPtr> runningJs_;
  UnfinishedTasks unfinished_;  // issuing thread only
  bool shutDown_ = false;
};

}  // namespace cohort

// The process-wide runtime: wiring. It owns the processors (the worker pool
// and the JS processor), the task registry and loaded libraries, the region
// forest and the analysis contexts, and gives task operations the narrow
// services they use (ops/task_services.h). One per process (the singleton
// slot in runtime.cc is the only process-global state).
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
#include "ops/recent_args.h"
#include "ops/task_op.h"
#include "ops/task_services.h"
#include "plan/plan_log.h"
#include "plan/planner.h"
#include "procs/js_processor.h"
#include "procs/worker_pool.h"
#include "registry/library.h"
#include "registry/task_registry.h"
#include "runtime/rank_service.h"

namespace cohort {

struct RuntimeOptions {
  unsigned workers = 0;  // 0: one per core
  bool checks = false;   // checking mode (COHORT_CHECKS=1): privilege violations
  // Where to look for the MPI transport plugin when an MPI launcher started
  // the process (transport/wire_plugin.h).
  std::vector<std::string> pluginDirs{};
};

class Runtime final : public TaskServices {
 public:
  explicit Runtime(const RuntimeOptions& options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Starts the runtime, or returns the running one. `workersRequested` says
  // whether options.workers was given: asking a running runtime for another
  // worker count is an error.
  static std::shared_ptr<Runtime> start(const RuntimeOptions& options, bool workersRequested);

  JsProcessor& jsProcessor() { return jsProcessor_; }
  TaskRegistry& tasks() { return tasks_; }
  ReductionRegistry& reductions() { return reductions_; }
  unsigned workerCount() const { return workers_.size(); }

  std::shared_ptr<Library> loadLibrary(const std::string& path);
  // Content hashes of every library loaded here.
  std::vector<uint64_t> libraryHashes() const { return libraries_.hashes(); }
  std::shared_ptr<Library> libraryByHash(uint64_t contentHash) const { return libraries_.byHash(contentHash); }

  // Many ranks: null in one process (or under a launcher that started one).
  RankService* ranks() { return ranks_.get(); }
  uint32_t rank() const { return machine_.localRank; }
  uint32_t rankCount() const { return ranks_ ? ranks_->ranks() : 1; }
  // Rank 0, once every rank said hello: the machine lists every rank's
  // processors (ids continue rank after rank) and mappers may place tasks there.
  void extendMachine(const std::vector<uint32_t>& workersPerRank);
  // A replicated shard other than 0: the machine becomes every rank's
  // processors, numbered as on rank 0 (this rank's after the earlier ranks').
  void adoptMachineOfAllRanks(const std::vector<uint32_t>& workersPerRank);
  // JS thread: the top-level function starts (replicated: on every rank).
  void enterMain(bool replicated);
  // The machine as every rank's processors (rank 0's view; other ranks map
  // their own subtasks on their own processors only).
  Machine machineOfAllRanks() const;
  // The first processor id of `rank` in the machine.
  ProcessorId firstProcessorOf(uint32_t rank) const;

  // Regions and the analysis contexts (issue thread only).
  RegionForest& forest() { return forest_; }
  // 0: the top-level context; otherwise the context of the running TS task
  // with that op id (created on its first child launch).
  const AnalysisContextPtr& context(OpId parent);
  ExclusionLocks& exclusionLocks() override { return exclusionLocks_; }
  const Machine& machine() const { return machine_; }
  MapperRegistry& mappers() { return mappers_; }
  ShardingRegistry& sharding() { return sharding_; }
  bool checksEnabled() const override { return checks_; }
  // Built-in tasks: fill (C++) and inline mapping (JS side).
  TaskId fillTask() const { return fillTask_; }
  TaskId inlineMapTask() const { return inlineMapTask_; }

  // The engine: the planner (mapping + analysis), the executor (the only
  // code that turns plan entries into running work) and the plan's debug log.
  const Planner& planner() const { return planner_; }
  Executor& executor() { return executor_; }
  IssueScratch& issueScratch() { return issueScratch_; }
  RecentArgs& recentArgs() { return recentArgs_; }
  PlanLog& planLog() { return planLog_; }

  // Counts `op` as outstanding (unless it is a background op) and arms it.
  void start(const TaskOpPtr& op);
  OpId nextOpId() { return ++lastOpId_; }
  // The JS processor counts outstanding operations (it owns the issue window).
  void operationStarted() { jsProcessor_.operationStarted(); }
  void operationsStarted(uint64_t n) { jsProcessor_.operationsStarted(n); }
  void operationCompleted(OpId) override { jsProcessor_.operationCompleted(); }
  uint64_t outstanding() const { return jsProcessor_.outstanding(); }

  // The running TS task with that op id, or null (JS thread only).
  const TaskOp* runningJsTask(OpId id) const;
  // A TS task's body ended: the JS processor lets go of it, and the analysis
  // context and exclusion keys of its children go. Null if not running.
  TaskOpPtr endJsTask(OpId id);

  // TaskServices: processors and locks for a task operation.
  void dispatch(ProcessorTaskPtr task, ProcessorKind kind, int local, int priority) override;
  void cpuTaskEnded() override;
  void dispatchRemote(std::shared_ptr<TaskOp> task) override;
  void fetchRegions(std::shared_ptr<TaskOp> task) override;
  void locksReleased() override { jsProcessor_.locksReleased(); }

  // Finished operations are destroyed on the issuing thread, which
  // allocated them: freeing across threads makes glibc's arenas contend.
  // Retiring takes no lock, so completing tasks on several workers do not
  // queue behind one another.
  void retire(TaskOpPtr op) override;
  void drainRetired();

  // Every task started and not yet drained, in start order (issuing thread
  // only; skip the ones whose status() is Done): the pending-task report.
  const UnfinishedTasks& unfinished() const { return unfinished_; }

  // C++ tasks dispatched to the pool and not finished (counted by dispatch
  // and cpuTaskEnded). While there are any, or items wait in the JS
  // processor's inbox, runtime threads will wake the JS thread; otherwise
  // everything left waits on JS (TS task promises, inline mappings) and the
  // binding lets the event loop end (see napi/addon_state.h).
  bool hasNativeWork() {
    return activeCpp_.load(std::memory_order_seq_cst) != 0 || !jsProcessor_.inboxEmpty() || (ranks_ && ranks_->busy());
  }

  // Rank 0 of several: top-level launches go through the record of which
  // ranks hold valid region data (runtime/valid_copies.h), in program order.
  bool tracksRegionCopies() const;

  bool isShutDown() const { return shutDown_; }
  void checkRunning(const char* what) const;
  // Joins the workers; the caller has waited for outstanding() == 0.
  void shutdown();

 private:
  bool checks_;
  WorkerPool workers_;
  JsProcessor jsProcessor_;  // id: the one after the workers
  RegionForest forest_;
  Machine machine_;
  MapperRegistry mappers_;
  ShardingRegistry sharding_;
  AnalysisContextPtr topContext_;
  std::unordered_map<OpId, AnalysisContextPtr> taskContexts_;
  ExclusionLocks exclusionLocks_;
  TaskId fillTask_ = 0;
  TaskId inlineMapTask_ = 0;
  // Finished ops, newest first, linked through their retired hooks: a
  // lock-free push from the completing thread, taken whole by drainRetired.
  std::atomic<TaskOp*> retiredHead_{nullptr};
  std::atomic<uint64_t> activeCpp_{0};
  TaskRegistry tasks_;
  ReductionRegistry reductions_;
  LibraryLoader libraries_;
  Planner planner_;
  Executor executor_;
  IssueScratch issueScratch_;
  RecentArgs recentArgs_;
  PlanLog planLog_;
  OpId lastOpId_ = 0;
  UnfinishedTasks unfinished_;  // issuing thread only
  bool shutDown_ = false;
  std::unique_ptr<RankService> ranks_;  // last: its handlers use everything above
};

}  // namespace cohort

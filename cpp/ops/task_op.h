// One task to run: a single launch or one point of an index launch. It
// waits for its preconditions (events of futures and of earlier operations
// it depends on), then runs its chosen variant: C++ on a worker thread, TS
// on the JS thread. Its result future's event is its completion event: a
// failure poisons it, and successors that depend on it do not run.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "analysis/plan.h"
#include "analysis/privilege.h"
#include "cohort/cohort.h"
#include "data/region_piece.h"
#include "events/event.h"
#include "events/event_list.h"
#include "ops/exclusion_locks.h"
#include "ops/future.h"
#include "ops/task_services.h"
#include "ops/unfinished_tasks.h"
#include "procs/processor.h"
#include "registry/task_registry.h"
#include "util/block_pool.h"

namespace cohort {

class AnalysisContext;

// The index-space position of a point task (dim 0 for a single task).
struct TaskPoint {
  int32_t dim = 0;
  int64_t point[3] = {0, 0, 0};
  int64_t lo[3] = {0, 0, 0};
  int64_t hi[3] = {0, 0, 0};
};

// What a task sees of one region requirement: one view per field, plus
// owners that keep the storage alive while the task may run.
struct TaskRegionArg {
  uint32_t tree = 0;
  uint32_t regionNode = 0;
  Privilege privilege = Privilege::ReadOnly;
  bool checkable = true;  // false under simultaneous coherence (others may write)
  // Pooled lists: an untraced launch binds these for every point, and the
  // heap's allocator was a fifth of an index launch's time.
  PooledVector<cohort_field_view> fields;
  PooledVector<std::array<int64_t, 6>> rects;  // exact rects: lo[3], hi[3]
  PooledVector<uint32_t> fieldIds;
  PooledVector<std::string> names;  // field names, for errors
  PooledVector<uint64_t> offsets;   // element offset of the view in its storage
  PooledVector<std::shared_ptr<void>> keepAlive;
  // Checking mode: per field, the private copy the view points into (see
  // ops/checked_views.h); empty or null when the view is over the storage.
  PooledVector<std::shared_ptr<std::vector<uint8_t>>> shadows;
  PooledVector<uint64_t> shadowOffsets;  // element offset of the view in its copy
  // Ranks > 0: the generation of this rank's storage of the tree the views
  // are in (runtime/rank_service.h); 0: the forest's storage.
  uint64_t rankStore = 0;
};

// A task's region arguments, in requirement order; pooled like the lists
// inside each (one per point of every untraced index launch).
using TaskRegionArgs = PooledVector<TaskRegionArg>;

// What a running C++ task body sees of its task through the SDK
// (ops/sdk_api.cc): a TaskOp, or a point of a replayed trace's graph
// (ops/replay_graph.h), which runs without one.
class RunningTaskView {
 public:
  virtual const std::string& taskName() const = 0;
  virtual ProcessorId processor() const = 0;
  virtual const std::vector<uint8_t>& args() const = 0;
  virtual const std::vector<FuturePtr>& futures() const = 0;
  virtual const TaskPoint& point() const = 0;
  virtual const TaskRegionArgs& regions() const = 0;

 protected:
  ~RunningTaskView() = default;
};

class TaskOp final : public ProcessorTask,
                     public EventWaiter,
                     public RunningTaskView,
                     public std::enable_shared_from_this<TaskOp> {
 public:
  // `id` is a process-unique handle (tables, the JS side); the op's name is
  // (`context`, `position`): see plan/planner.h.
  TaskOp(TaskServices& services, OpId id, const TaskInfo& task, VariantKind variant,
         std::shared_ptr<const std::vector<uint8_t>> args, std::vector<FuturePtr> futures,
         std::shared_ptr<const std::string> context, uint64_t position);
  ~TaskOp() override;

  // Before launch(): more things to wait for, where to run, what to see.
  void setPreconditions(EventList&& events) { preconditions_ = std::move(events); }
  void setPoint(const TaskPoint& p) { point_ = p; }
  void setPinnedWorker(int worker) { pinnedWorker_ = worker; }
  // Runs on another rank: once ready, the task is handed to the transport
  // (TaskServices::dispatchRemote) and finished by the reply (finishRemote).
  void setRemote(uint32_t rank) { remoteRank_ = static_cast<int64_t>(rank); }
  // A remote task its rank maps (Location::mapOnTarget): which mapper, the
  // launch's tag, and whether the launch fixed the variant.
  struct TargetMapping {
    bool enabled = false;
    bool variantForced = false;
    uint32_t mapper = 0;
    uint32_t tag = 0;
  };
  void setTargetMapping(const TargetMapping& m) { targetMapping_ = m; }
  const TargetMapping& targetMapping() const { return targetMapping_; }
  bool isRemote() const { return remoteRank_ >= 0; }
  // Region data the task reads that other ranks hold (runtime/valid_copies.h):
  // brought to where it runs once it is ready, before its body starts.
  // `arrived` (local tasks) fires once they are here.
  void setCopiesIn(std::vector<RegionPiece> pieces, Event arrived) {
    copiesIn_ = std::move(pieces);
    copiesArrived_ = std::move(arrived);
  }
  const std::vector<RegionPiece>& copiesIn() const { return copiesIn_; }
  // Control replication: pieces this shard sends (destination shard, piece)
  // once the task is ready, for the same task running on other shards.
  void setCopiesOut(std::vector<std::pair<uint32_t, RegionPiece>> pieces) { copiesOut_ = std::move(pieces); }
  const std::vector<std::pair<uint32_t, RegionPiece>>& copiesOut() const { return copiesOut_; }
  // A local task's pieces arrived (any thread): on to its processor.
  void regionsFetched();
  uint32_t remoteRank() const { return static_cast<uint32_t>(remoteRank_); }
  int pinnedWorker() const { return pinnedWorker_; }
  int priority() const { return priority_; }
  // Orders it among ready tasks on the pool (the mapper's priority; higher first).
  void setPriority(int priority) { priority_ = priority; }
  void setCounted(bool counted) { counted_ = counted; }
  bool counted() const { return counted_; }
  void setRegions(TaskRegionArgs regions) { regions_ = makePooled<const TaskRegionArgs>(std::move(regions)); }
  // Immutable region views shared by every incarnation of a traced point.
  void setRegions(std::shared_ptr<const TaskRegionArgs> regions) { regions_ = std::move(regions); }
  // Locks held while the body runs (atomic coherence, reductions).
  void setExclusion(std::vector<ExclusionLocks::Key> keys) { exclusion_ = std::move(keys); }
  // The fence epoch of its context: a fence waits for this task too.
  void joinEpoch(const std::shared_ptr<class FenceEpoch>& epoch);

  // Arms the task: it is dispatched once every precondition has fired.
  void launch();

  void eventFired(const FailurePtr& failure) override;
  void run(ProcessorId proc) override;  // the C++ variant, on a worker

  // ProcessorTask, for the JS processor: takes the exclusion locks without
  // blocking (released by completeJs/failJs) and marks the body started.
  uint64_t taskId() const override { return id_; }
  bool tryAcquireLocks() override;
  void markRunning(ProcessorId proc) override;
  // Checking mode: points a subtask's views into this running task's
  // private copies (see CheckedViews::rebase); nothing outside checks.
  void rebaseChild(TaskRegionArgs& childRegions) const;
  // The TS variant reports back (JS thread).
  void completeJs(std::vector<uint8_t> result);
  void failJs(const std::string& message, const std::string& stack);
  // A remote task's reply arrived (any thread): its result, or its failure.
  void finishRemote(FailurePtr failure, std::vector<uint8_t> result) { finish(std::move(failure), std::move(result)); }

  OpId id() const { return id_; }
  // Its name: "7", or "3.2" inside the body of op 3 (same in every run).
  std::string name() const { return result_->name(); }
  OpName opName() const;
  const TaskInfo& task() const { return task_; }
  VariantKind variant() const { return variant_; }
  const FuturePtr& result() const { return result_; }
  const Event& completion() const { return result_->ready(); }
  std::string describe() const;

  // Where the task is, for the pending-task report (any thread may ask):
  // waiting for preconditions, queued on a processor (or for its locks),
  // running (its body started), or done; and for how long, in ms.
  enum class Phase : uint8_t { Waiting, Queued, Running, Done };
  struct Status {
    Phase phase;
    ProcessorId processor;  // meaningful once running
    int64_t msInPhase;
  };
  Status status() const;
  UnfinishedTasks::Hook& unfinishedHook() { return unfinished_; }
  // The runtime's list of finished ops waiting to be destroyed on the
  // issuing thread (see Runtime::retire).
  struct RetiredHook {
    std::shared_ptr<TaskOp> self;
    TaskOp* next = nullptr;
  };
  RetiredHook& retiredHook() { return retired_; }
  const UnfinishedTasks::Hook& unfinishedHook() const { return unfinished_; }

  // Read by the SDK and the JS dispatcher while the task runs.
  // RunningTaskView.
  const std::string& taskName() const override { return task_.name; }
  const std::vector<uint8_t>& args() const override { return *args_; }
  const std::vector<FuturePtr>& futures() const override { return futures_; }
  const TaskPoint& point() const override { return point_; }
  const TaskRegionArgs& regions() const override;
  ProcessorId processor() const override { return processor_; }

 private:
  void dispatch();
  void enterPhase(Phase p);
  void finish(FailurePtr failure, std::vector<uint8_t> result);
  // Checking mode: private copies of the fields, taken before the body and
  // checked (and written back) after it.
  void beginChecked();
  std::string endChecked();

  TaskServices& services_;
  OpId id_;
  const TaskInfo& task_;
  VariantKind variant_;
  std::shared_ptr<const std::vector<uint8_t>> args_;
  std::vector<FuturePtr> futures_;
  EventList preconditions_;
  std::shared_ptr<const TaskRegionArgs> regions_;
  static const TaskRegionArgs& noRegions();
  TaskPoint point_;
  int pinnedWorker_ = -1;
  int64_t remoteRank_ = -1;
  TargetMapping targetMapping_;
  std::vector<RegionPiece> copiesIn_;
  std::vector<std::pair<uint32_t, RegionPiece>> copiesOut_;
  Event copiesArrived_;
  int priority_ = 0;
  bool counted_ = true;  // counts as outstanding (see LaunchOptions::background)
  std::vector<ExclusionLocks::Key> exclusion_;
  std::unique_ptr<class CheckedViews> checked_;
  std::shared_ptr<class FenceEpoch> epoch_;
  ProcessorId processor_ = 0;
  FuturePtr result_;

  std::atomic<int> pending_{0};
  std::mutex failureMutex_;
  FailurePtr predecessorFailure_;
  std::atomic<uint8_t> phase_{static_cast<uint8_t>(Phase::Waiting)};
  std::atomic<int64_t> phaseSinceMs_{0};  // coarse monotonic clock
  UnfinishedTasks::Hook unfinished_;      // Runtime's list (issuing thread only)
  RetiredHook retired_;
};

template <typename F>
void UnfinishedTasks::forEach(F&& f) const {
  for (const TaskOp* op = head_; op; op = op->unfinishedHook().next) f(*op);
}

using TaskOpPtr = std::shared_ptr<TaskOp>;
using SharedBytes = std::shared_ptr<const std::vector<uint8_t>>;
using SharedRegions = std::shared_ptr<const TaskRegionArgs>;

}  // namespace cohort

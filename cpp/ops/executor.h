// The executor: the only code that turns plan entries into running work.
// For every entry it makes the task operation, binds its region views,
// gives it its exclusion keys, its preconditions (the events of the
// operations the entry waits for, the futures, the last fence) and its fence
// epoch, counts it and arms it. Single and index launches, fills, inline
// mappings and trace replays (analyzed and steady iterations alike) all come
// through execute(); fences through fence().
//
// An entry for another rank is checked at exactly one place (checkRemote:
// one process has no transport; subtasks with regions stay on their
// parent's rank), before anything of its launch is issued, and its op is
// marked remote: once ready, the transport sends it (runtime/rank_service.h).
// On rank 0 of several, every top-level entry with regions also goes
// through the valid-copy record (runtime/valid_copies.h), in program order:
// it gets the pieces to bring to its rank and the events to wait for.
#pragma once
#include <memory>
#include <vector>

#include "analysis/plan.h"
#include "analysis/region_requirement.h"
#include "ops/analysis_context.h"
#include "ops/future.h"
#include "ops/task_op.h"
#include "plan/planner.h"

namespace cohort {

class Runtime;

// What one entry runs besides what the entry says.
struct PointWork {
  TaskId task = 0;
  SharedBytes args;
  TaskPoint point;                                   // dim 0 for a single task
  const RegionRequirements* requirements = nullptr;  // bound by the executor...
  SharedRegions bound;                               // ...or bound once already (trace replay)
  EventList waits;                                   // preconditions known as events already
};

struct LaunchWork {
  std::vector<PointWork> points;   // one per entry
  std::vector<FuturePtr> futures;  // every point waits for them
  bool background = false;         // not counted as outstanding (inline mappings)
  // Resolve the entries' waitsForPoints through the context's live operations
  // (false for a steady trace iteration, whose waits are given as events).
  bool resolveWaits = true;
  // Later operations of the context may wait for this launch (it has regions).
  bool recordLive = false;
  bool needDone = false;           // the caller wants LaunchOutcome::done (else only made for recordLive)
  const TaskOp* parent = nullptr;  // the running task issuing it (checking mode shares its copies)
  FenceEpochPtr epoch;             // null: the context's current one
  Event fence;                     // with epoch: the fence to wait for

  // Back to a fresh value, keeping the lists' storage.
  void reset();
};

struct LaunchOutcome {
  std::vector<FuturePtr> results;  // one per entry
  Event done;                      // every entry completed (when asked for)
  std::vector<Event> completions;  // an index launch's, per entry (with done)
};

// What the issuer reuses for single launches, so the hot path allocates no
// request, plan or work lists per launch (issue thread only; see issuer.cc).
struct IssueScratch {
  LaunchRequest request;
  LaunchPlan plan;
  LaunchWork work;
  LaunchOutcome outcome;
  bool inUse = false;
  // Back to empty, keeping the lists' storage.
  void clear();
};

class Executor {
 public:
  Executor(Runtime& rt, uint32_t rank) : rt_(rt), rank_(rank) {}

  // Runs the entries of one launch at `key` (the launch's position) in `ctx`.
  LaunchOutcome execute(const AnalysisContextPtr& ctx, uint64_t key, const std::vector<PlanEntry>& entries,
                        LaunchWork&& work);
  // The same into `out`, whose lists keep their storage (the issue scratch's).
  void execute(const AnalysisContextPtr& ctx, uint64_t key, const std::vector<PlanEntry>& entries, LaunchWork&& work,
               LaunchOutcome& out);

  // An execution fence: everything issued before it in `ctx` finishes before
  // anything issued after it starts. Resolves when the earlier work is done.
  FuturePtr fence(AnalysisContext& ctx, const PlanEntry& entry);

  // This process's rank, once the transport knows it.
  void setRank(uint32_t rank) { rank_ = rank; }

 private:
  // Throws unless `entry` (placed on another rank) can be sent there.
  void checkRemote(const PlanEntry& entry, const PointWork& work, const AnalysisContext& ctx) const;

  Runtime& rt_;
  uint32_t rank_;
  std::vector<TaskOpPtr> startScratch_;
};

// When `done` fires, the context learns that `op` completed.
void reportCompletion(const AnalysisContextPtr& ctx, OpId op, const Event& done);
// The locks an entry of `ctx` holds while it runs.
std::vector<ExclusionLocks::Key> exclusionKeysOf(const PlanEntry& e, const AnalysisContext& ctx);

}  // namespace cohort

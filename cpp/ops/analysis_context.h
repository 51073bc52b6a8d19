// The issue pipeline of one parent context (the top level, or a running TS
// task that launches subtasks): its dependence analyzer, the completion
// events of its live operations, and the last execution fence. Operations
// launched in a context depend only on earlier operations of the same
// context; a parent is complete only after its children (Legion's model),
// so its own entry in its parent's context covers them. A failed operation
// is never absorbed: operations issued after it completed wait on its
// poisoned event and fail, exactly as those issued while it ran.
// Issue-thread only, except noteCompleted (any thread).
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analysis/dependence_analyzer.h"
#include "events/event.h"
#include "events/event_list.h"
#include "ops/fence_epoch.h"

namespace cohort {

class Trace;

class AnalysisContext {
 public:
  // `owner`: the task whose body issues into this context (0: top level),
  // `ownerName` its name (empty at the top level).
  AnalysisContext(const RegionForest& forest, OpId owner, OpName ownerName = {})
      : analyzer_(forest),
        owner_(owner),
        ownerName_(std::move(ownerName)),
        prefix_(ownerName_.path.empty() ? nullptr : std::make_shared<const std::string>(ownerName_.toString())) {}

  OpId owner() const { return owner_; }

  // Names (see plan/planner.h): positions in program order, from 1. The
  // first of `n` consecutive positions.
  uint64_t reservePositions(uint64_t n) {
    const uint64_t first = nextPosition_;
    nextPosition_ += n;
    return first;
  }
  // For the plan log: `op` (a replayed launch the analyzer knows) also
  // stands for `others` (its deferred incarnations), so an entry waiting
  // for it is logged as waiting for them all.
  void addAlias(OpId op, const std::vector<OpId>& others) {
    auto& list = aliases_[op];
    list.insert(list.end(), others.begin(), others.end());
  }
  // The names of what `points` stand for (PointRef::position), aliases expanded.
  std::vector<OpName> namesOf(const PooledVector<PointRef>& points) const;

  // The position the next operation will take.
  uint64_t nextPosition() const { return nextPosition_; }
  // The name of the operation at `position` in this context.
  OpName nameOf(uint64_t position) const {
    OpName n = ownerName_;
    n.path.push_back(position);
    return n;
  }
  // "3.2" for the context of op 3.2; null at the top level (names there
  // are just positions).
  const std::shared_ptr<const std::string>& prefix() const { return prefix_; }

  DependenceAnalyzer& analyzer() { return analyzer_; }

  // Tells the analyzer about every operation that finished since the last
  // call, so later operations stop examining or waiting for them. Not while
  // `keep` (the plan is being recorded): which operations finished before a
  // launch depends on timing, and a recorded plan must not.
  void absorbCompletions(bool keep) {
    if (!keep) absorbCompletions();
  }
  void absorbCompletions();

  // The events of the points in `points` whose operations are still live
  // (or failed): a point of a live index launch is its own event (until the
  // launch is remapped), anything else the operation's.
  void appendEvents(const PooledVector<PointRef>& points, EventList& out) const;

  // Registers an issued operation whose completion other operations of this
  // context may wait for; `points`: an index launch's per-point completions.
  void recordLive(OpId op, Event completion, std::vector<Event> points = {}) {
    live_.emplace(op, LiveOp{std::move(completion), std::move(points)});
  }

  // Called when an operation of this context completed (any thread).
  void noteCompleted(OpId op);

  // The operations issued since the last fence join this epoch.
  const FenceEpochPtr& epoch() const { return epoch_; }
  // Starts a new epoch; the event fires when the old one's operations completed.
  Event sealEpoch() {
    FenceEpochPtr sealed = std::move(epoch_);
    epoch_ = std::make_shared<FenceEpoch>();
    Event done = sealed->done();
    sealed->arrive();
    return done;
  }

  const Event& fence() const { return fence_; }
  void setFence(Event e) { fence_ = std::move(e); }

  // Tracing: the trace being recorded (launches are recorded as issued).
  const std::shared_ptr<Trace>& recording() const { return recording_; }
  void setRecording(std::shared_ptr<Trace> t) { recording_ = std::move(t); }
  // A pinned operation stays live in the analyzer even after it completed
  // (a replayed trace stands behind it); its live event can be replaced by
  // a later incarnation's.
  void pin(OpId op) { pinned_.insert(op); }
  void unpin(OpId op);
  // Returns false when `op` is not live (nothing to remap).
  bool remapLive(OpId op, Event latest);

 private:
  DependenceAnalyzer analyzer_;
  OpId owner_;
  OpName ownerName_;
  std::shared_ptr<const std::string> prefix_;
  uint64_t nextPosition_ = 1;
  std::unordered_map<OpId, std::vector<OpId>> aliases_;
  struct LiveOp {
    Event done;
    std::vector<Event> points;  // index launches: per point (row-major); empty otherwise or once remapped
  };
  std::unordered_map<OpId, LiveOp> live_;
  Event fence_;
  FenceEpochPtr epoch_ = std::make_shared<FenceEpoch>();
  std::shared_ptr<Trace> recording_;
  std::unordered_set<OpId> pinned_;
  std::mutex inboxMutex_;
  std::vector<OpId> inbox_;
};

using AnalysisContextPtr = std::shared_ptr<AnalysisContext>;

}  // namespace cohort

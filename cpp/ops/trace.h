// Tracing: a loop body issued again and again is recorded once and
// replayed without going back to JS for every launch.
//
// rt.trace(body) issues the body normally while recording every launch as
// issued (after mapping: variants and workers fixed, requirements already
// projected per point), and where each future a launch waits for comes
// from: made before the trace (fixed), the result of an earlier launch of
// the body, or a reduction of such results. replay(n) issues the body n
// more times from C++, each incarnation with its own futures.
//
// The first replayed iterations are analyzed as usual, and their plans are
// rewritten as "point i of launch q waits for launch q' of this iteration
// or of the previous one". Once two consecutive analyzed iterations give
// the same rewritten plan, the plan is steady and later iterations are
// created straight from it: no analysis, no mapper calls, no JS.
//
// Steady iterations are a deferred run: they are issued as the issue window
// allows (continueDeferred, called again by the JS side when the run's
// unfinished iterations drop to half the window), not all at once. The last iteration of every replay is analyzed at
// once, so the analyzer's state is what a fresh run would leave and later work is ordered after the replay. The
// analyzer knows the body by the last analyzed iteration's op ids; while a run is deferred, each of those ids stands
// for a placeholder event that fires when that launch's every incarnation in the run has completed — not just the
// newest, since a reduction or an atomic launch does not wait for its previous incarnation.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/plan.h"
#include "analysis/region_requirement.h"
#include "ops/executor.h"
#include "ops/future.h"
#include "ops/replay_graph.h"
#include "ops/task_op.h"
#include "plan/launch_description.h"
#include "runtime/runtime.h"

namespace cohort {

// Where a future a traced launch waits for comes from.
struct TracedFuture {
  enum class Kind : uint8_t { Fixed, Launch, Reduction };
  Kind kind = Kind::Fixed;
  FuturePtr fixed;        // Fixed: made before the trace; the same every time
  uint32_t position = 0;  // Launch: the body's launch; Reduction: its index
  uint32_t point = 0;     // Launch: the point (row-major; 0 for a single launch)
};

// One point of a recorded launch, as it was issued. The record is its
// launch description (plan/launch_description.h: task identity, location,
// name, point, arguments, requirements with exact rects), the same value a
// launch sent to another rank will be; futures are not in it (they are
// resolved per incarnation, see TracedFuture). The rest is derived from it
// once, so replays issue without decoding anything.
struct TracedPoint {
  LaunchDescription description;
  TaskId task = 0;
  SharedBytes args;
  TaskPoint point;
  RegionRequirements regions;  // projected for this point
  SharedRegions bound;         // views bound once, shared by every replayed incarnation
};

struct TracedLaunch {
  bool index = false;
  Domain domain;
  std::vector<FuturePtr> futures;  // as issued (recording); shared by the points
  std::vector<TracedPoint> points;
};

class Trace {
 public:
  // Recording (called by the issuer while the trace is being captured).
  // `results` are the launch's futures, one per point.
  void record(TracedLaunch launch, OpId key, Event done, const std::vector<FuturePtr>& results);
  // A reduction of futures issued while recording (FutureMap reductions).
  void recordReduction(const std::vector<FuturePtr>& inputs, RedopId redop, const std::string& label,
                       const FuturePtr& out);
  void finishRecording() { produced_.clear(); }

  // Issues the body `times` more times; steady iterations only while fewer
  // than `windowLimit` tasks are outstanding (0: no limit), the rest by
  // continueDeferred. The future resolves when every iteration has
  // completed (rejects if any of their tasks failed).
  FuturePtr replay(Runtime& rt, const AnalysisContextPtr& ctx, uint32_t times, uint64_t windowLimit);
  // Issues deferred steady iterations while the window allows (about
  // `windowLimit` of their tasks unfinished; 0: no limit). Returns true
  // while some remain; then `resume` resolves when it is time to call again.
  bool continueDeferred(Runtime& rt, uint64_t windowLimit, FuturePtr& resume);
  bool hasDeferred() const { return !deferred_.empty(); }

  size_t launches() const { return body_.size(); }
  // The recorded body: launch q's points.
  const std::vector<TracedPoint>& recorded(size_t q) const { return body_[q].points; }
  bool steady() const { return steady_; }
  uint32_t analyzedIterations() const { return analyzed_; }
  uint32_t replayedIterations() const { return replayed_; }
  // Of those, the ones run as a graph iteration (no op per point).
  uint32_t graphIterations() const { return graphIterations_; }

 private:
  struct Dep {
    uint32_t position;
    uint32_t back;   // 0: this iteration, 1: the previous one
    uint32_t point;  // the point of that launch, or kWholeOperation (see PointRef)
    bool operator==(const Dep& o) const { return position == o.position && back == o.back && point == o.point; }
  };
  struct PointPlan {
    std::vector<Dep> deps;
    PooledVector<PointRef> external;  // operations from before the trace
    PooledVector<ExclusionKey> exclusion;
    bool operator==(const PointPlan& o) const {
      return deps == o.deps && external == o.external && exclusion == o.exclusion;
    }
  };
  using IterationPlan = std::vector<std::vector<PointPlan>>;  // [launch][point]
  struct Incarnation {
    OpId key = 0;
    Event done;
    std::vector<Event> points;       // an index launch's per point (empty: wait for done)
    std::vector<FuturePtr> results;  // per point, kept only when the body reads them
    const Event& completionOf(uint32_t point) const { return point < points.size() ? points[point] : done; }
  };
  using Iteration = std::vector<Incarnation>;  // [launch]
  struct TracedReduction {
    std::vector<TracedFuture> inputs;
    RedopId redop = 0;
    std::string label;
  };
  // Steady iterations not issued yet, and what they wait for outside the
  // run (defined in trace.cc).
  struct DeferredRun;

  Iteration issueAnalyzed(Runtime& rt, const AnalysisContextPtr& ctx, IterationPlan& plan);
  // Fills `cur` (reusing its lists' storage) with the iteration at `base`.
  void issueSteady(Runtime& rt, DeferredRun& run, uint64_t base, Iteration& cur);
  // The same, as a GraphIteration of graph_ (no op per point).
  void issueGraph(Runtime& rt, DeferredRun& run, uint64_t base, Iteration& cur);
  // The steady plan as a ReplayGraph, or null when some point needs an op
  // (see ops/replay_graph.h for what qualifies).
  ReplayGraphPtr graphOf(Runtime& rt);
  std::shared_ptr<DeferredRun> deferSteady(Runtime& rt, const AnalysisContextPtr& ctx, uint32_t count);
  static void notePending(DeferredRun& run, size_t q, const Event& done);
  static void finishDeferred(Runtime& rt, DeferredRun& run);
  TracedFuture sourceOf(const FuturePtr& f) const;
  // The futures launch q of the iteration `cur` (being issued) waits for.
  std::vector<FuturePtr> futuresFor(size_t q, const Iteration& cur, std::vector<FuturePtr>& reduced) const;
  FuturePtr resolve(const TracedFuture& f, const Iteration& cur, std::vector<FuturePtr>& reduced) const;
  Incarnation incarnation(size_t q, OpId key, LaunchOutcome& out) const;
  void fillIncarnation(size_t q, OpId key, const LaunchOutcome& out, Incarnation& inc) const;
  // Launch q's plan entries at `key`, waiting for nothing yet.
  std::vector<PlanEntry> entriesFor(size_t q, uint64_t key) const;
  // Positions one iteration takes, and launch q's offset among them.
  uint64_t positionsPerIteration() const;
  uint64_t offsetOf(size_t q) const;
  // A point the analyzer returned, as (position, 1, point) in the previous
  // iteration, or external (issued before the trace).
  Dep translate(const PointRef& ref, bool& external) const;

  std::vector<TracedLaunch> body_;
  std::vector<std::vector<TracedFuture>> sources_;  // [launch]: where its futures come from
  std::vector<TracedReduction> reductions_;
  std::vector<bool> resultsRead_;  // [launch]: a later launch of the body reads its futures
  std::unordered_map<const FutureImpl*, std::pair<FuturePtr, TracedFuture>> produced_;  // recording only
  Iteration newest_;  // the newest issued iteration (the recorded one first)
  IterationPlan lastPlan_;
  IterationPlan steadyPlan_;
  std::vector<std::vector<PlanEntry>> steadyEntries_;  // [launch]: steadyPlan_'s entries, made once
  ReplayGraphPtr graph_;                               // steadyPlan_ as a graph, once looked at (null: not eligible)
  bool graphChecked_ = false;                          // graph_ is up to date with steadyPlan_
  bool steady_ = false;
  uint32_t analyzed_ = 0;
  uint32_t replayed_ = 0;
  uint32_t graphIterations_ = 0;
  Iteration lastAnalyzed_;  // the ids the analyzer knows the body by
  LaunchWork steadyWork_;   // a steady launch's work and outcome, storage reused
  LaunchOutcome steadyOutcome_;
  std::deque<std::shared_ptr<DeferredRun>> deferred_;  // oldest first
};

using TracePtr = std::shared_ptr<Trace>;

}  // namespace cohort

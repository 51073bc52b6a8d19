// Tracing: a loop body issued again and again is recorded once and
// replayed without going back to JS for every launch.
//
// rt.trace(body) issues the body normally while recording every launch as
// issued (after mapping: variants and workers fixed, requirements already
// projected per point). replay(n) issues it n more times from C++. The
// first replayed iterations are analyzed as usual, and their plans are
// rewritten as "point i of launch q waits for launch q' of this iteration
// or k iterations back". Once two consecutive analyzed iterations give the
// same rewritten plan, the plan is steady and later iterations are created
// straight from it: no analysis, no mapper calls, no JS. Afterwards the
// analyzer's records of the last analyzed iteration are pointed at the
// latest iteration's completion events, so later launches wait for the
// right operations. A body whose plan never settles is simply analyzed
// every time (correct, just slower).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "analysis/plan.h"
#include "analysis/region_requirement.h"
#include "ops/future.h"
#include "ops/task_op.h"
#include "runtime/runtime.h"

namespace cohort {

// One point of a recorded launch, as it was issued.
struct TracedPoint {
  TaskId task = 0;
  SharedBytes args;
  std::vector<FuturePtr> futures;
  LaunchOptions options;  // variant and worker as the mapper chose them
  TaskPoint point;
  std::vector<RegionRequirement> regions;  // projected for this point
  SharedRegions bound;  // views bound once, shared by every replayed incarnation
};

struct TracedLaunch {
  bool index = false;
  Domain domain;
  std::vector<TracedPoint> points;
};

class Trace {
 public:
  // Recording (called by the issuer while the trace is being captured).
  void record(TracedLaunch launch, OpId key, Event done);

  // Issues the body `times` more times; the future resolves when the last
  // iteration has completed (rejects if any of its tasks failed).
  FuturePtr replay(Runtime& rt, AnalysisContext& ctx, const AnalysisContextPtr& ctxPtr, uint32_t times);

  size_t launches() const { return body_.size(); }
  bool steady() const { return steady_; }
  uint32_t analyzedIterations() const { return analyzed_; }
  uint32_t replayedIterations() const { return replayed_; }

 private:
  struct Dep {
    uint32_t position;
    uint32_t back;  // 0: this iteration
    bool operator==(const Dep& o) const { return position == o.position && back == o.back; }
  };
  struct PointPlan {
    std::vector<Dep> deps;
    std::vector<OpId> external;  // operations from before the trace
    std::vector<ExclusionLocks::Key> exclusion;
    bool operator==(const PointPlan& o) const {
      return deps == o.deps && external == o.external && exclusion == o.exclusion;
    }
  };
  using IterationPlan = std::vector<std::vector<PointPlan>>;  // [launch][point]
  struct Incarnation {
    OpId key = 0;
    Event done;
  };
  using Iteration = std::vector<Incarnation>;  // [launch]

  Iteration issueAnalyzed(Runtime& rt, AnalysisContext& ctx, const AnalysisContextPtr& ctxPtr, IterationPlan& plan);
  Iteration issueSteady(Runtime& rt, AnalysisContext& ctx);
  // An op id the analyzer returned, as (position, 1) in the previous
  // iteration, or external (issued before the trace).
  Dep translate(OpId id, bool& external) const;

  std::vector<TracedLaunch> body_;
  std::deque<Iteration> history_;  // newest last; the recorded one first
  IterationPlan lastPlan_;
  IterationPlan steadyPlan_;
  bool steady_ = false;
  uint32_t analyzed_ = 0;
  uint32_t replayed_ = 0;
  Iteration lastAnalyzed_;  // the ids the analyzer knows the body by
  static constexpr size_t kMaxBack = 4;
};

using TracePtr = std::shared_ptr<Trace>;

}  // namespace cohort

#include "ops/trace.h"

#include "cohort/value.hpp"
#include "ops/issuer.h"
#include "ops/region_args.h"
#include "util/error.h"

namespace cohort {

void Trace::record(TracedLaunch launch, OpId key, Event done) {
  body_.push_back(std::move(launch));
  if (history_.empty()) history_.emplace_back();
  history_.back().push_back(Incarnation{key, std::move(done)});
  lastAnalyzed_ = history_.back();
}

Trace::Dep Trace::translate(OpId id, bool& external) const {
  external = false;
  for (size_t q = 0; q < lastAnalyzed_.size(); ++q)
    if (lastAnalyzed_[q].key == id) return Dep{static_cast<uint32_t>(q), 1};
  external = true;
  return Dep{0, 0};
}

Trace::Iteration Trace::issueAnalyzed(Runtime& rt, AnalysisContext& ctx, const AnalysisContextPtr& ctxPtr,
                                      IterationPlan& plan) {
  Iteration cur(body_.size());
  plan.assign(body_.size(), {});
  for (size_t q = 0; q < body_.size(); ++q) {
    const TracedLaunch& L = body_[q];
    OpId key = rt.nextOpId();
    std::vector<PlanEntry> entries;
    bool analyzed = false;
    for (const auto& p : L.points) analyzed = analyzed || !p.regions.empty();
    if (analyzed) {
      std::vector<PointRequirements> prs;
      prs.reserve(L.points.size());
      for (const auto& p : L.points) {
        PointRequirements pr;
        pr.point = L.index ? Point::filled(p.point.dim, 0) : Point(0);
        for (int d = 0; d < p.point.dim; ++d) pr.point[d] = p.point.point[d];
        pr.requirements = p.regions;
        prs.push_back(std::move(pr));
      }
      entries = L.index ? ctx.analyzer().analyzeIndexLaunch(key, prs, "replayed trace launch")
                        : std::vector<PlanEntry>{ctx.analyzer().analyzeOperation(key, prs[0].requirements, "replayed trace launch")};
    }
    plan[q].resize(L.points.size());
    std::vector<Event> completions;
    std::vector<TaskOpPtr> ops;
    for (size_t i = 0; i < L.points.size(); ++i) {
      const TracedPoint& tp = L.points[i];
      TaskOpPtr op = rt.createTask(tp.task, tp.args, tp.futures, tp.options);
      op->setPoint(tp.point);
      op->setLaunch(key);
      PointPlan& pp = plan[q][i];
      if (analyzed) {
        const PlanEntry& e = entries[i];
        std::vector<Event> waits;
        ctx.appendEvents(e.waitsFor, waits);
        for (auto& w : waits) op->addPrecondition(std::move(w));
        for (OpId id : e.waitsFor) {
          bool external = false;
          Dep d = translate(id, external);
          // Ops of this very iteration issued earlier count as back 0.
          bool sameIteration = false;
          for (size_t r = 0; r < q; ++r)
            if (cur[r].key == id) {
              pp.deps.push_back(Dep{static_cast<uint32_t>(r), 0});
              sameIteration = true;
            }
          if (sameIteration) continue;
          if (external) pp.external.push_back(id);
          else pp.deps.push_back(d);
        }
        pp.exclusion = exclusionKeysOf(e);
        std::vector<TaskRegionArg> args;
        for (const auto& req : tp.regions) args.push_back(bindRegion(rt.forest(), req));
        op->setRegions(std::move(args));
        op->setExclusion(pp.exclusion);
      }
      if (ctx.fence().exists()) op->addPrecondition(ctx.fence());
      completions.push_back(op->completion());
      ops.push_back(std::move(op));
    }
    Event done = L.index ? Event::merge(completions) : completions[0];
    if (analyzed) {
      ctx.recordLive(key, done);
      reportCompletion(ctxPtr, key, done);
    }
    cur[q] = Incarnation{key, done};
    for (auto& op : ops) rt.start(op);
  }
  return cur;
}

Trace::Iteration Trace::issueSteady(Runtime& rt, AnalysisContext& ctx) {
  Iteration cur(body_.size());
  for (size_t q = 0; q < body_.size(); ++q) {
    TracedLaunch& L = body_[q];
    std::vector<Event> completions;
    completions.reserve(L.points.size());
    std::vector<TaskOpPtr> ops;
    ops.reserve(L.points.size());
    for (size_t i = 0; i < L.points.size(); ++i) {
      TracedPoint& tp = L.points[i];
      const PointPlan& pp = steadyPlan_[q][i];
      TaskOpPtr op = rt.createTask(tp.task, tp.args, tp.futures, tp.options);
      op->setPoint(tp.point);
      for (const Dep& d : pp.deps) {
        const Iteration& it = d.back == 0 ? cur : history_[history_.size() - d.back];
        op->addPrecondition(it[d.position].done);
      }
      if (!pp.external.empty()) {
        std::vector<Event> waits;
        ctx.appendEvents(pp.external, waits);
        for (auto& w : waits) op->addPrecondition(std::move(w));
      }
      if (!tp.regions.empty()) {
        if (!tp.bound) {
          std::vector<TaskRegionArg> args;
          args.reserve(tp.regions.size());
          for (const auto& req : tp.regions) args.push_back(bindRegion(rt.forest(), req));
          tp.bound = std::make_shared<const std::vector<TaskRegionArg>>(std::move(args));
        }
        op->setRegions(tp.bound);
        op->setExclusion(pp.exclusion);
      }
      if (ctx.fence().exists()) op->addPrecondition(ctx.fence());
      completions.push_back(op->completion());
      ops.push_back(std::move(op));
    }
    cur[q] = Incarnation{0, L.index ? Event::merge(completions) : completions[0]};
    for (auto& op : ops) rt.start(op);
  }
  return cur;
}

FuturePtr Trace::replay(Runtime& rt, AnalysisContext& ctx, const AnalysisContextPtr& ctxPtr, uint32_t times) {
  if (body_.empty()) throw Error("trace.replay: the traced body launched nothing");
  rt.drainRetired();
  ctx.absorbCompletions();
  for (const auto& inc : lastAnalyzed_) ctx.pin(inc.key);
  for (uint32_t it = 0; it < times; ++it) {
    bool last = it + 1 == times;
    Iteration cur;
    if (steady_ && !last) {
      cur = issueSteady(rt, ctx);
      ++replayed_;
    } else {
      // The analyzer knows the body by the last analyzed iteration's ids:
      // make them stand for the latest incarnation before analyzing again.
      for (size_t q = 0; q < lastAnalyzed_.size(); ++q)
        ctx.remapLive(lastAnalyzed_[q].key, history_.back()[q].done);
      IterationPlan plan;
      cur = issueAnalyzed(rt, ctx, ctxPtr, plan);
      if (!steady_ && analyzed_ >= 1 && plan == lastPlan_) {
        steady_ = true;
        steadyPlan_ = plan;
      } else if (steady_ && !(plan == steadyPlan_)) {
        steady_ = false;  // the body's dependences changed: analyze again
      }
      lastPlan_ = std::move(plan);
      ++analyzed_;
      for (const auto& inc : lastAnalyzed_) ctx.unpin(inc.key);
      lastAnalyzed_ = cur;
      for (const auto& inc : lastAnalyzed_) ctx.pin(inc.key);
    }
    history_.push_back(std::move(cur));
    while (history_.size() > kMaxBack + 1) history_.pop_front();
  }
  // The replay's future: the last iteration's completion.
  std::vector<Event> finals;
  for (const auto& inc : history_.back()) finals.push_back(inc.done);
  auto out = std::make_shared<FutureImpl>("replayed trace");
  Event::merge(finals).subscribe(makeWaiter([out](const FailurePtr& f) {
    if (f) out->reject(f);
    else out->resolve({static_cast<uint8_t>(ValueTag::Undefined)});
  }));
  return out;
}

}  // namespace cohort

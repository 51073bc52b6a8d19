#include "ops/issuer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "cohort/value.hpp"
#include "mapping/placement.h"
#include "ops/executor.h"
#include "ops/parent_privileges.h"
#include "ops/region_args.h"
#include "ops/trace.h"
#include "plan/planner.h"
#include "util/error.h"

namespace cohort {

namespace {

std::string labelFor(const TaskInfo& info, const AnalysisContext& ctx, uint64_t position) {
  return "task '" + info.name + "' (op #" + ctx.nameOf(position).toString() + ")";
}

EntryKind kindOf(const Runtime& rt, TaskId task) {
  if (task == rt.fillTask()) return EntryKind::Fill;
  if (task == rt.inlineMapTask()) return EntryKind::InlineMap;
  return EntryKind::Task;
}

// The record of one traced point: its launch description, and what a replay
// issues from (derived once).
TracedPoint tracedPoint(Runtime& rt, const AnalysisContext& ctx, uint64_t position, const PointWork& p,
                        const Location& where, const RegionRequirements& regions, const Domain& domain) {
  TracedPoint tp;
  LaunchDescription& d = tp.description;
  d.task = rt.tasks().get(p.task).identity();
  d.where = where;
  d.name = ctx.nameOf(position);
  if (p.point.dim > 0) {
    d.point = Point::filled(p.point.dim, 0);
    for (int k = 0; k < p.point.dim; ++k) d.point[k] = p.point.point[k];
    d.domain = domain;
  }
  d.args = *p.args;
  d.requirements = describeRequirements(rt.forest(), regions);
  tp.task = p.task;
  tp.args = p.args;
  tp.point = p.point;
  tp.regions = regions;
  return tp;
}

}  // namespace

void beginTrace(Runtime& rt, OpId parent) {
  const AnalysisContextPtr& ctx = rt.context(parent);
  if (ctx->recording()) throw Error("trace: a trace is already being recorded; traces do not nest");
  ctx->setRecording(std::make_shared<Trace>());
}

TracePtr endTrace(Runtime& rt, OpId parent) {
  const AnalysisContextPtr& ctx = rt.context(parent);
  TracePtr t = ctx->recording();
  ctx->setRecording(nullptr);
  if (!t) throw Error("trace: no trace is being recorded");
  t->finishRecording();
  return t;
}

namespace {

// The runtime's scratch, or a fresh one when it is taken (a launch from
// inside a mapper callback of another launch); cleared on the way out.
class ScratchLease {
 public:
  explicit ScratchLease(IssueScratch& shared) : s_(&shared) {
    if (shared.inUse) s_ = &fallback_.emplace();
    s_->inUse = true;
  }
  ~ScratchLease() { s_->clear(); }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  IssueScratch& get() { return *s_; }

 private:
  std::optional<IssueScratch> fallback_;
  IssueScratch* s_;
};

}  // namespace

FuturePtr issueTask(Runtime& rt, SingleLaunch&& launch) {
  rt.checkRunning("launch");
  rt.drainRetired();
  const AnalysisContextPtr& ctx = rt.context(launch.parent);
  ctx->absorbCompletions(rt.planLog().enabled());
  const TaskInfo& info = rt.tasks().get(launch.task);
  const TaskOp* parent = rt.runningJsTask(launch.parent);
  if (parent) checkWithinParent(rt.forest(), *parent, launch.regions, "task '" + info.name + "'");
  ScratchLease lease(rt.issueScratch());
  IssueScratch& scratch = lease.get();
  LaunchRequest& request = scratch.request;
  request.kind = kindOf(rt, launch.task);
  request.task = &info;
  request.index = false;
  request.mapper = launch.mapper;
  request.tag = launch.tag;
  request.options = launch.options;
  request.points.resize(1);
  request.points[0].point = Point(0);
  request.points[0].requirements = std::move(launch.regions);
  request.mapping = &launch.mapping;
  request.nested = launch.parent != 0;
  // Names are taken only once planning succeeded: a refused launch uses none.
  const uint64_t position = ctx->nextPosition();
  // The label names the launch in analysis errors only: no string for a
  // launch without regions (the hot path of small tasks).
  if (!request.points[0].requirements.empty()) request.label = labelFor(info, *ctx, position);
  LaunchPlan& plan = scratch.plan;
  rt.planner().planLaunch(ctx->analyzer(), position, request, plan);
  ctx->reservePositions(1);

  LaunchWork& work = scratch.work;
  work.points.resize(1);
  PointWork& p = work.points[0];
  p.task = launch.task;
  p.args = launch.args ? std::move(launch.args) : rt.recentArgs().intern(nullptr, 0);
  p.requirements = &request.points[0].requirements;
  work.futures = std::move(launch.futures);
  work.background = launch.options.background;
  work.recordLive = plan.analyzed;
  work.parent = parent;
  const bool recording = static_cast<bool>(ctx->recording());
  work.needDone = recording;
  LaunchOutcome& out = scratch.outcome;
  if (!recording) {
    rt.executor().execute(ctx, position, plan.entries, std::move(work), out);
    return std::move(out.results[0]);
  }
  TracedLaunch traced;
  traced.futures = work.futures;
  traced.points.push_back(
      tracedPoint(rt, *ctx, position, p, plan.entries[0].where, request.points[0].requirements, Domain()));
  rt.executor().execute(ctx, position, plan.entries, std::move(work), out);
  ctx->recording()->record(std::move(traced), position, out.done, out.results);
  return std::move(out.results[0]);
}

std::vector<FuturePtr> issueIndexLaunch(Runtime& rt, IndexLaunch&& launch) {
  rt.checkRunning("launch");
  rt.drainRetired();
  const AnalysisContextPtr& ctx = rt.context(launch.parent);
  ctx->absorbCompletions(rt.planLog().enabled());
  std::vector<Point> points = pointsOf(launch.domain);
  if (!launch.pointArgs.empty() && launch.pointArgs.size() != points.size())
    throw Error("index launch: " + std::to_string(launch.pointArgs.size()) + " per-point arguments for " +
                std::to_string(points.size()) + " points");
  const TaskInfo& info = rt.tasks().get(launch.task);
  const uint64_t position = ctx->nextPosition();
  LaunchRequest request;
  request.task = &info;
  request.index = true;
  request.domain = launch.domain;
  request.mapper = launch.mapper;
  request.tag = launch.tag;
  request.options = launch.options;
  request.label = "index launch of " + labelFor(info, *ctx, position) + " over " + launch.domain.toString();
  request.mapping = &launch.mapping;
  request.nested = launch.parent != 0;
  request.points.resize(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    PointRequirements& pr = request.points[i];
    pr.point = points[i];
    if (launch.regions.empty()) continue;
    pr.requirements.reserve(launch.regions.size());
    for (const auto& lr : launch.regions) pr.requirements.push_back(lr.at(points[i]));
  }
  const TaskOp* parent = rt.runningJsTask(launch.parent);
  if (parent && !launch.regions.empty())
    for (const auto& pr : request.points)
      checkWithinParent(rt.forest(), *parent, pr.requirements, request.label + ", point " + pr.point.toString());
  LaunchPlan plan = rt.planner().planLaunch(ctx->analyzer(), position, request);
  ctx->reservePositions(Planner::positionsOf(request));

  // One argument buffer for every point (unless given per point).
  SharedBytes sharedArgs = launch.args ? std::move(launch.args) : rt.recentArgs().intern(nullptr, 0);
  const bool recording = static_cast<bool>(ctx->recording());
  LaunchWork work;
  work.futures = std::move(launch.futures);
  work.background = launch.options.background;
  work.recordLive = plan.analyzed;
  work.needDone = recording;
  work.parent = parent;
  work.points.resize(points.size());
  TracedLaunch traced;
  traced.index = true;
  traced.domain = launch.domain;
  if (recording) traced.futures = work.futures;
  for (size_t i = 0; i < points.size(); ++i) {
    PointWork& p = work.points[i];
    p.task = launch.task;
    p.args = launch.pointArgs.empty() ? sharedArgs
                                      : std::make_shared<const std::vector<uint8_t>>(std::move(launch.pointArgs[i]));
    TaskPoint& tp = p.point;
    tp.dim = points[i].dim;
    for (int d = 0; d < tp.dim; ++d) {
      tp.point[d] = points[i][d];
      tp.lo[d] = launch.domain.lo[d];
      tp.hi[d] = launch.domain.hi[d];
    }
    if (!launch.regions.empty()) p.requirements = &request.points[i].requirements;
    if (recording)
      traced.points.push_back(tracedPoint(rt, *ctx, position + 1 + i, p, plan.entries[i].where,
                                          request.points[i].requirements, launch.domain));
  }
  LaunchOutcome out = rt.executor().execute(ctx, position, plan.entries, std::move(work));
  if (recording) ctx->recording()->record(std::move(traced), position, out.done, out.results);
  return std::move(out.results);
}

FuturePtr issueFence(Runtime& rt, OpId parent) {
  const AnalysisContextPtr& ctx = rt.context(parent);
  if (ctx->recording()) throw Error("fence: an execution fence cannot be part of a trace");
  ctx->absorbCompletions(rt.planLog().enabled());
  return rt.executor().fence(*ctx, Planner::planFence(ctx->reservePositions(1)));
}

FuturePtr reduceFutures(const std::vector<FuturePtr>& inputs, RedopId redop, const std::string& label) {
  if (redop < kRedopSum || redop > kRedopMax)
    throw Error(label + ": reduction operator #" + std::to_string(redop) +
                " is not a built-in (sum, product, min, max)");
  auto out = std::make_shared<FutureImpl>(label);
  std::vector<Event> events;
  events.reserve(inputs.size());
  for (const auto& f : inputs) events.push_back(f->ready());
  Event all = Event::merge(events);
  all.subscribe(makeWaiter([inputs, redop, out, label](const FailurePtr& failure) {
    if (failure) {
      out->reject(failure);
      return;
    }
    double acc = redop == kRedopSum       ? 0.0
                 : redop == kRedopProduct ? 1.0
                 : redop == kRedopMin     ? std::numeric_limits<double>::infinity()
                                          : -std::numeric_limits<double>::infinity();
    try {
      for (const auto& f : inputs) {
        double v = Value::decode(f->bytes().data(), f->bytes().size()).asNumber();
        switch (redop) {
          case kRedopSum: acc += v; break;
          case kRedopProduct: acc *= v; break;
          case kRedopMin: acc = std::min(acc, v); break;
          default: acc = std::max(acc, v); break;
        }
      }
    } catch (const std::exception& e) {
      out->reject(makeFailure(std::string("reducing the point results: ") + e.what(), "", label));
      return;
    }
    Encoder enc;
    enc.number(acc);
    out->resolve(enc.take());
  }));
  return out;
}

}  // namespace cohort

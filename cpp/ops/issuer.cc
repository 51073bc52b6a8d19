#include "ops/issuer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cohort/value.hpp"
#include "mapping/placement.h"
#include "ops/parent_privileges.h"
#include "ops/region_args.h"
#include "ops/trace.h"
#include "util/error.h"

namespace cohort {

namespace {

std::string labelFor(const TaskInfo& info, OpId op) {
  return "task '" + info.name + "' (op #" + std::to_string(op) + ")";
}

}  // namespace

std::vector<ExclusionLocks::Key> exclusionKeysOf(const PlanEntry& e, const AnalysisContext& ctx) {
  std::vector<ExclusionLocks::Key> keys;
  keys.reserve(e.exclusionKeys.size());
  for (const auto& k : e.exclusionKeys) keys.emplace_back(k.tree, k.field, ctx.owner());
  return keys;
}

void reportCompletion(const AnalysisContextPtr& ctx, OpId op, const Event& done) {
  std::weak_ptr<AnalysisContext> weak = ctx;
  done.subscribe(makeWaiter([weak, op](const FailurePtr&) {
    if (auto c = weak.lock()) c->noteCompleted(op);
  }));
}

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

FuturePtr issueTask(Runtime& rt, SingleLaunch&& launch) {
  rt.drainRetired();
  const AnalysisContextPtr& ctx = rt.context(launch.parent);
  ctx->absorbCompletions();
  const TaskInfo& info = rt.tasks().get(launch.task);
  if (const TaskOp* parent = rt.runningJsTask(launch.parent))
    checkWithinParent(rt.forest(), *parent, launch.regions, "task '" + info.name + "'");
  // Mapping first: a bad mapper answer fails this launch and issues nothing.
  MappableTask mt;
  mt.task = &info;
  mt.tag = launch.tag;
  mt.input = &launch.mapping;
  Mapper& mapper = info.internal ? rt.mappers().builtinDefault() : rt.mappers().get(launch.mapper);
  MappingContext mc{mapper, info.internal ? 0 : launch.mapper, rt.machine(), rt.sharding()};
  LaunchPlacement placement = placeSingle(mc, mt);
  LaunchOptions opts = launch.options;
  if (opts.variant < 0) opts.variant = static_cast<int>(placement.points[0].variant);
  if (opts.pinnedWorker < 0 && opts.variant == static_cast<int>(VariantKind::Cpp)) opts.pinnedWorker = placement.points[0].worker;
  TracedLaunch traced;
  if (ctx->recording()) {
    traced.futures = launch.futures;
    traced.points.push_back(TracedPoint{launch.task, std::make_shared<const std::vector<uint8_t>>(launch.args),
                                        opts, TaskPoint{}, launch.regions, nullptr});
  }
  TaskOpPtr op = rt.createTask(launch.task, std::move(launch.args), std::move(launch.futures), opts);
  op->joinEpoch(ctx->epoch());
  std::vector<Event> waits;
  if (!launch.regions.empty()) {
    PlanEntry entry = ctx->analyzer().analyzeOperation(op->id(), launch.regions, op->describe());
    ctx->appendEvents(entry.waitsFor, waits);
    std::vector<TaskRegionArg> args;
    args.reserve(launch.regions.size());
    for (const auto& req : launch.regions) args.push_back(bindRegion(rt.forest(), req));
    if (const TaskOp* parent = rt.runningJsTask(launch.parent)) parent->rebaseChild(args);
    op->setRegions(std::move(args));
    op->setExclusion(exclusionKeysOf(entry, *ctx));
    ctx->recordLive(op->id(), op->completion());
    reportCompletion(ctx, op->id(), op->completion());
  }
  if (ctx->fence().exists()) waits.push_back(ctx->fence());
  for (auto& e : waits) op->addPrecondition(std::move(e));
  if (ctx->recording()) ctx->recording()->record(std::move(traced), op->id(), op->completion(), {op->result()});
  rt.start(op);
  return op->result();
}

std::vector<FuturePtr> issueIndexLaunch(Runtime& rt, IndexLaunch&& launch) {
  rt.drainRetired();
  const AnalysisContextPtr& ctx = rt.context(launch.parent);
  ctx->absorbCompletions();
  std::vector<Point> points = pointsOf(launch.domain);
  if (!launch.pointArgs.empty() && launch.pointArgs.size() != points.size())
    throw Error("index launch: " + std::to_string(launch.pointArgs.size()) + " per-point arguments for " +
                std::to_string(points.size()) + " points");
  const TaskInfo& info = rt.tasks().get(launch.task);
  OpId launchId = rt.nextOpId();
  std::string label = "index launch of " + labelFor(info, launchId) + " over " + launch.domain.toString();

  // Mapping first: a bad mapper answer fails this launch and issues nothing.
  MappableTask mt;
  mt.task = &info;
  mt.launchId = launchId;
  mt.isIndexLaunch = true;
  mt.launchDomain = launch.domain;
  mt.tag = launch.tag;
  mt.input = &launch.mapping;
  MappingContext mc{rt.mappers().get(launch.mapper), launch.mapper, rt.machine(), rt.sharding()};
  LaunchPlacement placement = placeIndex(mc, mt, points);

  std::vector<PlanEntry> plan;
  std::vector<PointRequirements> projected;
  if (!launch.regions.empty()) {
    projected.reserve(points.size());
    for (const Point& p : points) {
      PointRequirements pr;
      pr.point = p;
      pr.requirements.reserve(launch.regions.size());
      for (const auto& lr : launch.regions) pr.requirements.push_back(lr.at(p));
      projected.push_back(std::move(pr));
    }
    if (const TaskOp* parent = rt.runningJsTask(launch.parent))
      for (const auto& pr : projected)
        checkWithinParent(rt.forest(), *parent, pr.requirements, label + ", point " + pr.point.toString());
    plan = ctx->analyzer().analyzeIndexLaunch(launchId, projected, label);
  }

  // One argument buffer for every point (unless given per point).
  SharedBytes sharedArgs = std::make_shared<const std::vector<uint8_t>>(std::move(launch.args));
  TracedLaunch traced;
  traced.index = true;
  traced.domain = launch.domain;
  if (ctx->recording()) traced.futures = launch.futures;
  std::vector<TaskOpPtr> ops;
  ops.reserve(points.size());
  std::vector<FuturePtr> futures;
  futures.reserve(points.size());
  std::vector<Event> completions;
  completions.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    LaunchOptions opts = launch.options;
    const PointPlacement& pp = placement.points[i];
    if (opts.variant < 0) opts.variant = static_cast<int>(pp.variant);
    if (opts.pinnedWorker < 0 && opts.variant == static_cast<int>(VariantKind::Cpp)) opts.pinnedWorker = pp.worker;
    SharedBytes args = launch.pointArgs.empty()
                           ? sharedArgs
                           : std::make_shared<const std::vector<uint8_t>>(std::move(launch.pointArgs[i]));
    if (ctx->recording()) {
      TracedPoint tp{launch.task, args, opts, TaskPoint{}, {}, nullptr};
      if (!projected.empty()) tp.regions = projected[i].requirements;
      traced.points.push_back(std::move(tp));
    }
    TaskOpPtr op = rt.createTask(launch.task, args, launch.futures, opts);
    op->joinEpoch(ctx->epoch());
    TaskPoint tp;
    tp.dim = points[i].dim;
    for (int d = 0; d < tp.dim; ++d) {
      tp.point[d] = points[i][d];
      tp.lo[d] = launch.domain.lo[d];
      tp.hi[d] = launch.domain.hi[d];
    }
    op->setPoint(tp);
    op->setLaunch(launchId);
    if (ctx->recording()) traced.points.back().point = tp;
    if (!plan.empty()) {
      std::vector<Event> waits;
      ctx->appendEvents(plan[i].waitsFor, waits);
      for (auto& e : waits) op->addPrecondition(std::move(e));
      std::vector<TaskRegionArg> regionArgs;
      regionArgs.reserve(projected[i].requirements.size());
      for (const auto& req : projected[i].requirements) regionArgs.push_back(bindRegion(rt.forest(), req));
      if (const TaskOp* parent = rt.runningJsTask(launch.parent)) parent->rebaseChild(regionArgs);
      op->setRegions(std::move(regionArgs));
      op->setExclusion(exclusionKeysOf(plan[i], *ctx));
    }
    if (ctx->fence().exists()) op->addPrecondition(ctx->fence());
    completions.push_back(op->completion());
    futures.push_back(op->result());
    ops.push_back(std::move(op));
  }
  if (!plan.empty() || ctx->recording()) {
    Event done = Event::merge(completions);
    if (!plan.empty()) {
      ctx->recordLive(launchId, done);
      reportCompletion(ctx, launchId, done);
    }
    if (ctx->recording()) ctx->recording()->record(std::move(traced), launchId, done, futures);
  }
  for (auto& op : ops) rt.start(op);
  return futures;
}

FuturePtr issueFence(Runtime& rt, OpId parent) {
  const AnalysisContextPtr& ctx = rt.context(parent);
  if (ctx->recording()) throw Error("fence: an execution fence cannot be part of a trace");
  ctx->absorbCompletions();
  // Every operation issued since the previous fence, with or without regions.
  std::vector<Event> before{ctx->sealEpoch()};
  if (ctx->fence().exists()) before.push_back(ctx->fence());
  Event all = Event::merge(before);
  // Failures before the fence do not fail it: the fence is about order.
  Event fence = Event::create();
  auto future = std::make_shared<FutureImpl>("execution fence");
  all.subscribe(makeWaiter([fence, future](const FailurePtr&) {
    fence.trigger();
    future->resolve({static_cast<uint8_t>(ValueTag::Undefined)});
  }));
  ctx->setFence(fence);
  return future;
}

FuturePtr reduceFutures(const std::vector<FuturePtr>& inputs, RedopId redop, const std::string& label) {
  if (redop < kRedopSum || redop > kRedopMax)
    throw Error(label + ": reduction operator #" + std::to_string(redop) + " is not a built-in (sum, product, min, max)");
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
    double acc = redop == kRedopSum ? 0.0
               : redop == kRedopProduct ? 1.0
               : redop == kRedopMin ? std::numeric_limits<double>::infinity()
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

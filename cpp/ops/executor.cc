#include "ops/executor.h"

#include "cohort/value.hpp"
#include "ops/region_args.h"
#include "runtime/rank_service.h"
#include "runtime/runtime.h"
#include "util/error.h"

namespace cohort {

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

void LaunchWork::reset() {
  // Field by field: a fresh PointWork (its inline event list) costs more
  // than the handful of fields a launch sets. The executor moved the waits out.
  for (auto& p : points) {
    p.task = 0;
    p.args.reset();
    p.point = TaskPoint{};
    p.requirements = nullptr;
    p.bound.reset();
    p.waits.clear();
  }
  futures.clear();
  background = false;
  resolveWaits = true;
  recordLive = false;
  needDone = false;
  parent = nullptr;
  epoch.reset();
  fence = Event();
}

void IssueScratch::clear() {
  // Fresh values everywhere, but the lists keep their storage.
  std::vector<PointRequirements> points = std::move(request.points);
  for (auto& p : points) p.requirements.clear();
  request = LaunchRequest{};
  request.points = std::move(points);
  work.reset();
  outcome.results.clear();
  outcome.done = Event();
  outcome.completions.clear();
  inUse = false;
}

void Executor::checkRemote(const PlanEntry& entry, const PointWork& work, const AnalysisContext& ctx) const {
  // The one place an entry leaves this rank: checked before anything of its
  // launch is issued.
  if (!rt_.ranks() || entry.where.rank >= rt_.rankCount())
    throw Error(std::string("plan entry ") + entryKindName(entry.kind) + " at position " + std::to_string(entry.op) +
                " belongs to rank " + std::to_string(entry.where.rank) + ", but this process is rank " +
                std::to_string(rank_) +
                (rt_.ranks() ? " of " + std::to_string(rt_.rankCount()) : " and has no transport to other ranks"));
  const TaskInfo& info = rt_.tasks().get(work.task);
  // Replicated, only the shard running a task issues its subtasks.
  if (ctx.owner() != 0 && rt_.ranks()->replicated())
    throw Error("task '" + info.name + "' (position " + std::to_string(entry.op) + ") was placed on rank " +
                std::to_string(entry.where.rank) +
                " from inside another task: under control replication a task's subtasks run on its rank " +
                std::to_string(rank_));
  // Region data moves with top-level launches; a task's subtasks use its
  // own views, which are on its rank.
  if (ctx.owner() != 0 && ((work.requirements && !work.requirements->empty()) || (work.bound && !work.bound->empty())))
    throw Error("task '" + info.name + "' (position " + std::to_string(entry.op) + ") was placed on rank " +
                std::to_string(entry.where.rank) +
                " with region requirements from inside another task: subtasks that use regions run on their "
                "parent's rank " +
                std::to_string(rank_));
  if (info.internal) throw Error("the runtime's own task '" + info.name + "' cannot run on another rank");
}

LaunchOutcome Executor::execute(const AnalysisContextPtr& ctx, uint64_t key, const std::vector<PlanEntry>& entries,
                                LaunchWork&& work) {
  LaunchOutcome out;
  execute(ctx, key, entries, std::move(work), out);
  return out;
}

void Executor::execute(const AnalysisContextPtr& ctxPtr, uint64_t key, const std::vector<PlanEntry>& entries,
                       LaunchWork&& work, LaunchOutcome& out) {
  AnalysisContext& ctx = *ctxPtr;
  // Before anything is issued: an entry this rank cannot run fails the launch whole.
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].where.rank != rank_) checkRemote(entries[i], work.points[i], ctx);
  // Rank 0 of several records where region data is and what must move.
  ValidCopies* copies = ctx.owner() == 0 && rt_.tracksRegionCopies() ? &rt_.ranks()->validCopies() : nullptr;
  const bool replicated = rt_.ranks() && rt_.ranks()->replicated();
  const FenceEpochPtr& epoch = work.epoch ? work.epoch : ctx.epoch();
  const Event& fence = work.epoch ? work.fence : ctx.fence();
  PlanLog& log = rt_.planLog();
  out.results.clear();
  out.done = Event();
  out.results.reserve(entries.size());
  // Completions only when someone waits for the launch as a whole; ops are
  // started once all are made (a bad binding fails the launch before any
  // runs). A single task needs no list for either.
  const bool wantDone = work.recordLive || work.needDone;
  std::vector<Event>& completions = out.completions;
  completions.clear();
  if (wantDone) completions.reserve(entries.size());
  TaskOpPtr first;
  // The ops after the first, in a list whose storage is reused (a nested
  // execute, should there be one, finds it taken and makes its own).
  std::vector<TaskOpPtr> more = std::move(startScratch_);
  more.clear();
  if (entries.size() > 1) more.reserve(entries.size() - 1);
  for (size_t i = 0; i < entries.size(); ++i) {
    const PlanEntry& e = entries[i];
    PointWork& p = work.points[i];
    const TaskInfo& info = rt_.tasks().get(p.task);
    const bool index = e.kind == EntryKind::IndexPoint;
    const uint64_t position = index ? key + 1 + i : key;
    auto op = makePooled<TaskOp>(rt_, rt_.nextOpId(), info, e.where.variant, std::move(p.args),
                                 entries.size() == 1 ? std::move(work.futures) : work.futures, ctx.prefix(), position);
    if (e.where.rank != rank_) {
      // The target rank numbers its workers from 0.
      op->setRemote(e.where.rank);
      const auto first = static_cast<int>(rt_.firstProcessorOf(e.where.rank));
      if (e.where.mapOnTarget)
        op->setTargetMapping({true, e.where.variantForced, e.where.mapper, e.where.tag});
      else if (e.where.variant == VariantKind::Cpp && e.where.processor >= first)
        op->setPinnedWorker(e.where.processor - first);
    } else if (e.where.variant == VariantKind::Cpp) {
      // Machine ids: this rank's workers may come after other ranks' (a
      // replicated shard's machine lists every rank).
      const int32_t first = e.where.processor > 0 && rt_.rankCount() > 1 ? rt_.firstProcessorOf(rank_) : 0;
      op->setPinnedWorker(e.where.processor < 0 ? -1 : e.where.processor - first);
    }
    op->setPriority(e.where.priority);
    op->setCounted(!work.background);
    op->joinEpoch(epoch);
    if (index) op->setPoint(p.point);
    // One list of preconditions, built in place: the given events, the
    // context's for the entry's waits, then the fence.
    EventList waits = std::move(p.waits);
    if (work.resolveWaits) ctx.appendEvents(e.waitsForPoints, waits);
    if (p.bound) {
      op->setRegions(p.bound);
      op->setExclusion(exclusionKeysOf(e, ctx));
    } else if (p.requirements && !p.requirements->empty()) {
      TaskRegionArgs args;
      args.reserve(p.requirements->size());
      for (const auto& req : *p.requirements) args.push_back(bindRegion(rt_.forest(), req));
      if (work.parent) work.parent->rebaseChild(args);
      op->setRegions(std::move(args));
      op->setExclusion(exclusionKeysOf(e, ctx));
    }
    if (copies && !op->regions().empty()) {
      // A remote task's copies are in when it completes (that is when rank
      // 0 hears of it); a local one's when its fetch is (an event made only
      // if it brings anything).
      const bool local = e.where.rank == rank_;
      // Replicated, the runtime's own tasks (fills, inline mappings) run on
      // every shard: each brings what it lacks and sends what others lack.
      const bool everywhere = replicated && info.internal;
      Event arrived = local ? Event() : op->completion();
      std::vector<RegionPiece> pieces;
      std::vector<std::pair<uint32_t, RegionPiece>> pushes;
      for (const TaskRegionArg& a : op->regions()) {
        const RectList rects = rectsOf(a);
        for (FieldId f : a.fieldIds) {
          if (everywhere)
            copies->useEverywhere(rank_, a.tree, f, rects, a.privilege, op->completion(), arrived, pieces, pushes,
                                  waits);
          else
            copies->use(e.where.rank, a.tree, f, rects, a.privilege, op->completion(), arrived, pieces, waits);
        }
      }
      if (!pieces.empty()) op->setCopiesIn(std::move(pieces), local ? std::move(arrived) : Event());
      if (!pushes.empty()) op->setCopiesOut(std::move(pushes));
    }
    // Replicated: the other shards wait for the outcome of a task this one owns.
    if (replicated && e.where.rank == rank_ && !info.internal && ctx.owner() == 0) rt_.ranks()->shards().publish(op);
    if (fence.exists()) waits.push_back(fence);
    op->setPreconditions(std::move(waits));
    if (log.enabled()) {
      log.add(ctx.nameOf(position), e, ctx.namesOf(e.waitsForPoints), info.name);
    }
    if (wantDone) completions.push_back(op->completion());
    out.results.push_back(op->result());
    if (first)
      more.push_back(std::move(op));
    else
      first = std::move(op);
  }
  if (wantDone) out.done = completions.size() == 1 ? completions[0] : Event::merge(completions);
  const bool index = !entries.empty() && entries[0].kind == EntryKind::IndexPoint;
  if (work.recordLive) {
    ctx.recordLive(key, out.done, index ? completions : std::vector<Event>{});
    reportCompletion(ctxPtr, key, out.done);
  }
  if (!(work.needDone && index)) completions.clear();  // given only to an index launch's caller who asked
  if (first) rt_.start(first);
  for (auto& op : more) rt_.start(op);
  more.clear();
  startScratch_ = std::move(more);
}

FuturePtr Executor::fence(AnalysisContext& ctx, const PlanEntry& entry) {
  if (rt_.planLog().enabled()) rt_.planLog().add(ctx.nameOf(entry.op), entry, {}, "");
  // Every operation issued since the previous fence, with or without regions.
  std::vector<Event> before{ctx.sealEpoch()};
  if (ctx.fence().exists()) before.push_back(ctx.fence());
  Event all = Event::merge(before);
  // Failures before the fence do not fail it: the fence is about order.
  Event fence = Event::create();
  auto future = std::make_shared<FutureImpl>("execution fence");
  all.subscribe(makeWaiter([fence, future](const FailurePtr&) {
    fence.trigger();
    future->resolve({static_cast<uint8_t>(ValueTag::Undefined)});
  }));
  ctx.setFence(fence);
  return future;
}

}  // namespace cohort

#include "mapping/placement.h"

#include "util/error.h"

namespace cohort {

namespace {

const char* variantName(int v) { return v == static_cast<int>(VariantKind::Cpp) ? "cpp" : "ts"; }

// Prefix of every error: which mapper, which callback, which task.
std::string where(const MappingContext& ctx, const char* callback, const MappableTask& t) {
  return "mapper '" + ctx.mapper.name() + "' (id " + std::to_string(ctx.mapperId) + "), " + callback + ", task '" +
         t.task->name + "'" + (t.hasPoint ? " point " + t.point.toString() : std::string());
}

// Brackets one placement for the mapper (Mapper::beginPlacement), also
// when a callback or a validation throws.
class PlacementScope {
 public:
  explicit PlacementScope(Mapper& m) : mapper_(m) { mapper_.beginPlacement(); }
  ~PlacementScope() { mapper_.endPlacement(); }
  PlacementScope(const PlacementScope&) = delete;
  PlacementScope& operator=(const PlacementScope&) = delete;

 private:
  Mapper& mapper_;
};

template <typename F>
void call(const MappingContext& ctx, const char* callback, const MappableTask& t, F f) {
  try {
    f();
  } catch (const std::exception& e) {
    throw Error(where(ctx, callback, t) + ": the callback threw: " + e.what());
  }
}

void checkProcessor(const MappingContext& ctx, const char* callback, const MappableTask& t, int proc,
                    const char* what) {
  if (proc == kAnyProcessor) return;
  if (!ctx.machine.exists(proc))
    throw Error(where(ctx, callback, t) + ": " + what + " " + std::to_string(proc) +
                " does not exist; the machine has " + ctx.machine.describe());
}

// Validates one mapTask answer and turns it into a placement.
PointPlacement placeWith(const MappingContext& ctx, const MappableTask& t, const TaskOptions& opts, int sliceProc,
                         const MapTaskOutput& out) {
  PointPlacement p;
  p.rank = ctx.machine.localRank;
  int variant = out.variant;
  if (variant < 0) variant = static_cast<int>((opts.inlineTask || !t.task->cpp) ? VariantKind::Js : VariantKind::Cpp);
  if (variant != static_cast<int>(VariantKind::Cpp) && variant != static_cast<int>(VariantKind::Js))
    throw Error(where(ctx, "mapTask", t) + ": unknown variant " + std::to_string(variant));
  bool has = variant == static_cast<int>(VariantKind::Cpp) ? t.task->cpp != nullptr : t.task->js != nullptr;
  if (!has)
    throw Error(where(ctx, "mapTask", t) + ": chose variant '" + variantName(variant) + "', which task '" +
                t.task->name + "' lacks (it has " +
                (t.task->cpp && t.task->js ? "cpp and ts"
                 : t.task->cpp             ? "only cpp"
                                           : "only ts") +
                ")");
  if (opts.inlineTask && variant != static_cast<int>(VariantKind::Js))
    throw Error(where(ctx, "mapTask", t) + ": chose variant '" + variantName(variant) +
                "', but selectTaskOptions asked to run the task inline (its TS variant on the issuing JS processor)");
  p.variant = static_cast<VariantKind>(variant);
  p.priority = out.priority;
  ProcessorKind needed = p.variant == VariantKind::Cpp ? ProcessorKind::Cpu : ProcessorKind::Js;
  for (int proc : out.targetProcessors) {
    // -1 means "any" elsewhere; in a list of processors it names none.
    if (proc == kAnyProcessor)
      throw Error(where(ctx, "mapTask", t) +
                  ": target processor -1 is not a processor id; targetProcessors lists ids " +
                  "of the machine's processors (leave it out to let the runtime choose); the machine has " +
                  ctx.machine.describe());
    checkProcessor(ctx, "mapTask", t, proc, "target processor");
    if (proc != kAnyProcessor && ctx.machine.processors[static_cast<size_t>(proc)].kind != needed)
      throw Error(
          where(ctx, "mapTask", t) + ": target processor " + std::to_string(proc) + " is " +
          (needed == ProcessorKind::Cpu ? "the JS processor, which cannot run" : "a CPU worker, which cannot run") +
          " variant '" + variantName(variant) + "'");
  }
  // Processors chosen earlier (selectTaskOptions, sliceTask) must suit the
  // variant too: a mismatch is the mapper's mistake, not something to ignore.
  auto mustSuit = [&](int proc, const char* callback, const char* what) {
    if (proc == kAnyProcessor || !out.targetProcessors.empty()) return;
    if (ctx.machine.processors[static_cast<size_t>(proc)].kind != needed)
      throw Error(where(ctx, callback, t) + ": " + what + " " + std::to_string(proc) + " is " +
                  (needed == ProcessorKind::Cpu ? "the JS processor" : "a CPU worker") +
                  ", which cannot run variant '" + variantName(variant) + "' (chosen by mapTask)");
  };
  mustSuit(sliceProc, "sliceTask", "slice processor");
  if (sliceProc == kAnyProcessor) mustSuit(opts.targetProcessor, "selectTaskOptions", "target processor");
  int chosen = !out.targetProcessors.empty() ? out.targetProcessors[0] : sliceProc;
  if (chosen == kAnyProcessor) chosen = opts.targetProcessor;
  if (p.variant == VariantKind::Cpp) p.worker = chosen;
  // A processor chosen on another rank places the task on that rank; inline
  // means the issuing rank's JS processor.
  if (opts.inlineTask) {
    p.rank = ctx.machine.localRank;
    p.rankChosen = true;
  } else if (chosen != kAnyProcessor) {
    p.rank = ctx.machine.processors[static_cast<size_t>(chosen)].rank;
    p.rankChosen = true;
  }
  return p;
}

PointPlacement mapOne(const MappingContext& ctx, const MappableTask& t, const TaskOptions& opts, int sliceProc) {
  MapTaskOutput out;
  call(ctx, "mapTask", t, [&] { ctx.mapper.mapTask(t, ctx.machine, out); });
  return placeWith(ctx, t, opts, sliceProc, out);
}

TaskOptions selectOptions(const MappingContext& ctx, const MappableTask& t) {
  TaskOptions opts;
  call(ctx, "selectTaskOptions", t, [&] { ctx.mapper.selectTaskOptions(t, ctx.machine, opts); });
  checkProcessor(ctx, "selectTaskOptions", t, opts.targetProcessor, "target processor");
  if (opts.inlineTask && !t.task->js)
    throw Error(where(ctx, "selectTaskOptions", t) + ": asked to run inline on the issuing (JS) processor, but task '" +
                t.task->name + "' has no TS variant");
  // Control replication comes in a later issue: refused, never ignored
  // (replicateTask is not asked, so no answer of it can be dropped).
  if (opts.replicate)
    throw Error(where(ctx, "selectTaskOptions", t) +
                ": replicate: true is not supported yet: control replication (replicateTask, shards over ranks) "
                "comes in a later issue; run the task unreplicated");
  return opts;
}

}  // namespace

Location locationOf(const PointPlacement& p, const Machine& m) {
  Location l;
  l.rank = p.rank;
  l.variant = p.variant;
  l.priority = p.priority;
  if (p.variant == VariantKind::Cpp) {
    l.processor = p.worker;
  } else {
    for (const ProcessorInfo& proc : m.processors)
      if (proc.kind == ProcessorKind::Js && proc.rank == p.rank) l.processor = static_cast<int32_t>(proc.id);
  }
  return l;
}

PointPlacement placeSingle(const MappingContext& ctx, const MappableTask& t) {
  PlacementScope scope(ctx.mapper);
  TaskOptions opts = selectOptions(ctx, t);
  PointPlacement p = mapOne(ctx, t, opts, kAnyProcessor);
  if (ctx.replicated && !ctx.nested && !p.rankChosen && !t.task->internal) p.rank = 0;
  return p;
}

LaunchPlacement placeIndex(const MappingContext& ctx, const MappableTask& t, const std::vector<Point>& points) {
  LaunchPlacement out;
  if (ctx.mapper.isBuiltinDefault() && ctx.machine.ranks == 1) {
    // Every point: the preferred variant, any worker, shard 0.
    PointPlacement p;
    p.variant = t.task->cpp ? VariantKind::Cpp : VariantKind::Js;
    p.rank = ctx.machine.localRank;
    out.points.assign(points.size(), p);
    return out;
  }
  PlacementScope scope(ctx.mapper);
  TaskOptions opts = selectOptions(ctx, t);

  std::vector<TaskSlice> slices;
  call(ctx, "sliceTask", t, [&] { ctx.mapper.sliceTask(t, t.launchDomain, ctx.machine, slices); });
  // Coverage: every point of the domain exactly once.
  const Domain& dom = t.launchDomain;
  std::vector<int> owner(points.size(), -2);  // -2: uncovered
  auto linear = [&](const Point& p) {
    uint64_t idx = 0;
    for (int d = 0; d < dom.dim(); ++d)
      idx = idx * static_cast<uint64_t>(dom.extent(d)) + static_cast<uint64_t>(p[d] - dom.lo[d]);
    return idx;
  };
  for (size_t s = 0; s < slices.size(); ++s) {
    const TaskSlice& sl = slices[s];
    checkProcessor(ctx, "sliceTask", t, sl.processor, ("slice " + std::to_string(s) + " processor").c_str());
    if (sl.domain.dim() != dom.dim() || !dom.contains(sl.domain))
      throw Error(where(ctx, "sliceTask", t) + ": slice " + std::to_string(s) + " " + sl.domain.toString() +
                  " is not inside the launch domain " + dom.toString());
    for (const Point& p : pointsOf(sl.domain)) {
      int& o = owner[linear(p)];
      if (o != -2)
        throw Error(where(ctx, "sliceTask", t) + ": slices " + std::to_string(o) + " and " + std::to_string(s) +
                    " both cover point " + p.toString());
      o = static_cast<int>(s);
    }
  }
  for (size_t i = 0; i < points.size(); ++i)
    if (owner[i] == -2)
      throw Error(where(ctx, "sliceTask", t) + ": the slices leave point " + points[i].toString() + " of " +
                  dom.toString() + " uncovered");

  // Sharding: which shard, so which rank, owns each point (one shard per
  // rank; on one rank every valid answer is rank 0).
  ShardingOutput sh;
  call(ctx, "selectShardingFunctor", t, [&] { ctx.mapper.selectShardingFunctor(t, ctx.machine, sh); });
  if (!ctx.sharding.has(sh.functor))
    throw Error(where(ctx, "selectShardingFunctor", t) + ": sharding functor " + std::to_string(sh.functor) +
                " is not registered");
  bool computeShards = ctx.machine.ranks > 1 || sh.functor > kBlockSharding;

  out.points.reserve(points.size());
  PointPlacement shared;
  bool perPoint = ctx.mapper.mapsEachPoint();
  std::vector<MapTaskOutput> answers;
  if (perPoint) {
    // One call for all points; an error names its point itself.
    call(ctx, "mapTask", t, [&] { ctx.mapper.mapPoints(t, points, ctx.machine, answers); });
    if (answers.size() != points.size())
      throw Error(where(ctx, "mapTask", t) + ": answered for " + std::to_string(answers.size()) + " of " +
                  std::to_string(points.size()) + " points");
  } else {
    shared = mapOne(ctx, t, opts, kAnyProcessor);
  }
  for (size_t i = 0; i < points.size(); ++i) {
    int sliceProc = slices[static_cast<size_t>(owner[i])].processor;
    PointPlacement p;
    if (perPoint) {
      MappableTask pt = t;
      pt.point = points[i];
      pt.hasPoint = true;
      p = placeWith(ctx, pt, opts, sliceProc, answers[i]);
    } else {
      p = shared;
      if (sliceProc != kAnyProcessor) {
        ProcessorKind needed = p.variant == VariantKind::Cpp ? ProcessorKind::Cpu : ProcessorKind::Js;
        if (ctx.machine.processors[static_cast<size_t>(sliceProc)].kind != needed)
          throw Error(where(ctx, "sliceTask", t) + ": slice processor " + std::to_string(sliceProc) + " is " +
                      (needed == ProcessorKind::Cpu ? "the JS processor" : "a CPU worker") +
                      ", which cannot run variant '" + variantName(static_cast<int>(p.variant)) + "'");
        if (p.variant == VariantKind::Cpp) p.worker = sliceProc;
        p.rank = ctx.machine.processors[static_cast<size_t>(sliceProc)].rank;
        p.rankChosen = true;
      }
    }
    // The sharding functor owns the point unless the mapper put it on a
    // processor (of some rank) itself.
    if (computeShards) {
      uint32_t shard = ctx.sharding.shardOf(sh.functor, points[i], dom, ctx.machine.ranks);
      // A running task's subtasks with regions see its views, which are on
      // this rank: they stay unless the mapper chose otherwise (which the
      // executor refuses, naming the task).
      const bool hasRegions = t.input && !t.input->regions.empty();
      // Replicated, a task's subtasks run on its shard: only it issues them.
      if (!p.rankChosen) p.rank = ctx.nested && (hasRegions || ctx.replicated) ? ctx.machine.localRank : shard;
      // Mapped on its rank: this rank's answer said any processor (the
      // target's mapper gives processor, variant and priority).
      if (!p.rankChosen && !opts.mapLocally && p.rank != ctx.machine.localRank) p.mapOnTarget = true;
    }
    out.points.push_back(p);
  }
  return out;
}

}  // namespace cohort

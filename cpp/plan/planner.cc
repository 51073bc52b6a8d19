#include "plan/planner.h"

#include "util/error.h"

namespace cohort {

namespace {

int32_t firstLocalProcessor(const Machine& machine) {
  if (machine.ranks == 1) return 0;
  for (const ProcessorInfo& p : machine.processors)
    if (p.rank == machine.localRank) return static_cast<int32_t>(p.id);
  return 0;
}

// The variant and worker of one point: the program's explicit choice wins
// over the mapper's; both must exist.
Location locate(const TaskInfo& info, const LaunchOptions& options, const PointPlacement& placed,
                const Machine& machine, uint32_t jsProcessor) {
  Location where;
  where.variant = options.variant < 0 ? placed.variant : static_cast<VariantKind>(options.variant);
  if (where.variant == VariantKind::Cpp && !info.cpp) throw Error("task '" + info.name + "' has no C++ variant");
  if (where.variant == VariantKind::Js && !info.js) throw Error("task '" + info.name + "' has no TypeScript variant");
  const int workers = static_cast<int>(machine.processors.size()) - 1;  // the last one is the JS processor
  if (options.pinnedWorker < -1 || options.pinnedWorker >= workers)
    throw Error("task '" + info.name + "': worker " + std::to_string(options.pinnedWorker) +
                " does not exist (there are " + std::to_string(workers) + ")");
  if (where.variant == VariantKind::Js) {
    where.processor = static_cast<int32_t>(jsProcessor);
  } else {
    // Processor ids of the machine: a launch's worker option counts this
    // rank's workers from 0, which come after the earlier ranks' processors
    // in a replicated shard's machine.
    where.processor = options.pinnedWorker >= 0 ? options.pinnedWorker + firstLocalProcessor(machine) : placed.worker;
  }
  where.priority = placed.priority;
  where.rank = placed.rank;  // one shard per rank
  if (placed.mapOnTarget) {
    where.mapOnTarget = true;
    where.variantForced = options.variant >= 0;
  }
  return where;
}

}  // namespace

LaunchPlan Planner::planLaunch(DependenceAnalyzer& analyzer, uint64_t position, const LaunchRequest& request) const {
  LaunchPlan plan;
  planLaunch(analyzer, position, request, plan);
  return plan;
}

void Planner::planLaunch(DependenceAnalyzer& analyzer, uint64_t position, const LaunchRequest& request,
                         LaunchPlan& plan) const {
  const TaskInfo& info = *request.task;
  // Mapping first: a bad mapper answer fails this launch and plans nothing.
  MappableTask mt;
  mt.task = &info;
  mt.launchId = position;
  mt.tag = request.tag;
  mt.input = request.mapping;
  Mapper& mapper = info.internal ? mappers_.builtinDefault() : mappers_.get(request.mapper);
  MappingContext mc{mapper, info.internal ? 0 : request.mapper, machine_, sharding_, request.nested, replicated_};
  LaunchPlacement placement;  // an index launch's
  PointPlacement single;
  if (request.index) {
    mt.isIndexLaunch = true;
    mt.launchDomain = request.domain;
    std::vector<Point> points;
    points.reserve(request.points.size());
    for (const auto& p : request.points) points.push_back(p.point);
    placement = placeIndex(mc, mt, points);
  } else {
    single = placeSingle(mc, mt);
  }
  // Locations are fixed (and checked) before the analysis: a refused launch
  // leaves the analyzer untouched.
  plan.position = position;
  plan.entries.clear();
  plan.entries.resize(request.points.size());
  for (size_t i = 0; i < plan.entries.size(); ++i) {
    PlanEntry& e = plan.entries[i];
    e.kind = request.index ? EntryKind::IndexPoint : request.kind;
    e.task = info.id;
    e.op = position;
    e.pointIndex = static_cast<uint32_t>(i);
    e.point = request.points[i].point;
    e.where = locate(info, request.options, request.index ? placement.points[i] : single, machine_, jsProcessor_);
    if (e.where.mapOnTarget) {
      e.where.mapper = request.mapper;
      e.where.tag = request.tag;
    }
  }
  bool anyRegions = false;
  for (const auto& p : request.points) anyRegions = anyRegions || !p.requirements.empty();
  plan.analyzed = anyRegions;
  if (!anyRegions) return;
  std::vector<PlanEntry> analysis =
      request.index
          ? analyzer.analyzeIndexLaunch(position, request.points, request.label)
          : std::vector<PlanEntry>{analyzer.analyzeOperation(position, request.points[0].requirements, request.label)};
  for (size_t i = 0; i < plan.entries.size(); ++i) adoptAnalysis(plan.entries[i], std::move(analysis[i]));
}

PlanEntry Planner::planFence(uint64_t position) {
  PlanEntry e;
  e.kind = EntryKind::Fence;
  e.op = position;
  return e;
}

}  // namespace cohort

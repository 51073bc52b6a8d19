// The mapper interface: every placement decision for a task is made by a
// mapper. The runtime calls these while issuing a launch, on the issuing
// thread, before anything of the launch is analyzed or started, and
// validates every answer (see mapping/mapper_validation.h).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/region_requirement.h"
#include "data/geometry.h"
#include "mapping/machine.h"
#include "registry/task_registry.h"

namespace cohort {

using MapperId = uint32_t;
using ShardingId = uint32_t;
constexpr int kAnyProcessor = -1;

// A region requirement as the launch gave it, before projection: a region,
// or (index launches) a partition whose subregions the points access.
struct MappableRequirement {
  bool partition = false;  // node names a partition of `tree`, else a region
  uint32_t tree = 0;
  uint32_t node = 0;
  std::vector<FieldId> fields;
  Privilege privilege = Privilege::ReadOnly;
  RedopId redop = kNoRedop;
  Coherence coherence = Coherence::Exclusive;
};

// What a launch tells its mapper beyond the task and tag: its requirements
// and the mapper argument (value-encoded bytes, empty: none). Owned by the
// launch (or by a task that arrived from another rank), not by the mapper.
struct MapperInput {
  std::vector<MappableRequirement> regions;
  std::vector<uint8_t> mapperArg;
};

// What a mapper sees of a task (a single launch, or an index launch and,
// for mapTask, one of its points). Cheap to copy: `input` points at data
// that outlives the placement.
struct MappableTask {
  const TaskInfo* task = nullptr;
  uint64_t launchId = 0;
  bool isIndexLaunch = false;
  Domain launchDomain;  // the launch domain (index launches)
  Point point;          // the point being mapped (mapTask of a point)
  bool hasPoint = false;
  uint32_t tag = 0;
  const MapperInput* input = nullptr;  // null: no requirements, no mapper argument
};

struct TaskOptions {
  int targetProcessor = kAnyProcessor;
  bool inlineTask = false;
  bool replicate = false;
  // false: points the sharding sends to another rank (with no processor
  // chosen here) are mapped there, by that rank's mapper.
  bool mapLocally = true;
};

struct TaskSlice {
  Domain domain;
  int processor = kAnyProcessor;
};

struct MapTaskOutput {
  int variant = -1;  // -1: the mapper leaves it to the default (C++ when present)
  std::vector<int> targetProcessors;
  int priority = 0;
};

struct ShardingOutput {
  ShardingId functor = 0;
};

struct ReplicateTaskOutput {
  std::vector<uint32_t> shardRanks;  // one shard per listed rank
};

class Mapper {
 public:
  virtual ~Mapper() = default;
  virtual std::string name() const = 0;
  virtual void selectTaskOptions(const MappableTask& task, const Machine& m, TaskOptions& out) = 0;
  virtual void sliceTask(const MappableTask& task, const Domain& domain, const Machine& m,
                         std::vector<TaskSlice>& out) = 0;
  virtual void mapTask(const MappableTask& task, const Machine& m, MapTaskOutput& out) = 0;
  // mapTask for every point of an index launch (out[i] for points[i]). The
  // default asks mapTask point by point; a JS mapper answers all points in
  // one call into JS.
  virtual void mapPoints(const MappableTask& launch, const std::vector<Point>& points, const Machine& m,
                         std::vector<MapTaskOutput>& out) {
    out.assign(points.size(), MapTaskOutput{});
    MappableTask t = launch;
    t.hasPoint = true;
    for (size_t i = 0; i < points.size(); ++i) {
      t.point = points[i];
      mapTask(t, m, out[i]);
    }
  }
  virtual void selectShardingFunctor(const MappableTask& task, const Machine& m, ShardingOutput& out) = 0;
  virtual void replicateTask(const MappableTask& task, const Machine& m, ReplicateTaskOutput& out) = 0;
  // True when mapTask must be asked for every point (an override); the
  // default mapper's per-point answer is the same for every point.
  virtual bool mapsEachPoint() const { return false; }
  // The built-in default: its answers need no validation (fast path).
  virtual bool isBuiltinDefault() const { return false; }
  // Bracket every callback made while one launch is placed (placement.cc
  // calls them, also when a callback throws): a mapper may keep what it
  // built for the launch (the JS proxy: the JS task object) until the end.
  // Placements may nest (a callback that issues a launch).
  virtual void beginPlacement() {}
  virtual void endPlacement() {}
};

using MapperPtr = std::shared_ptr<Mapper>;

}  // namespace cohort

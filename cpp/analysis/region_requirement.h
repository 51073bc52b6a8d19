// What an operation says it touches: a region (or, for an index launch, a
// projection choosing a region per launch point), a set of fields, and how
// it accesses them.
#pragma once
#include <functional>
#include <vector>

#include "analysis/privilege.h"
#include "data/field_space.h"
#include "data/geometry.h"
#include "data/handles.h"
#include "util/block_pool.h"

namespace cohort {

class RegionForest;

struct RegionRequirement {
  RegionHandle region;
  PooledVector<FieldId> fields;  // pooled: one list per point of an index launch
  Privilege privilege = Privilege::ReadOnly;
  RedopId redop = kNoRedop;
  Coherence coherence = Coherence::Exclusive;

  Access access() const { return Access{privilege, redop, coherence}; }
};

// An operation's requirements, in order (pooled: one list per point).
using RegionRequirements = PooledVector<RegionRequirement>;

// Chooses the region a launch point accesses. Must be a pure function of
// the point (replicated ranks call it independently).
using Projection = std::function<RegionHandle(const Point& launchPoint)>;

// Point p accesses the subregion of color p (Legion's projection 0).
// Captures `forest` by reference: it must outlive the projection.
Projection projectIdentity(const RegionForest& forest, PartitionHandle partition);
// Point p accesses the subregion of color map(p).
Projection projectThrough(const RegionForest& forest, PartitionHandle partition,
                          std::function<Point(const Point&)> map);
// Every point accesses the same region.
Projection projectWhole(RegionHandle region);

struct LaunchRequirement {
  Projection project;
  PooledVector<FieldId> fields;
  Privilege privilege = Privilege::ReadOnly;
  RedopId redop = kNoRedop;
  Coherence coherence = Coherence::Exclusive;

  // The requirement of one point.
  RegionRequirement at(const Point& launchPoint) const;
};

// The requirements of one point of an index launch, already projected.
struct PointRequirements {
  Point point;
  RegionRequirements requirements;
};

}  // namespace cohort

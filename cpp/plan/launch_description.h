// One task point as plain data: what runs (task identity and variant),
// where (location), what it is called in every process (operation name,
// point, launch domain), what it reads (argument bytes, the values of the
// futures it waits for) and what it touches (region requirements with the
// region's exact rects). It holds no pointers into a runtime, so it can be
// encoded to bytes, sent to another rank or stored in a trace, and decoded
// back into an equal value.
//
// Invariants (checked by encode and by decodeLaunch, so whatever encodes
// decodes): a single task has point and domain of dim 0; an index point has
// a point of dim 1-3 inside a domain of the same dim; a requirement names a
// tree (non-zero), has a redop exactly when it reduces, and has rects of the
// requirement's dim. The byte layout is at the top of launch_description.cc.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/plan.h"
#include "analysis/privilege.h"
#include "analysis/region_requirement.h"
#include "data/field_space.h"
#include "data/geometry.h"
#include "data/handles.h"
#include "registry/task_registry.h"

namespace cohort {

class RegionForest;

// The first two bytes of every encoding; a reader refuses other versions.
constexpr uint8_t kLaunchMagic = 0xC1;
constexpr uint8_t kLaunchFormatVersion = 1;

// The point of a single task, which has none: dim 0.
inline Point noPoint() {
  Point p;
  p.dim = 0;
  return p;
}
inline Rect noDomain() {
  Rect r;
  r.lo = noPoint();
  r.hi = noPoint();
  return r;
}

// One region requirement, resolved: the region's exact rects, not a handle
// to look them up by (the receiver may not hold the region tree).
struct RequirementDescription {
  RegionHandle region;
  Privilege privilege = Privilege::ReadOnly;
  RedopId redop = kNoRedop;
  Coherence coherence = Coherence::Exclusive;
  std::vector<FieldId> fields;
  int dim = 1;              // the region's dim (kept when it has no rects)
  std::vector<Rect> rects;  // pairwise disjoint; empty: the region has no points

  bool operator==(const RequirementDescription& o) const;
  bool operator!=(const RequirementDescription& o) const { return !(*this == o); }
};

struct LaunchDescription {
  TaskIdentity task;
  Location where;  // where.variant is the variant that runs
  OpName name;
  Point point = noPoint();                    // dim 0 for a single task
  Domain domain = noDomain();                 // dim 0 for a single task
  std::vector<uint8_t> args;                  // the encoded argument array (value.hpp)
  std::vector<std::vector<uint8_t>> futures;  // the value of each future waited for, in launch order
  std::vector<RequirementDescription> requirements;

  bool isIndexPoint() const { return point.dim != 0; }
  bool operator==(const LaunchDescription& o) const;
  bool operator!=(const LaunchDescription& o) const { return !(*this == o); }
  // One line for debug dumps, e.g.
  // "launch 'daxpy' op 3.2 point (1) of [0..3] on rank 0 cpu 2 (cpp, priority 0),
  //  args 16 B, futures [8 B], 1 requirement: tree 1 node 2 read-write exclusive fields {0} rects [0..4]"
  std::string toString() const;
};

// Throws cohort::Error naming the first broken invariant (see above).
void validate(const LaunchDescription& d);

std::vector<uint8_t> encode(const LaunchDescription& d);
// Throws cohort::Error naming the field on truncated or malformed input:
// bad magic or version, unknown tag, bad dim, a count larger than the bytes
// left, a broken invariant, or trailing bytes.
LaunchDescription decodeLaunch(const uint8_t* data, size_t size);
inline LaunchDescription decodeLaunch(const std::vector<uint8_t>& b) { return decodeLaunch(b.data(), b.size()); }

// The requirement as a description: the region's exact rects from `forest`
// (throws for a destroyed tree or unknown region).
RequirementDescription describeRequirement(const RegionForest& forest, const RegionRequirement& req);
std::vector<RequirementDescription> describeRequirements(const RegionForest& forest, const RegionRequirements& reqs);

}  // namespace cohort

// The analysis output: one PlanEntry per operation (or per point of an
// index launch) saying which earlier operations it waits for and where it
// runs. OpIds, not events: the caller turns them into events.
#pragma once
#include <cstdint>
#include <vector>

#include "data/field_space.h"
#include "data/geometry.h"
#include "data/handles.h"

namespace cohort {

using OpId = uint64_t;

struct Location {
  uint32_t rank = 0;       // always 0 in one process; set by sharding
  uint32_t processor = 0;  // filled in by the caller (mapper)
};

// A lock the executor holds while the entry runs (atomic coherence or a
// reduction): one per (tree, field). Entries list them sorted, so taking
// them in order cannot deadlock.
struct ExclusionKey {
  TreeId tree = 0;
  FieldId field = 0;
};
inline bool operator==(const ExclusionKey& a, const ExclusionKey& b) {
  return a.tree == b.tree && a.field == b.field;
}
inline bool operator<(const ExclusionKey& a, const ExclusionKey& b) {
  return a.tree != b.tree ? a.tree < b.tree : a.field < b.field;
}

struct PlanEntry {
  OpId op = 0;
  uint32_t pointIndex = 0;  // position in the launch (row-major); 0 if single
  Point point;              // the launch point; (0) for a single operation
  Location where;
  std::vector<OpId> waitsFor;  // earlier ops, sorted, no duplicates
  bool needsExclusion = false;
  std::vector<ExclusionKey> exclusionKeys;  // sorted, no duplicates
};

// Work counters, cumulative since construction or the last reset.
struct AnalysisCounters {
  uint64_t operations = 0;     // analyze* calls that succeeded
  uint64_t points = 0;         // plan entries produced
  uint64_t usersExamined = 0;  // earlier-user records looked at
  uint64_t piecesVisited = 0;  // spatial pieces looked at
  uint64_t edgesAdded = 0;     // entries of waitsFor lists produced
};

}  // namespace cohort

// The analysis output: one PlanEntry per operation (or per point of an
// index launch) saying which earlier operations it waits for and where it
// runs. OpIds, not events: the caller turns them into events.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/field_space.h"
#include "data/geometry.h"
#include "data/handles.h"
#include "registry/task_registry.h"
#include "util/block_pool.h"

namespace cohort {

using OpId = uint64_t;

// What kind of work a plan entry stands for. Copy is reserved for the
// bytes one rank sends another (multi-rank plans); one process never makes it.
enum class EntryKind : uint8_t { Task, IndexPoint, Fill, Fence, InlineMap, Copy };
const char* entryKindName(EntryKind k);

// Where and how an entry runs, as the mapper decided it.
struct Location {
  uint32_t rank = 0;       // the owning rank (the shard's): 0 in one process
  int32_t processor = -1;  // a CPU worker, the JS processor's id, or -1: any worker
  VariantKind variant = VariantKind::Cpp;
  int32_t priority = 0;  // higher runs first among ready tasks on a pool
  // Mapped on `rank` by its own mapper `mapper` (with the launch's `tag`);
  // `variantForced`: the launch fixed the variant, which that mapping keeps.
  bool mapOnTarget = false;
  bool variantForced = false;
  uint32_t mapper = 0;
  uint32_t tag = 0;
  bool operator==(const Location& o) const {
    return rank == o.rank && processor == o.processor && variant == o.variant && priority == o.priority &&
           mapOnTarget == o.mapOnTarget && variantForced == o.variantForced && mapper == o.mapper && tag == o.tag;
  }
};

// The name of an operation that means the same thing in every process and
// every run: its position in its parent context, the context being named by
// the operation whose body issues into it (empty path: the top level). So
// "3.2" is the second operation launched by the body of top-level op 3.
// Positions count from 1, in program order.
struct OpName {
  std::vector<uint64_t> path;  // the parent operations' positions, outermost first, then this one's
  bool operator==(const OpName& o) const { return path == o.path; }
  bool operator<(const OpName& o) const { return path < o.path; }
  std::string toString() const;
};

// A lock the executor holds while the entry runs (atomic coherence or a
// reduction): one per (tree, field). Entries list them sorted, so taking
// them in order cannot deadlock.
struct ExclusionKey {
  TreeId tree = 0;
  FieldId field = 0;
};
inline bool operator==(const ExclusionKey& a, const ExclusionKey& b) { return a.tree == b.tree && a.field == b.field; }
inline bool operator<(const ExclusionKey& a, const ExclusionKey& b) {
  return a.tree != b.tree ? a.tree < b.tree : a.field < b.field;
}

// One point of an earlier operation: the entry waits only for that point
// of an index launch (point-wise dependences), or for the whole operation
// (kWholeOperation: a single operation, or every point of a launch). Point i
// of the index launch at position p is the operation named p + 1 + i.
constexpr uint32_t kWholeOperation = UINT32_MAX;
struct PointRef {
  OpId op = 0;
  uint32_t point = kWholeOperation;  // row-major index in the launch, or kWholeOperation
  // The position that names what is waited for.
  OpId position() const { return point == kWholeOperation ? op : op + 1 + point; }
};
inline bool operator==(const PointRef& a, const PointRef& b) { return a.op == b.op && a.point == b.point; }
inline bool operator<(const PointRef& a, const PointRef& b) { return a.op != b.op ? a.op < b.op : a.point < b.point; }

struct PlanEntry {
  EntryKind kind = EntryKind::Task;
  TaskId task = 0;          // Task, IndexPoint, Fill, InlineMap: what runs
  OpId op = 0;              // the operation's position in its context (an index launch's: the launch's)
  uint32_t pointIndex = 0;  // position in the launch (row-major); 0 if single
  Point point;              // the launch point; (0) for a single operation
  Location where;
  // Pooled lists: an untraced index launch makes one entry per point.
  PooledVector<OpId> waitsFor;            // earlier ops, sorted, no duplicates
  PooledVector<PointRef> waitsForPoints;  // the same, by point: what the executor waits for; sorted
  bool needsExclusion = false;
  PooledVector<ExclusionKey> exclusionKeys;  // sorted, no duplicates
};

// Moves what the analysis decided for an entry (its waits and exclusion)
// into `into`, whose kind, task and location the caller set.
inline void adoptAnalysis(PlanEntry& into, PlanEntry&& analyzed) {
  into.waitsFor = std::move(analyzed.waitsFor);
  into.waitsForPoints = std::move(analyzed.waitsForPoints);
  into.needsExclusion = analyzed.needsExclusion;
  into.exclusionKeys = std::move(analyzed.exclusionKeys);
}

// Work counters, cumulative since construction or the last reset.
struct AnalysisCounters {
  uint64_t operations = 0;     // analyze* calls that succeeded
  uint64_t points = 0;         // plan entries produced
  uint64_t usersExamined = 0;  // earlier-user records looked at
  uint64_t piecesVisited = 0;  // spatial pieces looked at
  uint64_t edgesAdded = 0;     // entries of waitsFor lists produced
};

}  // namespace cohort

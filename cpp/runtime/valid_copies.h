// The controller's record of which ranks hold a valid copy of each rect of
// each field of each region tree. Storage starts zero-filled on every rank,
// so a point no entry covers is valid everywhere; a task that writes makes
// its rank the only holder, one that only reads adds its rank.
//
// Launches update it in program order (on the issuing thread, as the
// executor runs their entries), so it describes the data each task reads as
// a sequential run would have left it. For every rect a task reads that is
// not valid on its rank, use() names a rank to copy it from; the copy is
// made once the task is ready (its producers finished). Each holder also
// has the event after which the bytes are there: the completion of the task
// that wrote them or brought them. A task waits for the events of the
// copies it reads: implied by the dependence analysis for everything but
// reductions, which commute and so are not ordered by it; waiting for the
// previous reducer's holder serializes reductions of one piece made on
// different ranks, each applying its operator to the current data.
#pragma once
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "analysis/privilege.h"
#include "data/rect_set.h"
#include "data/region_piece.h"
#include "events/event.h"
#include "events/event_list.h"

namespace cohort {

class ValidCopies {
 public:
  static constexpr uint32_t kMaxRanks = 64;  // holders are a bit mask

  explicit ValidCopies(uint32_t ranks);

  // A task on `rank` uses `rects` (pairwise disjoint) of (tree, field) with
  // `privilege`; what it writes is there once `done` fires, what it brings
  // there once `arrived` does (an inline mapping completes only when
  // unmapped, but other readers need not wait for that); an `arrived` that
  // does not exist is made here the first time the task brings anything. Appends to `copies`
  // what must be brought to `rank` and to `waits` the events the task must
  // wait for, then records the task's effect.
  void use(uint32_t rank, TreeId tree, FieldId field, const RectList& rects, Privilege privilege, const Event& done,
           Event& arrived, std::vector<RegionPiece>& copies, EventList& waits);

  // Control replication: a task every shard runs (a fill, an inline
  // mapping), seen from shard `local`. Each shard that lacks bytes it reads
  // gets them from their source; `copies` is what comes to `local`,
  // `pushes` (destination, piece) what `local` is the source of, and
  // `waits` holds what `local` must wait for before it sends or reads. A
  // write leaves every shard a holder: each wrote the same bytes.
  void useEverywhere(uint32_t local, TreeId tree, FieldId field, const RectList& rects, Privilege privilege,
                     const Event& done, Event& arrived, std::vector<RegionPiece>& copies,
                     std::vector<std::pair<uint32_t, RegionPiece>>& pushes, EventList& waits);

  // The tree was destroyed: its data is gone everywhere.
  void dropTree(TreeId tree);

  // Entries recorded for (tree, field), for tests and reports.
  size_t entryCount(TreeId tree, FieldId field) const;

 private:
  struct Entry {
    Rect rect;
    uint64_t holders = 0;      // bit r: rank r has the bytes
    std::vector<Event> ready;  // per rank: fires once the bytes are there (empty: already)
  };
  // use() with the writer's holders given (a write everywhere: all ranks).
  void record(uint32_t rank, uint64_t writers, TreeId tree, FieldId field, const RectList& rects, Privilege privilege,
              const Event& done, Event& arrived, std::vector<RegionPiece>& copies, EventList& waits);

  uint32_t ranks_;
  std::map<std::pair<TreeId, FieldId>, std::vector<Entry>> fields_;
};

}  // namespace cohort

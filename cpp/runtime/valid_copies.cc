#include "runtime/valid_copies.h"

#include "util/error.h"

namespace cohort {

namespace {
uint64_t bit(uint32_t rank) { return uint64_t{1} << rank; }

// The holder to copy from: rank 0 when it has the bytes (it sends them with
// the task, one message fewer), else the lowest rank that does.
uint32_t sourceOf(uint64_t holders) {
  if (holders & 1) return 0;
  uint32_t r = 0;
  while (!(holders & bit(r))) ++r;
  return r;
}

// The task's own completion is skipped: another of its requirements brought
// the bytes (they arrive before its body starts).
void waitFor(const std::vector<Event>& ready, uint32_t rank, const Event& done, const Event& arrived,
             EventList& waits) {
  if (rank >= ready.size()) return;
  const Event& e = ready[rank];
  if (e.exists() && !(e == done) && !(e == arrived) && !e.hasFired()) waits.push_back(e);
}
}  // namespace

ValidCopies::ValidCopies(uint32_t ranks) : ranks_(ranks) {}

void ValidCopies::use(uint32_t rank, TreeId tree, FieldId field, const RectList& rects, Privilege privilege,
                      const Event& done, Event& arrived, std::vector<RegionPiece>& copies, EventList& waits) {
  record(rank, bit(rank), tree, field, rects, privilege, done, arrived, copies, waits);
}

void ValidCopies::useEverywhere(uint32_t local, TreeId tree, FieldId field, const RectList& rects, Privilege privilege,
                                const Event& done, Event& arrived, std::vector<RegionPiece>& copies,
                                std::vector<std::pair<uint32_t, RegionPiece>>& pushes, EventList& waits) {
  const uint64_t all = ranks_ >= 64 ? ~uint64_t{0} : (uint64_t{1} << ranks_) - 1;
  if (privilege != Privilege::WriteDiscard) {
    // Every shard reads what the record said before this task: a shard
    // that is still receiving a piece is no source of it. Another shard's
    // arrival is not an event here: a fired one stands for it.
    const std::vector<Entry> before = fields_[{tree, field}];
    Event elsewhere = Event::create();
    elsewhere.trigger();
    for (uint32_t r = 0; r < ranks_; ++r) {
      if (r == local) continue;
      fields_[{tree, field}] = before;
      std::vector<RegionPiece> theirs;
      EventList theirWaits;
      use(r, tree, field, rects, Privilege::ReadOnly, Event(), elsewhere, theirs, theirWaits);
      bool sends = false;
      for (const RegionPiece& p : theirs)
        if (p.source == local) {
          pushes.emplace_back(r, p);
          sends = true;
        }
      if (sends) theirWaits.forEach([&](const Event& e) { waits.push_back(e); });
    }
    fields_[{tree, field}] = before;
    use(local, tree, field, rects, Privilege::ReadOnly, done, arrived, copies, waits);
    // Afterwards every shard holds what it read.
    for (Entry& e : fields_[{tree, field}])
      for (const Rect& r : rects)
        if (e.rect.intersection(r) == e.rect) e.holders = all;
  }
  if (privilege == Privilege::ReadOnly) return;
  std::vector<RegionPiece> none;
  Event unused;
  record(local, all, tree, field, rects, Privilege::WriteDiscard, done, unused, none, waits);
}

void ValidCopies::record(uint32_t rank, uint64_t writers, TreeId tree, FieldId field, const RectList& rects,
                         Privilege privilege, const Event& done, Event& arrived, std::vector<RegionPiece>& copies,
                         EventList& waits) {
  if (rank >= kMaxRanks || rank >= ranks_)
    throw Error("region data moves between at most " + std::to_string(kMaxRanks) + " ranks; rank " +
                std::to_string(rank) + " is out of range");
  const bool reads = privilege != Privilege::WriteDiscard;
  const bool writes = privilege != Privilege::ReadOnly;
  auto& entries = fields_[{tree, field}];
  std::vector<Entry> next;
  next.reserve(entries.size() + rects.size());
  for (Entry& e : entries) {
    RectList outside{e.rect};  // the part of e the task does not touch
    for (const Rect& r : rects) {
      const Rect in = e.rect.intersection(r);
      if (in.empty()) continue;
      const bool here = (e.holders & bit(rank)) != 0;
      if (reads) {
        if (here) {
          waitFor(e.ready, rank, done, arrived, waits);
        } else {
          const uint32_t source = sourceOf(e.holders);
          copies.push_back(RegionPiece{tree, field, in, source});
          waitFor(e.ready, source, done, arrived, waits);
        }
      }
      if (!writes) {
        Entry part{in, e.holders | bit(rank), e.ready};
        if (!here) {
          if (part.ready.size() < ranks_) part.ready.resize(ranks_);
          if (!arrived.exists()) arrived = Event::create();
          part.ready[rank] = arrived;
        }
        next.push_back(std::move(part));
      }
      RectList rest;
      for (const Rect& o : outside)
        for (const Rect& p : subtract(o, in)) rest.push_back(p);
      outside = std::move(rest);
    }
    for (const Rect& o : outside) next.push_back(Entry{o, e.holders, e.ready});
  }
  if (writes) {
    for (const Rect& r : rects) {
      if (r.empty()) continue;
      Entry mine{r, writers, std::vector<Event>(ranks_)};
      mine.ready[rank] = done;
      next.push_back(std::move(mine));
    }
  }
  // Events that fired are dropped, so entries hold on to nothing finished.
  for (Entry& e : next)
    for (Event& ev : e.ready)
      if (ev.exists() && ev.hasFired() && !ev.isPoisoned()) ev = Event();
  entries = std::move(next);
}

void ValidCopies::dropTree(TreeId tree) {
  for (auto it = fields_.begin(); it != fields_.end();) {
    if (it->first.first == tree)
      it = fields_.erase(it);
    else
      ++it;
  }
}

size_t ValidCopies::entryCount(TreeId tree, FieldId field) const {
  auto it = fields_.find({tree, field});
  return it == fields_.end() ? 0 : it->second.size();
}

}  // namespace cohort

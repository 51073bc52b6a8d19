#include "data/rect_set.h"

#include <algorithm>

#include "util/error.h"

namespace cohort {

RectList subtract(const Rect& a, const Rect& b) {
  if (!a.overlaps(b)) return a.empty() ? RectList{} : RectList{a};
  // Peel slabs off `a` one dimension at a time; what is left at the end is
  // exactly a∩b, which is dropped.
  RectList out;
  Rect rest = a;
  for (int d = 0; d < a.dim(); ++d) {
    if (rest.lo[d] < b.lo[d]) {
      Rect below = rest;
      below.hi[d] = b.lo[d] - 1;
      out.push_back(below);
      rest.lo[d] = b.lo[d];
    }
    if (rest.hi[d] > b.hi[d]) {
      Rect above = rest;
      above.lo[d] = b.hi[d] + 1;
      out.push_back(above);
      rest.hi[d] = b.hi[d];
    }
  }
  return out;
}

RectList makeDisjoint(const RectList& rects) {
  RectList result;
  for (const Rect& r : rects) {
    if (r.empty()) continue;
    RectList pieces{r};
    for (const Rect& kept : result) {
      RectList next;
      for (const Rect& p : pieces) {
        RectList left = subtract(p, kept);
        next.insert(next.end(), left.begin(), left.end());
      }
      pieces.swap(next);
      if (pieces.empty()) break;
    }
    result.insert(result.end(), pieces.begin(), pieces.end());
  }
  return result;
}

namespace {

// Union volume of `rects` restricted to dimensions d..dim-1 (earlier
// dimensions are the caller's current slab).
uint64_t unionVolumeFrom(std::vector<const Rect*> rects, int d) {
  const int dim = rects.front()->dim();
  if (d == dim - 1) {
    std::sort(rects.begin(), rects.end(), [d](const Rect* a, const Rect* b) { return a->lo[d] < b->lo[d]; });
    uint64_t total = 0;
    coord_t runLo = rects.front()->lo[d], runHi = rects.front()->hi[d];
    for (const Rect* r : rects) {
      if (r->lo[d] > runHi + 1) {
        total += static_cast<uint64_t>(runHi - runLo + 1);
        runLo = r->lo[d];
        runHi = r->hi[d];
      } else {
        runHi = std::max(runHi, r->hi[d]);
      }
    }
    return total + static_cast<uint64_t>(runHi - runLo + 1);
  }
  // Sweep dimension d: between consecutive boundaries the set of active
  // rects is fixed, so that slab contributes width * (union of the rest).
  std::vector<coord_t> boundaries;
  boundaries.reserve(rects.size() * 2);
  for (const Rect* r : rects) {
    boundaries.push_back(r->lo[d]);
    boundaries.push_back(r->hi[d] + 1);
  }
  std::sort(boundaries.begin(), boundaries.end());
  boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
  std::sort(rects.begin(), rects.end(), [d](const Rect* a, const Rect* b) { return a->lo[d] < b->lo[d]; });
  uint64_t total = 0;
  size_t nextToAdd = 0;
  std::vector<const Rect*> active;
  for (size_t i = 0; i + 1 < boundaries.size(); ++i) {
    const coord_t x = boundaries[i];
    while (nextToAdd < rects.size() && rects[nextToAdd]->lo[d] <= x) active.push_back(rects[nextToAdd++]);
    active.erase(std::remove_if(active.begin(), active.end(), [&](const Rect* r) { return r->hi[d] < x; }),
                 active.end());
    if (active.empty()) continue;
    const auto width = static_cast<uint64_t>(boundaries[i + 1] - x);
    total += width * unionVolumeFrom(active, d + 1);
  }
  return total;
}

}  // namespace

uint64_t unionVolume(const RectList& rects) {
  std::vector<const Rect*> nonEmpty;
  for (const Rect& r : rects)
    if (!r.empty()) nonEmpty.push_back(&r);
  if (nonEmpty.empty()) return 0;
  return unionVolumeFrom(std::move(nonEmpty), 0);
}

uint64_t totalVolume(const RectList& rects) {
  uint64_t total = 0;
  for (const Rect& r : rects) total += r.volume();
  return total;
}

Rect boundingRect(const RectList& rects, int dim) {
  Rect box = Rect::emptyOf(dim);
  bool any = false;
  for (const Rect& r : rects) {
    if (r.empty()) continue;
    if (r.dim() != dim) throw Error("boundingRect: rect " + r.toString() + " is not " + std::to_string(dim) + "-D");
    if (!any) {
      box = r;
      any = true;
      continue;
    }
    for (int d = 0; d < dim; ++d) {
      box.lo[d] = std::min(box.lo[d], r.lo[d]);
      box.hi[d] = std::max(box.hi[d], r.hi[d]);
    }
  }
  return box;
}

bool overlaps(const RectList& a, const RectList& b) {
  for (const Rect& x : a)
    for (const Rect& y : b)
      if (x.overlaps(y)) return true;
  return false;
}

bool covers(const RectList& outer, const RectList& inner) {
  for (const Rect& r : inner) {
    uint64_t inside = 0;
    for (const Rect& o : outer)
      if (o.overlaps(r)) inside += o.intersection(r).volume();
    if (inside != r.volume()) return false;
  }
  return true;
}

RectList intersectAll(const RectList& rects, const Rect& clip) {
  RectList out;
  for (const Rect& r : rects) {
    if (!r.overlaps(clip)) continue;
    out.push_back(r.intersection(clip));
  }
  return out;
}

}  // namespace cohort

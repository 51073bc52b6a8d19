// PieceMap: a refinement of one rect (a region tree's root bounds) into
// disjoint pieces, each carrying a State. It is the spatial index behind the
// dependence analysis: every point of the root lies in exactly one piece, and
// all points of a piece share the same access history.
//
// Layout: a nested interval map. Level 0 cuts the root into spans along
// dimension 0 (an ordered map keyed by span start); each span holds a level
// for dimension 1, and so on; the last dimension's spans hold the State.
// Finding the pieces that overlap a rect is a binary search plus a walk over
// the overlapping spans at each level, so the cost follows the number of
// pieces overlapped (and log of the number of spans), never the total number
// of pieces: accessing one block of a 4096-block partition touches O(1)
// pieces.
//
// Updates split spans at the rect's faces (so the rect is exactly a union of
// pieces), update those pieces, and merge neighbours whose states became
// equal (last dimension), or whose whole sub-levels are single pieces with
// equal states (outer dimensions). A write covering a region therefore
// collapses its pieces back into one.
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <utility>

#include "data/geometry.h"

namespace cohort {

template <class State>
class PieceMap {
 public:
  explicit PieceMap(const Rect& bounds) : bounds_(bounds), dim_(bounds.dim()), top_(makeChain(0)) {}

  const Rect& bounds() const { return bounds_; }

  // Calls visit(const Rect& piece, State& state) for every piece that
  // overlaps `r`. Does not change the piece structure; visit may change the
  // state only in ways that keep it meaning the same history.
  template <class Visit>
  void visitOverlapping(const Rect& r, Visit&& visit) {
    const Rect clipped = clip(r);
    if (clipped.empty()) return;
    Rect piece = clipped;
    visitLevel(*top_, 0, clipped, piece, visit);
  }

  // Splits pieces so `r` is exactly a union of pieces, calls
  // update(State& state) on each of them, then merges equal neighbours.
  template <class Update>
  void updateInside(const Rect& r, Update&& update) {
    const Rect clipped = clip(r);
    if (clipped.empty()) return;
    updateLevel(*top_, 0, clipped, update);
  }

  // Calls visit(const Rect& piece, const State& state) for every piece.
  template <class Visit>
  void forEachPiece(Visit&& visit) const {
    if (bounds_.empty()) return;
    Rect piece = bounds_;
    forEachLevel(*top_, 0, piece, visit);
  }

  size_t pieceCount() const {
    size_t n = 0;
    forEachPiece([&n](const Rect&, const State&) { ++n; });
    return n;
  }

 private:
  struct Level;
  struct Span {
    coord_t hi;
    std::unique_ptr<Level> inner;  // the next dimension; null in the last
    State state;                   // meaningful in the last dimension only
  };
  struct Level {
    std::map<coord_t, Span> spans;  // key: span start; spans tile the bounds
  };
  using SpanIt = typename std::map<coord_t, Span>::iterator;

  Rect clip(const Rect& r) const {
    if (bounds_.empty() || r.dim() != dim_) return Rect::emptyOf(dim_);
    return bounds_.intersection(r);
  }

  std::unique_ptr<Level> makeChain(int d) const {
    auto level = std::make_unique<Level>();
    if (bounds_.empty()) return level;
    level->spans.emplace(bounds_.lo[d], Span{bounds_.hi[d], d + 1 < dim_ ? makeChain(d + 1) : nullptr, State{}});
    return level;
  }

  static std::unique_ptr<Level> deepCopy(const Level& level) {
    auto copy = std::make_unique<Level>();
    for (const auto& [lo, span] : level.spans)
      copy->spans.emplace_hint(copy->spans.end(), lo,
                               Span{span.hi, span.inner ? deepCopy(*span.inner) : nullptr, span.state});
    return copy;
  }

  // The span containing coordinate x (spans tile the bounds).
  static SpanIt spanContaining(Level& level, coord_t x) {
    auto it = level.spans.upper_bound(x);
    return std::prev(it);
  }

  // Makes x the start of a span (no-op at the bounds or an existing start).
  void splitAt(Level& level, int d, coord_t x) {
    if (x <= bounds_.lo[d] || x > bounds_.hi[d]) return;
    SpanIt it = spanContaining(level, x);
    if (it->first == x) return;
    Span upper{it->second.hi, it->second.inner ? deepCopy(*it->second.inner) : nullptr, it->second.state};
    it->second.hi = x - 1;
    level.spans.emplace_hint(std::next(it), x, std::move(upper));
  }

  // The state of a span whose sub-levels are single pieces, else nullptr.
  static const State* uniformState(const Span& span) {
    const Span* s = &span;
    while (s->inner) {
      if (s->inner->spans.size() != 1) return nullptr;
      s = &s->inner->spans.begin()->second;
    }
    return &s->state;
  }

  static bool mergeable(const Span& a, const Span& b) {
    if (!a.inner) return a.state == b.state;
    const State* sa = uniformState(a);
    const State* sb = sa ? uniformState(b) : nullptr;
    return sb && *sa == *sb;
  }

  // Merges mergeable neighbours among the spans [from, to).
  static void mergeRange(Level& level, SpanIt from, SpanIt to) {
    if (from == to) return;
    SpanIt a = from;
    while (std::next(a) != to) {
      SpanIt b = std::next(a);
      if (mergeable(a->second, b->second)) {
        a->second.hi = b->second.hi;
        level.spans.erase(b);
      } else {
        a = b;
      }
    }
  }

  template <class Visit>
  void visitLevel(Level& level, int d, const Rect& r, Rect& piece, Visit& visit) {
    if (d >= kMaxDim) return;  // never: see forEachLevel
    for (SpanIt it = spanContaining(level, r.lo[d]); it != level.spans.end() && it->first <= r.hi[d]; ++it) {
      piece.lo[d] = it->first;
      piece.hi[d] = it->second.hi;
      if (d + 1 == dim_) {
        visit(static_cast<const Rect&>(piece), it->second.state);
      } else {
        visitLevel(*it->second.inner, d + 1, r, piece, visit);
      }
    }
  }

  template <class Update>
  void updateLevel(Level& level, int d, const Rect& r, Update& update) {
    if (d >= kMaxDim) return;  // never: see forEachLevel
    splitAt(level, d, r.lo[d]);
    splitAt(level, d, r.hi[d] + 1);
    const SpanIt first = level.spans.find(r.lo[d]);
    SpanIt after = first;
    for (; after != level.spans.end() && after->first <= r.hi[d]; ++after) {
      if (d + 1 == dim_) {
        update(after->second.state);
      } else {
        updateLevel(*after->second.inner, d + 1, r, update);
      }
    }
    // Merge inside the range and with one neighbour on each side.
    SpanIt from = first == level.spans.begin() ? first : std::prev(first);
    SpanIt to = after == level.spans.end() ? after : std::next(after);
    mergeRange(level, from, to);
  }

  template <class Visit>
  void forEachLevel(const Level& level, int d, Rect& piece, Visit& visit) const {
    if (d >= kMaxDim) return;  // never: levels nest at most dim_ deep (tells the optimizer too)
    for (const auto& [lo, span] : level.spans) {
      piece.lo[d] = lo;
      piece.hi[d] = span.hi;
      if (span.inner) {
        forEachLevel(*span.inner, d + 1, piece, visit);
      } else {
        visit(static_cast<const Rect&>(piece), span.state);
      }
    }
  }

  Rect bounds_;
  int dim_;
  std::unique_ptr<Level> top_;
};

}  // namespace cohort

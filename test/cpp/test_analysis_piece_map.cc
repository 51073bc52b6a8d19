// The spatial index under the analysis: a refinement of the root rect into
// disjoint pieces that splits on update and merges equal neighbours.
#include <map>
#include <random>
#include <set>

#include "analysis/piece_map.h"
#include "check.h"

using namespace cohort;

namespace {

struct Tag {
  int value = 0;
  bool operator==(const Tag& o) const { return value == o.value; }
};

// Every point of the bounds in exactly one piece, pieces inside the bounds.
bool tiles(const PieceMap<Tag>& map) {
  std::set<Point> seen;
  bool ok = true;
  map.forEachPiece([&](const Rect& piece, const Tag&) {
    ok = ok && map.bounds().contains(piece) && !piece.empty();
    for (const Point& p : pointsIn(piece)) ok = ok && seen.insert(p).second;
  });
  return ok && seen.size() == map.bounds().volume();
}

std::map<Point, int> valuesByPoint(const PieceMap<Tag>& map) {
  std::map<Point, int> out;
  map.forEachPiece([&](const Rect& piece, const Tag& t) {
    for (const Point& p : pointsIn(piece)) out[p] = t.value;
  });
  return out;
}

}  // namespace

TEST("a new piece map is one piece covering the bounds") {
  PieceMap<Tag> map(Rect(Point(0, 0, 0), Point(3, 4, 5)));
  CHECK(map.pieceCount() == 1);
  CHECK(tiles(map));
}

TEST("updating a sub-rect splits exactly around it") {
  PieceMap<Tag> map(Rect(0, 99));
  map.updateInside(Rect(10, 19), [](Tag& t) { t.value = 1; });
  CHECK(map.pieceCount() == 3);
  CHECK(tiles(map));
  int visited = 0;
  map.visitOverlapping(Rect(15, 15), [&](const Rect& piece, Tag& t) {
    CHECK(piece == Rect(10, 19));
    CHECK(t.value == 1);
    ++visited;
  });
  CHECK(visited == 1);
}

TEST("visiting finds every overlapping piece and nothing else") {
  PieceMap<Tag> map(Rect(Point(0, 0), Point(9, 9)));
  map.updateInside(Rect(Point(2, 2), Point(4, 4)), [](Tag& t) { t.value = 1; });
  map.updateInside(Rect(Point(6, 0), Point(9, 3)), [](Tag& t) { t.value = 2; });
  std::set<int> values;
  uint64_t covered = 0;
  map.visitOverlapping(Rect(Point(3, 3), Point(7, 3)), [&](const Rect& piece, Tag& t) {
    CHECK(piece.overlaps(Rect(Point(3, 3), Point(7, 3))));
    values.insert(t.value);
    covered += piece.intersection(Rect(Point(3, 3), Point(7, 3))).volume();
  });
  CHECK(values == (std::set<int>{0, 1, 2}));
  CHECK(covered == 5);
}

TEST("neighbours that become equal merge back into one piece") {
  PieceMap<Tag> map(Rect(Point(0, 0), Point(15, 15)));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      map.updateInside(Rect(Point(4 * i, 4 * j), Point(4 * i + 3, 4 * j + 3)),
                       [&](Tag& t) { t.value = 1 + i * 4 + j; });
  CHECK(map.pieceCount() == 16);
  map.updateInside(Rect(Point(0, 0), Point(15, 15)), [](Tag& t) { t.value = 99; });
  CHECK(map.pieceCount() == 1);
  CHECK(tiles(map));
}

TEST("rects outside the bounds are clipped") {
  PieceMap<Tag> map(Rect(0, 9));
  map.updateInside(Rect(5, 20), [](Tag& t) { t.value = 3; });
  CHECK(map.pieceCount() == 2);
  int visits = 0;
  map.visitOverlapping(Rect(30, 40), [&](const Rect&, Tag&) { ++visits; });
  CHECK(visits == 0);
  CHECK(tiles(map));
}

TEST("random updates keep the map equal to a per-point model in 1, 2 and 3 D") {
  std::mt19937 rng(7);
  const Rect boundsByDim[] = {Rect(0, 30), Rect(Point(0, 0), Point(7, 6)), Rect(Point(0, 0, 0), Point(3, 4, 3))};
  for (const Rect& bounds : boundsByDim) {
    PieceMap<Tag> map(bounds);
    std::map<Point, int> model;
    for (const Point& p : pointsIn(bounds)) model[p] = 0;
    for (int step = 0; step < 300; ++step) {
      Rect r = bounds;
      for (int d = 0; d < bounds.dim(); ++d) {
        coord_t a = bounds.lo[d] + static_cast<coord_t>(rng() % static_cast<unsigned>(bounds.extent(d)));
        coord_t b = bounds.lo[d] + static_cast<coord_t>(rng() % static_cast<unsigned>(bounds.extent(d)));
        r.lo[d] = std::min(a, b);
        r.hi[d] = std::max(a, b);
      }
      const int value = static_cast<int>(rng() % 4);
      map.updateInside(r, [&](Tag& t) { t.value = value; });
      for (const Point& p : pointsIn(r)) model[p] = value;
    }
    CHECK(tiles(map));
    CHECK(valuesByPoint(map) == model);
  }
}

TEST_MAIN("analysis piece map")

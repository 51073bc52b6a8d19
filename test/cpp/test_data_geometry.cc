// Points, rects and exact rect-set operations.
#include <set>
#include <vector>

#include "check.h"
#include "data/geometry.h"
#include "data/rect_set.h"
#include "util/error.h"

using namespace cohort;

TEST("a rect is inclusive on both ends and knows its volume") {
  CHECK(Rect(0, 9).volume() == 10);
  CHECK(Rect(Point(0, 0), Point(3, 4)).volume() == 20);
  CHECK(Rect(Point(1, 1, 1), Point(2, 3, 4)).volume() == 2 * 3 * 4);
  CHECK(Rect(5, 5).volume() == 1);
}

TEST("a rect with hi below lo in any dimension is empty with volume zero") {
  CHECK(Rect(3, 2).empty());
  CHECK(Rect(3, 2).volume() == 0);
  CHECK(Rect(Point(0, 5), Point(9, 4)).empty());
  CHECK(Rect::emptyOf(3).empty());
  CHECK(Rect().empty());
  CHECK(!Rect(0, 0).empty());
}

TEST("rects of different dimensions cannot be built or intersected") {
  CHECK_THROWS(Rect(Point(0), Point(1, 2)));
  CHECK_THROWS(Rect(0, 3).intersection(Rect(Point(0, 0), Point(1, 1))));
  CHECK_THROWS(Point::filled(4, 0));
}

TEST("intersection keeps the common points and may be empty") {
  const Rect a(Point(0, 0), Point(9, 9)), b(Point(5, -3), Point(12, 4));
  CHECK(a.intersection(b) == Rect(Point(5, 0), Point(9, 4)));
  CHECK(a.overlaps(b));
  CHECK(!Rect(0, 4).overlaps(Rect(5, 9)));
  CHECK(Rect(0, 4).intersection(Rect(5, 9)).empty());
  CHECK(!Rect(0, 4).overlaps(Rect(3, 2)));  // empty rects overlap nothing
}

TEST("containment of points and rects respects both bounds") {
  const Rect r(Point(0, 0, 0), Point(3, 3, 3));
  CHECK(r.contains(Point(3, 0, 2)));
  CHECK(!r.contains(Point(4, 0, 2)));
  CHECK(!r.contains(Point(1, 1)));  // wrong dimension
  CHECK(r.contains(Rect(Point(1, 1, 1), Point(3, 3, 3))));
  CHECK(!r.contains(Rect(Point(1, 1, 1), Point(3, 4, 3))));
  CHECK(r.contains(Rect::emptyOf(3)));
}

TEST("row-major linearization makes the last dimension fastest") {
  const Rect r(Point(10, 20), Point(12, 23));  // 3 x 4
  CHECK(linearize(r, Point(10, 20)) == 0);
  CHECK(linearize(r, Point(10, 21)) == 1);
  CHECK(linearize(r, Point(11, 20)) == 4);
  CHECK(linearize(r, Point(12, 23)) == 11);
  CHECK_THROWS(linearize(r, Point(13, 20)));
}

TEST("delinearize inverts linearize in one, two and three dimensions") {
  for (const Rect& r : {Rect(-3, 7), Rect(Point(1, -2), Point(4, 5)), Rect(Point(0, 1, 2), Point(2, 3, 5))}) {
    for (uint64_t i = 0; i < r.volume(); ++i) CHECK(linearize(r, delinearize(r, i)) == i);
    CHECK_THROWS(delinearize(r, r.volume()));
  }
}

TEST("iterating a rect visits every point once in row-major order") {
  const Rect r(Point(0, 5, 1), Point(1, 6, 3));
  uint64_t expected = 0;
  std::set<Point> seen;
  for (const Point& p : pointsIn(r)) {
    CHECK(linearize(r, p) == expected);
    seen.insert(p);
    ++expected;
  }
  CHECK(expected == r.volume());
  CHECK(seen.size() == r.volume());
  int visits = 0;
  for (const Point& p : pointsIn(Rect(1, 0))) {
    (void)p;
    ++visits;
  }
  CHECK(visits == 0);
}

TEST("points and rects print readably") {
  CHECK(Point(1, 2).toString() == "(1,2)");
  CHECK(Rect(Point(0, 4), Point(3, 7)).toString() == "[0..3]x[4..7]");
}

TEST("subtracting a rect leaves disjoint pieces covering the difference") {
  const Rect a(Point(0, 0), Point(9, 9)), hole(Point(3, 3), Point(5, 6));
  RectList rest = subtract(a, hole);
  CHECK(totalVolume(rest) == a.volume() - hole.volume());
  CHECK(unionVolume(rest) == totalVolume(rest));
  for (const Rect& r : rest) {
    CHECK(a.contains(r));
    CHECK(!r.overlaps(hole));
  }
  CHECK(subtract(Rect(0, 4), Rect(5, 9)) == RectList{Rect(0, 4)});
  CHECK(subtract(Rect(0, 4), Rect(0, 9)).empty());
}

TEST("makeDisjoint keeps the point set and removes overlaps") {
  RectList in{Rect(Point(0, 0), Point(4, 4)), Rect(Point(2, 2), Point(6, 6)), Rect(Point(0, 0), Point(1, 1)),
              Rect::emptyOf(2)};
  RectList out = makeDisjoint(in);
  CHECK(totalVolume(out) == unionVolume(in));
  CHECK(unionVolume(out) == totalVolume(out));
  CHECK(covers(out, in));
}

TEST("union volume counts shared points once in one two and three dimensions") {
  CHECK(unionVolume({Rect(0, 9), Rect(5, 14), Rect(20, 20)}) == 16);
  CHECK(unionVolume({Rect(Point(0, 0), Point(3, 3)), Rect(Point(2, 2), Point(5, 5))}) == 16 + 16 - 4);
  CHECK(unionVolume({Rect(Point(0, 0, 0), Point(1, 1, 1)), Rect(Point(1, 1, 1), Point(2, 2, 2))}) == 8 + 8 - 1);
  CHECK(unionVolume({}) == 0);
}

TEST("union volume agrees with brute force on random 2-D rect lists") {
  uint64_t seed = 12345;
  auto next = [&seed](int mod) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<coord_t>((seed >> 33) % static_cast<uint64_t>(mod));
  };
  for (int trial = 0; trial < 200; ++trial) {
    RectList rects;
    const int n = 1 + static_cast<int>(next(6));
    for (int i = 0; i < n; ++i) {
      coord_t x = next(10), y = next(10);
      rects.push_back(Rect(Point(x, y), Point(x + next(5), y + next(5))));
    }
    std::set<Point> points;
    for (const Rect& r : rects)
      for (const Point& p : pointsIn(r)) points.insert(p);
    CHECK(unionVolume(rects) == points.size());
    CHECK(unionVolume(makeDisjoint(rects)) == points.size());
    CHECK(totalVolume(makeDisjoint(rects)) == points.size());
  }
}

TEST_MAIN("data geometry")

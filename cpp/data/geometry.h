// Points and rectangles in 1 to 3 dimensions with int64 coordinates: the
// vocabulary of index spaces, launch domains, subregions and storage windows.
// Rects are inclusive on both ends (lo..hi), as in Legion, so a 1-D region of
// ten elements is Rect(0, 9). Everything here is a plain value type.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cohort {

using coord_t = int64_t;
constexpr int kMaxDim = 3;

struct Point {
  int dim = 1;
  std::array<coord_t, kMaxDim> coords{};

  Point() = default;
  explicit Point(coord_t x);
  Point(coord_t x, coord_t y);
  Point(coord_t x, coord_t y, coord_t z);

  // A point of `dim` dimensions with every coordinate equal to `value`.
  static Point filled(int dim, coord_t value);

  coord_t operator[](int d) const { return coords[static_cast<size_t>(d)]; }
  coord_t& operator[](int d) { return coords[static_cast<size_t>(d)]; }

  std::string toString() const;  // "(3)", "(1,2)", "(1,2,3)"
};

bool operator==(const Point& a, const Point& b);
bool operator!=(const Point& a, const Point& b);
// Lexicographic (dim first), so points can key ordered containers.
bool operator<(const Point& a, const Point& b);

struct Rect {
  Point lo;
  Point hi;

  Rect() : lo(0), hi(-1) {}  // the empty 1-D rect
  Rect(coord_t lo1, coord_t hi1) : lo(lo1), hi(hi1) {}
  // Throws cohort::Error when lo and hi have different dimensions.
  Rect(const Point& lo, const Point& hi);

  // The empty rect of a given dimension.
  static Rect emptyOf(int dim);

  int dim() const { return lo.dim; }
  bool empty() const;
  // Number of points; 0 when empty.
  uint64_t volume() const;
  // Number of coordinates along `d` (0 when empty along d).
  coord_t extent(int d) const;

  Rect intersection(const Rect& other) const;
  bool overlaps(const Rect& other) const;
  bool contains(const Point& p) const;
  // True when every point of `other` is in this rect (an empty rect is
  // contained in anything of the same dimension).
  bool contains(const Rect& other) const;

  std::string toString() const;  // "[0..9]", "[0..3]x[4..7]"
};

bool operator==(const Rect& a, const Rect& b);
bool operator!=(const Rect& a, const Rect& b);

// A launch domain or index space: one rectangle.
using Domain = Rect;

// Every point of a domain in row-major order (the last dimension fastest).
std::vector<Point> pointsOf(const Domain& domain);

// Row-major (last dimension fastest) position of `p` inside `bounds`.
// Throws when p is outside bounds.
uint64_t linearize(const Rect& bounds, const Point& p);
// Inverse of linearize. Throws when index >= bounds.volume().
Point delinearize(const Rect& bounds, uint64_t index);

// Visits every point of a rect in row-major order:
//   for (const Point& p : pointsIn(rect)) ...
class PointIterator {
 public:
  PointIterator(const Rect& rect, bool atEnd);
  const Point& operator*() const { return current_; }
  const Point* operator->() const { return &current_; }
  PointIterator& operator++();
  bool operator==(const PointIterator& o) const { return done_ == o.done_ && (done_ || current_ == o.current_); }
  bool operator!=(const PointIterator& o) const { return !(*this == o); }

 private:
  Rect rect_;
  Point current_;
  bool done_;
};

class PointRange {
 public:
  explicit PointRange(const Rect& rect) : rect_(rect) {}
  PointIterator begin() const { return PointIterator(rect_, false); }
  PointIterator end() const { return PointIterator(rect_, true); }

 private:
  Rect rect_;
};

inline PointRange pointsIn(const Rect& rect) { return PointRange(rect); }

// Throws cohort::Error naming `what` unless 1 <= dim <= kMaxDim.
void checkDim(int dim, const char* what);

}  // namespace cohort

#include "data/geometry.h"

#include <algorithm>
#include <limits>

#include "util/error.h"

namespace cohort {

Point::Point(coord_t x) : dim(1), coords{x, 0, 0} {}
Point::Point(coord_t x, coord_t y) : dim(2), coords{x, y, 0} {}
Point::Point(coord_t x, coord_t y, coord_t z) : dim(3), coords{x, y, z} {}

Point Point::filled(int dim, coord_t value) {
  checkDim(dim, "point");
  Point p;
  p.dim = dim;
  for (int d = 0; d < dim; ++d) p[d] = value;
  return p;
}

std::string Point::toString() const {
  std::string s = "(";
  for (int d = 0; d < dim; ++d) {
    if (d) s += ",";
    s += std::to_string((*this)[d]);
  }
  return s + ")";
}

bool operator==(const Point& a, const Point& b) {
  if (a.dim != b.dim) return false;
  for (int d = 0; d < a.dim; ++d)
    if (a[d] != b[d]) return false;
  return true;
}

bool operator!=(const Point& a, const Point& b) { return !(a == b); }

bool operator<(const Point& a, const Point& b) {
  if (a.dim != b.dim) return a.dim < b.dim;
  for (int d = 0; d < a.dim; ++d)
    if (a[d] != b[d]) return a[d] < b[d];
  return false;
}

void checkDim(int dim, const char* what) {
  if (dim < 1 || dim > kMaxDim)
    throw Error(std::string(what) + ": dimension " + std::to_string(dim) + " is not supported (1 to " +
                std::to_string(kMaxDim) + ")");
}

Rect::Rect(const Point& l, const Point& h) : lo(l), hi(h) {
  if (l.dim != h.dim)
    throw Error("rect: lo " + l.toString() + " and hi " + h.toString() + " have different dimensions");
  checkDim(l.dim, "rect");
}

Rect Rect::emptyOf(int dim) { return Rect(Point::filled(dim, 0), Point::filled(dim, -1)); }

bool Rect::empty() const {
  for (int d = 0; d < dim(); ++d)
    if (hi[d] < lo[d]) return true;
  return false;
}

coord_t Rect::extent(int d) const { return hi[d] < lo[d] ? 0 : hi[d] - lo[d] + 1; }

uint64_t Rect::volume() const {
  if (empty()) return 0;
  uint64_t v = 1;
  for (int d = 0; d < dim(); ++d) {
    const auto e = static_cast<uint64_t>(extent(d));
    if (v > std::numeric_limits<uint64_t>::max() / e) throw Error("rect " + toString() + ": volume overflows 64 bits");
    v *= e;
  }
  return v;
}

static void requireSameDim(const Rect& a, const Rect& b, const char* op) {
  if (a.dim() != b.dim())
    throw Error(std::string(op) + ": rects " + a.toString() + " and " + b.toString() + " have different dimensions");
}

Rect Rect::intersection(const Rect& o) const {
  requireSameDim(*this, o, "intersection");
  Rect r = *this;
  for (int d = 0; d < dim(); ++d) {
    r.lo[d] = std::max(lo[d], o.lo[d]);
    r.hi[d] = std::min(hi[d], o.hi[d]);
  }
  return r;
}

bool Rect::overlaps(const Rect& o) const {
  requireSameDim(*this, o, "overlaps");
  if (empty() || o.empty()) return false;
  for (int d = 0; d < dim(); ++d)
    if (hi[d] < o.lo[d] || o.hi[d] < lo[d]) return false;
  return true;
}

bool Rect::contains(const Point& p) const {
  if (p.dim != dim()) return false;
  for (int d = 0; d < dim(); ++d)
    if (p[d] < lo[d] || p[d] > hi[d]) return false;
  return true;
}

bool Rect::contains(const Rect& o) const {
  requireSameDim(*this, o, "contains");
  if (o.empty()) return true;
  for (int d = 0; d < dim(); ++d)
    if (o.lo[d] < lo[d] || o.hi[d] > hi[d]) return false;
  return true;
}

std::string Rect::toString() const {
  std::string s;
  for (int d = 0; d < dim(); ++d) {
    if (d) s += "x";
    s += "[" + std::to_string(lo[d]) + ".." + std::to_string(hi[d]) + "]";
  }
  return s;
}

bool operator==(const Rect& a, const Rect& b) { return a.lo == b.lo && a.hi == b.hi; }
bool operator!=(const Rect& a, const Rect& b) { return !(a == b); }

uint64_t linearize(const Rect& bounds, const Point& p) {
  if (!bounds.contains(p)) throw Error("linearize: point " + p.toString() + " is outside " + bounds.toString());
  uint64_t index = 0;
  for (int d = 0; d < bounds.dim(); ++d)
    index = index * static_cast<uint64_t>(bounds.extent(d)) + static_cast<uint64_t>(p[d] - bounds.lo[d]);
  return index;
}

Point delinearize(const Rect& bounds, uint64_t index) {
  if (index >= bounds.volume())
    throw Error("delinearize: index " + std::to_string(index) + " is outside " + bounds.toString());
  Point p = bounds.lo;
  for (int d = bounds.dim() - 1; d >= 0; --d) {
    const auto e = static_cast<uint64_t>(bounds.extent(d));
    p[d] = bounds.lo[d] + static_cast<coord_t>(index % e);
    index /= e;
  }
  return p;
}

PointIterator::PointIterator(const Rect& rect, bool atEnd)
    : rect_(rect), current_(rect.lo), done_(atEnd || rect.empty()) {}

PointIterator& PointIterator::operator++() {
  if (done_) return *this;
  for (int d = rect_.dim() - 1; d >= 0; --d) {
    if (current_[d] < rect_.hi[d]) {
      ++current_[d];
      return *this;
    }
    current_[d] = rect_.lo[d];
  }
  done_ = true;
  return *this;
}

std::vector<Point> pointsOf(const Domain& domain) {
  std::vector<Point> out;
  if (domain.empty()) return out;
  out.reserve(domain.volume());
  Point p = domain.lo;
  int dim = domain.dim();
  for (;;) {
    out.push_back(p);
    int d = dim - 1;
    while (d >= 0) {
      if (p[d] < domain.hi[d]) {
        ++p[d];
        break;
      }
      p[d] = domain.lo[d];
      --d;
    }
    if (d < 0) return out;
  }
}

}  // namespace cohort

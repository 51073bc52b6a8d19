#include "napi/index_launch_encoding.h"

#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "napi/marshal.h"

namespace cohort::napi {
namespace {

// Reads the encoding front to back; every read is bounds-checked, so a
// short buffer is an error, not a read past its end.
class EncodedReader {
 public:
  EncodedReader(Napi::Env env, const double* data, size_t size) : env_(env), at_(data), end_(data + size) {}

  double number(const char* what) {
    if (at_ >= end_) fail(std::string("ends before its ") + what);
    return *at_++;
  }
  // A whole number in [lo, hi].
  int64_t integer(const char* what, double lo, double hi) {
    const double v = number(what);
    if (!std::isfinite(v) || std::trunc(v) != v || v < lo || v > hi)
      fail(std::string("has an out-of-range ") + what + " (" + Napi::Number::New(env_, v).ToString().Utf8Value() + ")");
    return static_cast<int64_t>(v);
  }
  uint32_t u32(const char* what) { return static_cast<uint32_t>(integer(what, 0, 4294967295.0)); }
  coord_t coord(const char* what) {
    return static_cast<coord_t>(integer(what, -9.007199254740992e15, 9.007199254740992e15));
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw Napi::TypeError::New(env_, "cohort: the encoded index launch " + problem);
  }

 private:
  Napi::Env env_;
  const double* at_;
  const double* end_;
};

Point pointOf(EncodedReader& in, int dim, const char* what) {
  Point p = Point::filled(dim, 0);
  for (int d = 0; d < dim; ++d) p[d] = in.coord(what);
  return p;
}

// A TS projection functor's colors, evaluated by the facade for every point
// of the launch: {points, colors}, in the launch's row-major point order.
Projection projectColors(RegionForest& forest, PartitionHandle part, const Napi::Value& v) {
  if (!v.IsObject()) throw Napi::TypeError::New(v.Env(), "cohort: a colors projection needs its {points, colors}");
  Napi::Object proj = v.As<Napi::Object>();
  Napi::Array pts = proj.Get("points").As<Napi::Array>();
  Napi::Array cols = proj.Get("colors").As<Napi::Array>();
  auto table = std::make_shared<std::map<Point, Point>>();
  for (uint32_t i = 0; i < pts.Length(); ++i)
    (*table)[pointFrom(pts.Get(i), "projection point")] = pointFrom(cols.Get(i), "projection color");
  return projectThrough(forest, part, [table](const Point& p) {
    auto it = table->find(p);
    return it == table->end() ? p : it->second;
  });
}

LaunchRequirement requirementOf(RegionForest& forest, EncodedReader& in, const Napi::Value& projections, uint32_t index,
                                MappableRequirement& mappable) {
  LaunchRequirement r;
  const auto kind = static_cast<int>(in.integer("requirement kind", kRequirementRegion, kRequirementColors));
  const uint32_t tree = in.u32("tree id");
  const uint32_t node = in.u32("node id");
  r.privilege = static_cast<Privilege>(in.integer("privilege", 0, 255));
  const uint32_t redop = in.u32("reduction operator");
  r.redop = redop == 0 ? kNoRedop : static_cast<RedopId>(redop);
  r.coherence = static_cast<Coherence>(in.integer("coherence", 0, 255));
  const uint32_t fieldCount = in.u32("field count");
  r.fields.reserve(fieldCount);
  for (uint32_t f = 0; f < fieldCount; ++f) r.fields.push_back(in.u32("field id"));

  mappable.partition = kind != kRequirementRegion;
  mappable.tree = tree;
  mappable.node = node;
  mappable.fields.assign(r.fields.begin(), r.fields.end());
  mappable.privilege = r.privilege;
  mappable.redop = r.redop;
  mappable.coherence = r.coherence;

  if (kind == kRequirementRegion) {
    r.project = projectWhole(RegionHandle{tree, node});
    return r;
  }
  const PartitionHandle part{tree, node};
  forest.partition(part);  // validates the handle now, not per point
  if (kind == kRequirementIdentity) {
    r.project = projectIdentity(forest, part);
  } else if (kind == kRequirementOffset) {
    const auto dim = static_cast<int>(in.integer("offset dimension", 1, 3));
    const Point offset = pointOf(in, dim, "offset coordinate");
    r.project = projectThrough(forest, part, [offset](const Point& p) {
      Point q = p;
      for (int d = 0; d < q.dim && d < offset.dim; ++d) q[d] += offset[d];
      return q;
    });
  } else {
    if (!projections.IsArray()) in.fail("has a colors projection but no projections list");
    r.project = projectColors(forest, part, projections.As<Napi::Array>().Get(index));
  }
  return r;
}

}  // namespace

void decodeIndexLaunch(RegionForest& forest, const Napi::Float64Array& encoded, const Napi::Value& projections,
                       IndexLaunch& l) {
  EncodedReader in(encoded.Env(), encoded.Data(), encoded.ElementLength());
  l.task = in.u32("task id");
  l.options.variant = static_cast<int>(in.integer("variant", -1, 2147483647.0));
  l.parent = static_cast<OpId>(in.integer("parent", 0, 9.007199254740992e15));
  l.mapper = in.u32("mapper id");
  l.tag = in.u32("tag");
  const auto dim = static_cast<int>(in.integer("domain dimension", 1, 3));
  Point lo = Point::filled(dim, 0), hi = Point::filled(dim, 0);
  for (int d = 0; d < 3; ++d) {
    const coord_t c = in.coord("domain lo");
    if (d < dim) lo[d] = c;
  }
  for (int d = 0; d < 3; ++d) {
    const coord_t c = in.coord("domain hi");
    if (d < dim) hi[d] = c;
  }
  l.domain = Rect(lo, hi);
  const uint32_t n = in.u32("requirement count");
  l.regions.reserve(n);
  l.mapping.regions.resize(n);
  for (uint32_t i = 0; i < n; ++i) l.regions.push_back(requirementOf(forest, in, projections, i, l.mapping.regions[i]));
}

}  // namespace cohort::napi

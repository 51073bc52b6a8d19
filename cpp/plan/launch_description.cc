// Byte layout (format 1; integers little-endian, counts and lengths u32):
//   u8 magic 0xC1, u8 format version 1
//   task       u64 library hash, u32 length + name bytes
//   location   u32 rank, i32 processor, u8 variant (0 C++, 1 TS), i32 priority
//   op name    count, count x u64
//   point      u8 dim (0-3), dim x i64
//   domain     u8 dim (0-3), dim x i64 lo, dim x i64 hi
//   args       u32 length + bytes
//   futures    count, count x (u32 length + bytes)
//   regions    count, count x requirement:
//     u32 tree, u32 node, u8 privilege (0 read-only, 1 read-write,
//     2 write-discard, 3 reduce), u32 redop, u8 coherence (0 exclusive,
//     1 atomic, 2 simultaneous), count + u32 field ids, u8 dim (1-3),
//     count + rects (dim x i64 lo, dim x i64 hi)
// Nothing is optional, so any strict prefix of an encoding is refused.
#include "plan/launch_description.h"

#include <cstdio>

#include "data/region_forest.h"
#include "util/bytes.h"
#include "util/error.h"

namespace cohort {

namespace {

const char* const kWhat = "launch description";
// The fewest bytes a requirement can take: its fixed fields and two empty counts.
constexpr size_t kMinRequirementBytes = 4 + 4 + 1 + 4 + 1 + 4 + 1 + 4;

[[noreturn]] void invalid(const std::string& message) { throw Error(std::string(kWhat) + ": " + message); }

void writePoint(ByteWriter& w, const Point& p) {
  for (int d = 0; d < p.dim; ++d) w.i64(p[d]);
}

Point readPoint(ByteReader& r, int dim, const char* field) {
  Point p = noPoint();
  p.dim = dim;
  for (int d = 0; d < dim; ++d) p[d] = r.i64(field);
  return p;
}

int readDim(ByteReader& r, const char* field, int minDim) {
  uint8_t dim = r.u8(field);
  if (dim < minDim || dim > kMaxDim)
    r.fail(std::string("bad ") + field + " " + std::to_string(dim) + " (expected " + std::to_string(minDim) + " to " +
           std::to_string(kMaxDim) + ")");
  return dim;
}

// Reads a one-byte tag and refuses values >= `limit`.
uint8_t readTag(ByteReader& r, const char* field, uint8_t limit) {
  uint8_t tag = r.u8(field);
  if (tag >= limit)
    r.fail(std::string("bad ") + field + " tag " + std::to_string(tag) + " (expected 0 to " +
           std::to_string(limit - 1) + ")");
  return tag;
}

void validateRequirement(const RequirementDescription& q, size_t i) {
  const std::string which = "requirement " + std::to_string(i);
  if (q.region.tree == 0) invalid(which + " names tree 0, which is never a region tree");
  if (q.privilege > Privilege::Reduce) invalid(which + " has an unknown privilege");
  if (q.coherence > Coherence::Simultaneous) invalid(which + " has an unknown coherence");
  if ((q.privilege == Privilege::Reduce) != (q.redop != kNoRedop))
    invalid(which + (q.redop == kNoRedop ? " reduces without a redop" : " has a redop but does not reduce"));
  if (q.dim < 1 || q.dim > kMaxDim) invalid(which + " has dim " + std::to_string(q.dim) + " (expected 1 to 3)");
  for (const Rect& rect : q.rects)
    if (rect.lo.dim != q.dim || rect.hi.dim != q.dim)
      invalid(which + " has a rect of dim " + std::to_string(rect.lo.dim) + " in a region of dim " +
              std::to_string(q.dim));
}

std::string hexByte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

std::string describeDomain(const Rect& r) { return r.dim() == 0 ? "[]" : r.toString(); }

std::string describeRects(const std::vector<Rect>& rects) {
  if (rects.empty()) return "none";
  std::string s;
  for (size_t i = 0; i < rects.size(); ++i) s += (i ? "," : "") + rects[i].toString();
  return s;
}

}  // namespace

bool RequirementDescription::operator==(const RequirementDescription& o) const {
  return region == o.region && privilege == o.privilege && redop == o.redop && coherence == o.coherence &&
         fields == o.fields && dim == o.dim && rects == o.rects;
}

bool LaunchDescription::operator==(const LaunchDescription& o) const {
  return task == o.task && where == o.where && name == o.name && point == o.point && domain == o.domain &&
         args == o.args && futures == o.futures && requirements == o.requirements;
}

void validate(const LaunchDescription& d) {
  if (d.task.name.empty()) invalid("the task name is empty");
  if (d.where.variant != VariantKind::Cpp && d.where.variant != VariantKind::Js) invalid("unknown variant");
  if (d.point.dim < 0 || d.point.dim > kMaxDim) invalid("point dim " + std::to_string(d.point.dim));
  if (d.domain.lo.dim != d.point.dim || d.domain.hi.dim != d.point.dim)
    invalid("point " + d.point.toString() + " and domain " + describeDomain(d.domain) +
            " have different dims (both 0 for a single task)");
  if (d.isIndexPoint() && !d.domain.contains(d.point))
    invalid("point " + d.point.toString() + " is outside its launch domain " + d.domain.toString());
  for (size_t i = 0; i < d.requirements.size(); ++i) validateRequirement(d.requirements[i], i);
}

std::vector<uint8_t> encode(const LaunchDescription& d) {
  validate(d);
  ByteWriter w;
  w.u8(kLaunchMagic);
  w.u8(kLaunchFormatVersion);
  w.u64(d.task.libraryHash);
  w.str(d.task.name, "task name");
  w.u32(d.where.rank);
  w.i32(d.where.processor);
  w.u8(static_cast<uint8_t>(d.where.variant));
  w.i32(d.where.priority);
  w.count(d.name.path.size(), "op name length");
  for (uint64_t pos : d.name.path) w.u64(pos);
  w.u8(static_cast<uint8_t>(d.point.dim));
  writePoint(w, d.point);
  w.u8(static_cast<uint8_t>(d.domain.dim()));
  writePoint(w, d.domain.lo);
  writePoint(w, d.domain.hi);
  w.blob(d.args, "args");
  w.count(d.futures.size(), "future count");
  for (const auto& f : d.futures) w.blob(f, "future value");
  w.count(d.requirements.size(), "requirement count");
  for (const RequirementDescription& q : d.requirements) {
    w.u32(q.region.tree);
    w.u32(q.region.node);
    w.u8(static_cast<uint8_t>(q.privilege));
    w.u32(q.redop);
    w.u8(static_cast<uint8_t>(q.coherence));
    w.count(q.fields.size(), "field count");
    for (FieldId f : q.fields) w.u32(f);
    w.u8(static_cast<uint8_t>(q.dim));
    w.count(q.rects.size(), "rect count");
    for (const Rect& rect : q.rects) {
      writePoint(w, rect.lo);
      writePoint(w, rect.hi);
    }
  }
  return w.take();
}

LaunchDescription decodeLaunch(const uint8_t* data, size_t size) {
  ByteReader r(data, size, kWhat);
  uint8_t magic = r.u8("magic byte");
  if (magic != kLaunchMagic) r.fail("bad magic byte " + hexByte(magic) + " (expected " + hexByte(kLaunchMagic) + ")");
  uint8_t version = r.u8("format version");
  if (version != kLaunchFormatVersion)
    r.fail("unsupported format version " + std::to_string(version) + " (this build reads version " +
           std::to_string(kLaunchFormatVersion) + ")");

  LaunchDescription d;
  d.task.libraryHash = r.u64("library hash");
  d.task.name = r.str("task name");
  d.where.rank = r.u32("rank");
  d.where.processor = r.i32("processor");
  d.where.variant = static_cast<VariantKind>(readTag(r, "variant", 2));
  d.where.priority = r.i32("priority");
  uint32_t depth = r.count("op name length", 8);
  d.name.path.reserve(depth);
  for (uint32_t i = 0; i < depth; ++i) d.name.path.push_back(r.u64("op name position"));
  int pointDim = readDim(r, "point dim", 0);
  d.point = readPoint(r, pointDim, "point");
  int domainDim = readDim(r, "domain dim", 0);
  d.domain.lo = readPoint(r, domainDim, "domain lo");
  d.domain.hi = readPoint(r, domainDim, "domain hi");
  d.args = r.blob("args length");
  uint32_t nFutures = r.count("future count", 4);
  d.futures.reserve(nFutures);
  for (uint32_t i = 0; i < nFutures; ++i) d.futures.push_back(r.blob("future value length"));
  uint32_t nReqs = r.count("requirement count", kMinRequirementBytes);
  d.requirements.reserve(nReqs);
  for (uint32_t i = 0; i < nReqs; ++i) {
    RequirementDescription q;
    q.region.tree = r.u32("region tree");
    q.region.node = r.u32("region node");
    q.privilege = static_cast<Privilege>(readTag(r, "privilege", 4));
    q.redop = r.u32("redop");
    q.coherence = static_cast<Coherence>(readTag(r, "coherence", 3));
    uint32_t nFields = r.count("field count", 4);
    q.fields.reserve(nFields);
    for (uint32_t f = 0; f < nFields; ++f) q.fields.push_back(r.u32("field id"));
    q.dim = readDim(r, "region dim", 1);
    uint32_t nRects = r.count("rect count", 16 * static_cast<size_t>(q.dim));
    q.rects.reserve(nRects);
    for (uint32_t k = 0; k < nRects; ++k) {
      Rect rect;
      rect.lo = readPoint(r, q.dim, "rect lo");
      rect.hi = readPoint(r, q.dim, "rect hi");
      q.rects.push_back(rect);
    }
    d.requirements.push_back(std::move(q));
  }
  r.expectEnd();
  validate(d);
  return d;
}

std::string LaunchDescription::toString() const {
  std::string s = "launch " + task.toString() + " op " + name.toString();
  if (isIndexPoint()) s += " point " + point.toString() + " of " + domain.toString();
  s += " on rank " + std::to_string(where.rank) + " " +
       (where.processor < 0 ? std::string("any worker") : "processor " + std::to_string(where.processor)) + " (" +
       (where.variant == VariantKind::Cpp ? "C++" : "TS") + ", priority " + std::to_string(where.priority) + ")";
  s += ", args " + std::to_string(args.size()) + " B, futures [";
  for (size_t i = 0; i < futures.size(); ++i) s += (i ? ", " : "") + std::to_string(futures[i].size()) + " B";
  s += "], " + std::to_string(requirements.size()) + (requirements.size() == 1 ? " requirement" : " requirements");
  for (size_t i = 0; i < requirements.size(); ++i) {
    const RequirementDescription& q = requirements[i];
    s += i ? "; " : ": ";
    s += "tree " + std::to_string(q.region.tree) + " node " + std::to_string(q.region.node) + " " +
         describeAccess(Access{q.privilege, q.redop, q.coherence}) + " fields {";
    for (size_t f = 0; f < q.fields.size(); ++f) s += (f ? "," : "") + std::to_string(q.fields[f]);
    s += "} rects " + describeRects(q.rects);
  }
  return s;
}

RequirementDescription describeRequirement(const RegionForest& forest, const RegionRequirement& req) {
  const RegionNode& node = forest.region(req.region);
  RequirementDescription q;
  q.region = req.region;
  q.privilege = req.privilege;
  q.redop = req.redop;
  q.coherence = req.coherence;
  q.fields.assign(req.fields.begin(), req.fields.end());
  q.dim = node.dim();
  q.rects = node.rects();
  return q;
}

std::vector<RequirementDescription> describeRequirements(const RegionForest& forest, const RegionRequirements& reqs) {
  std::vector<RequirementDescription> out;
  out.reserve(reqs.size());
  for (const RegionRequirement& req : reqs) out.push_back(describeRequirement(forest, req));
  return out;
}

}  // namespace cohort

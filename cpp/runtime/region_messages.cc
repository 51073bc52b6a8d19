#include "runtime/region_messages.h"

namespace cohort {

namespace {
void putSpec(ByteWriter& w, const PieceSpec& s) {
  w.u32(s.tree);
  w.u32(s.field);
  w.u8(static_cast<uint8_t>(s.type));
  putRect(w, s.root);
  putRect(w, s.rect);
}

FieldType getType(ByteReader& r) {
  const uint8_t t = r.u8("field type");
  if (t > static_cast<uint8_t>(FieldType::U8)) r.fail("field type " + std::to_string(t) + " is not known");
  return static_cast<FieldType>(t);
}

PieceSpec getSpec(ByteReader& r) {
  PieceSpec s;
  s.tree = r.u32("tree");
  s.field = r.u32("field");
  s.type = getType(r);
  s.root = getRect(r, "root bounds");
  s.rect = getRect(r, "piece rect");
  if (s.rect.dim() != s.root.dim() || !s.root.contains(s.rect))
    r.fail("piece " + s.rect.toString() + " is not inside the tree's bounds " + s.root.toString());
  return s;
}
}  // namespace

void putRect(ByteWriter& w, const Rect& r) {
  w.u8(static_cast<uint8_t>(r.dim()));
  for (int d = 0; d < r.dim(); ++d) {
    w.i64(r.lo[d]);
    w.i64(r.hi[d]);
  }
}

Rect getRect(ByteReader& r, const char* field) {
  const int dim = r.u8(field);
  if (dim < 1 || dim > kMaxDim) r.fail(std::string(field) + ": dimension " + std::to_string(dim) + " is not 1..3");
  Point lo = Point::filled(dim, 0), hi = Point::filled(dim, 0);
  for (int d = 0; d < dim; ++d) {
    lo[d] = r.i64(field);
    hi[d] = r.i64(field);
  }
  return Rect(lo, hi);
}

void putRegion(ByteWriter& w, const RemoteRegion& g) {
  w.u32(g.tree);
  w.u32(g.node);
  putRect(w, g.root);
  putRect(w, g.bounds);
  w.count(g.rects.size(), "rects");
  for (const Rect& r : g.rects) putRect(w, r);
  w.u8(static_cast<uint8_t>(g.privilege));
  w.i32(g.redop);
  w.u8(g.checkable ? 1 : 0);
  w.count(g.fields.size(), "fields");
  for (const RemoteField& f : g.fields) {
    w.u32(f.id);
    w.u8(static_cast<uint8_t>(f.type));
    w.str(f.name, "field name");
  }
}

RemoteRegion getRegion(ByteReader& r) {
  RemoteRegion g;
  g.tree = r.u32("tree");
  g.node = r.u32("region node");
  g.root = getRect(r, "root bounds");
  g.bounds = getRect(r, "region bounds");
  const uint32_t nr = r.count("rects", 9);
  g.rects.reserve(nr);
  for (uint32_t i = 0; i < nr; ++i) g.rects.push_back(getRect(r, "region rect"));
  const uint8_t p = r.u8("privilege");
  if (p > static_cast<uint8_t>(Privilege::Reduce)) r.fail("privilege " + std::to_string(p) + " is not known");
  g.privilege = static_cast<Privilege>(p);
  g.redop = r.i32("redop");
  g.checkable = r.u8("checkable") != 0;
  const uint32_t nf = r.count("fields", 9);
  g.fields.reserve(nf);
  for (uint32_t i = 0; i < nf; ++i) {
    RemoteField f;
    f.id = r.u32("field id");
    f.type = getType(r);
    f.name = r.str("field name");
    g.fields.push_back(std::move(f));
  }
  if (g.bounds.dim() != g.root.dim() || (!g.bounds.empty() && !g.root.contains(g.bounds)))
    r.fail("region bounds " + g.bounds.toString() + " are not inside the tree's bounds " + g.root.toString());
  return g;
}

void putPiece(ByteWriter& w, const PieceData& p) {
  putSpec(w, p.spec);
  w.blob(p.bytes, "piece bytes");
}

PieceData getPiece(ByteReader& r) {
  PieceData p;
  p.spec = getSpec(r);
  p.bytes = r.blob("piece bytes");
  return p;
}

std::vector<uint8_t> encode(const CopyOutMsg& m) {
  ByteWriter w;
  w.u64(m.copy);
  w.u32(m.dest);
  w.count(m.pieces.size(), "pieces");
  for (const PieceSpec& s : m.pieces) putSpec(w, s);
  return w.take();
}

std::vector<uint8_t> encode(const CopyDataMsg& m) {
  ByteWriter w;
  w.u64(m.copy);
  w.count(m.pieces.size(), "pieces");
  for (const PieceData& p : m.pieces) putPiece(w, p);
  return w.take();
}

CopyOutMsg decodeCopyOut(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "copy-out request");
  CopyOutMsg m;
  m.copy = r.u64("copy");
  m.dest = r.u32("destination");
  const uint32_t n = r.count("pieces", 27);
  m.pieces.reserve(n);
  for (uint32_t i = 0; i < n; ++i) m.pieces.push_back(getSpec(r));
  r.expectEnd();
  return m;
}

CopyDataMsg decodeCopyData(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "copy data");
  CopyDataMsg m;
  m.copy = r.u64("copy");
  const uint32_t n = r.count("pieces", 31);
  m.pieces.reserve(n);
  for (uint32_t i = 0; i < n; ++i) m.pieces.push_back(getPiece(r));
  r.expectEnd();
  return m;
}

}  // namespace cohort

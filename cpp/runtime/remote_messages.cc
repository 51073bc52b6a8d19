#include "runtime/remote_messages.h"

#include "util/bytes.h"

namespace cohort {

namespace {
void putPoint(ByteWriter& w, const TaskPoint& p) {
  w.i32(p.dim);
  for (int d = 0; d < 3; ++d) {
    w.i64(p.point[d]);
    w.i64(p.lo[d]);
    w.i64(p.hi[d]);
  }
}
TaskPoint getPoint(ByteReader& r) {
  TaskPoint p;
  p.dim = r.i32("point dim");
  if (p.dim < 0 || p.dim > 3) r.fail("point dim " + std::to_string(p.dim) + " is not 0..3");
  for (int d = 0; d < 3; ++d) {
    p.point[d] = r.i64("point");
    p.lo[d] = r.i64("domain lo");
    p.hi[d] = r.i64("domain hi");
  }
  return p;
}
}  // namespace

std::vector<uint8_t> encode(const TaskRequestMsg& m) {
  ByteWriter w;
  w.u64(m.request);
  w.u64(m.libraryHash);
  w.str(m.task, "task");
  w.u8(static_cast<uint8_t>(m.variant));
  w.i32(m.worker);
  w.i32(m.priority);
  w.str(m.context, "context");
  w.u64(m.position);
  putPoint(w, m.point);
  w.blob(m.args, "args");
  w.count(m.futures.size(), "futures");
  for (const auto& f : m.futures) w.blob(f, "future");
  w.count(m.regions.size(), "regions");
  for (const auto& g : m.regions) putRegion(w, g);
  w.count(m.data.size(), "pieces");
  for (const auto& p : m.data) putPiece(w, p);
  w.u32(m.copiesExpected);
  w.u8(static_cast<uint8_t>((m.mapOnTarget ? 1 : 0) | (m.variantForced ? 2 : 0)));
  w.u32(m.mapper);
  w.u32(m.tag);
  return w.take();
}

TaskRequestMsg decodeTaskRequest(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "task request");
  TaskRequestMsg m;
  m.request = r.u64("request");
  m.libraryHash = r.u64("library hash");
  m.task = r.str("task");
  const uint8_t v = r.u8("variant");
  if (v > 1) r.fail("variant " + std::to_string(v) + " is not 0 (C++) or 1 (TS)");
  m.variant = static_cast<VariantKind>(v);
  m.worker = r.i32("worker");
  m.priority = r.i32("priority");
  m.context = r.str("context");
  m.position = r.u64("position");
  m.point = getPoint(r);
  m.args = r.blob("args");
  const uint32_t n = r.count("futures", 4);
  m.futures.reserve(n);
  for (uint32_t i = 0; i < n; ++i) m.futures.push_back(r.blob("future"));
  const uint32_t nr = r.count("regions", 40);
  m.regions.reserve(nr);
  for (uint32_t i = 0; i < nr; ++i) m.regions.push_back(getRegion(r));
  const uint32_t np = r.count("pieces", 31);
  m.data.reserve(np);
  for (uint32_t i = 0; i < np; ++i) m.data.push_back(getPiece(r));
  m.copiesExpected = r.u32("copies expected");
  const uint8_t mapping = r.u8("mapping flags");
  m.mapOnTarget = (mapping & 1) != 0;
  m.variantForced = (mapping & 2) != 0;
  m.mapper = r.u32("mapper");
  m.tag = r.u32("tag");
  r.expectEnd();
  return m;
}

std::vector<uint8_t> encode(const TaskReplyMsg& m) {
  ByteWriter w;
  w.u64(m.request);
  w.u8(m.ok ? 1 : 0);
  if (m.ok) {
    w.blob(m.result, "result");
  } else {
    w.str(m.message, "message");
    w.str(m.stack, "stack");
    w.str(m.origin, "origin");
  }
  return w.take();
}

TaskReplyMsg decodeTaskReply(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "task reply");
  TaskReplyMsg m;
  m.request = r.u64("request");
  m.ok = r.u8("ok") != 0;
  if (m.ok) {
    m.result = r.blob("result");
  } else {
    m.message = r.str("message");
    m.stack = r.str("stack");
    m.origin = r.str("origin");
  }
  r.expectEnd();
  return m;
}

std::vector<uint8_t> encode(const HelloMsg& m) {
  ByteWriter w;
  w.u32(m.workers);
  w.u8(m.replicated ? 1 : 0);
  w.count(m.registrations.size(), "registrations");
  for (const auto& s : m.registrations) w.str(s, "registration");
  return w.take();
}

HelloMsg decodeHello(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "hello");
  HelloMsg m;
  m.workers = r.u32("workers");
  m.replicated = r.u8("replicated") != 0;
  const uint32_t n = r.count("registrations", 4);
  for (uint32_t i = 0; i < n; ++i) m.registrations.push_back(r.str("registration"));
  r.expectEnd();
  return m;
}

std::vector<uint8_t> encode(const WelcomeMsg& m) {
  ByteWriter w;
  w.count(m.workers.size(), "ranks");
  for (uint32_t n : m.workers) w.u32(n);
  return w.take();
}

WelcomeMsg decodeWelcome(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "welcome");
  WelcomeMsg m;
  const uint32_t n = r.count("ranks", 4);
  for (uint32_t i = 0; i < n; ++i) m.workers.push_back(r.u32("workers"));
  r.expectEnd();
  return m;
}

std::vector<uint8_t> encode(const LoadLibraryMsg& m) {
  ByteWriter w;
  w.u64(m.token);
  w.str(m.path, "path");
  w.u64(m.contentHash);
  return w.take();
}

LoadLibraryMsg decodeLoadLibrary(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "load library");
  LoadLibraryMsg m;
  m.token = r.u64("token");
  m.path = r.str("path");
  m.contentHash = r.u64("content hash");
  r.expectEnd();
  return m;
}

std::vector<uint8_t> encode(const LibraryLoadedMsg& m) {
  ByteWriter w;
  w.u64(m.token);
  w.str(m.error, "error");
  return w.take();
}

LibraryLoadedMsg decodeLibraryLoaded(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "library loaded");
  LibraryLoadedMsg m;
  m.token = r.u64("token");
  m.error = r.str("error");
  r.expectEnd();
  return m;
}

std::vector<uint8_t> encode(const RunCallbackMsg& m) {
  ByteWriter w;
  w.u64(m.token);
  w.u64(m.libraryHash);
  w.str(m.name, "callback");
  w.blob(m.payload, "payload");
  return w.take();
}

RunCallbackMsg decodeRunCallback(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "run callback");
  RunCallbackMsg m;
  m.token = r.u64("token");
  m.libraryHash = r.u64("library hash");
  m.name = r.str("callback");
  m.payload = r.blob("payload");
  r.expectEnd();
  return m;
}

}  // namespace cohort

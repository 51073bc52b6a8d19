// Kernels of the randomized sequential-oracle test (test/oracle.test.ts).
//
// oracle_op(desc) is the C++ twin of the TS kernel in test/oracle/kernel.ts:
// both must compute bit-identical results, so the test can pick either
// variant per operation and compare everything with the sequential
// interpreter. The descriptor (an Int32Array) is laid out as
//
//   [op, nfutures, delay, nreq, { mode, dim, nfields, tag * nfields, nrects,
//                                 (lo[dim], hi[dim]) * nrects } * nreq]
//
// mode: 0 read-only, 1 read-write, 2 write-discard, 3 reduce(sum),
// 4 reduce(max), 5 reduce(min), 6 reduce(product). nfutures is how many
// futures the task must receive (digests of other oracle tasks). delay:
// microseconds to busy-wait first (times 1 to 4 by point), so that tasks
// finish in shuffled orders and missing dependences show; it changes no
// result. Field k of requirement r is the k-th field of that
// requirement (the order the launch named them in). The rects are the
// exact points of the requirement's region (a region may be several rects;
// only those points are touched, never the rest of the bounding box); the
// kernel first checks that the runtime's rects of each requirement
// (ctx.regionRects) hold exactly these points, and that the field views of
// a requirement without points are empty.
//
// The kernel:
//   g = mix(mix(SEED, op), pointHash); g = mix(g, low32(f)) for each future
//   value f in order; for every element e read (modes 0/1):
//       g += mix(mix(tag + 256 r, coordHash(e)), low32(value))
//   for every element e written (modes 1-4), with L(e) a weighted sum of
//   the values read at e and its axis neighbours (any read requirement of
//   the same dimension, values as they were before this task wrote):
//       base = mix(mix(mix(g, tag + 256 w), coordHash(e)), L(e))
//       1: mix(base, low32(old)) & 0x7fffffff   2: base & 0x7fffffff
//       3: old + (base & 0xfffff)               4: max(old, base & 0xfffff)
//       5: min(old, base & 0xfffff)             6: low32(old) * (1 + 2 (base & 7)) mod 2^32
//   result: g
//
// oracle_rendezvous / oracle_reset / oracle_handshake instrument
// parallelism (how many point tasks of one launch run at once; whether a C++
// task and a TS task overlap). Their deadlines are hang guards only.
#include <cohort/cohort.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace {

uint32_t mix(uint32_t h, uint32_t v) {
  h = (h ^ v) * 0x9e3779b1u;
  h ^= h >> 15;
  h *= 0x85ebca77u;
  h ^= h >> 13;
  return h;
}

struct Box {
  int64_t lo[2] = {0, 0};
  int64_t hi[2] = {0, 0};
};

struct Req {
  int mode = 0;
  int dim = 1;
  std::vector<int32_t> tags;
  std::vector<Box> rects;
};

bool reads(int mode) { return mode == 0 || mode == 1; }
bool writes(int mode) { return mode >= 1; }

uint32_t coordHash(const int64_t* c, int dim) {
  uint32_t h = 0x51ed27u;
  for (int d = 0; d < dim; ++d) h = mix(h, static_cast<uint32_t>(c[d]));
  return h;
}

bool inRects(const Req& r, const int64_t* c) {
  for (const Box& b : r.rects) {
    bool in = true;
    for (int d = 0; d < r.dim; ++d)
      if (c[d] < b.lo[d] || c[d] > b.hi[d]) in = false;
    if (in) return true;
  }
  return false;
}

// Calls f(point) for every point of the requirement's rects, row-major.
template <typename F>
void forEachPoint(const Req& r, F f) {
  for (const Box& b : r.rects) {
    if (r.dim == 1) {
      for (int64_t x = b.lo[0]; x <= b.hi[0]; ++x) {
        const int64_t c[2] = {x, 0};
        f(c);
      }
    } else {
      for (int64_t x = b.lo[0]; x <= b.hi[0]; ++x)
        for (int64_t y = b.lo[1]; y <= b.hi[1]; ++y) {
          const int64_t c[2] = {x, y};
          f(c);
        }
    }
  }
}

char* element(const cohort_field_view& v, const int64_t* c, int dim) {
  if (v.dim != dim)
    throw std::runtime_error("oracle_op: field view is " + std::to_string(v.dim) + "-D, descriptor says " +
                             std::to_string(dim) + "-D");
  int64_t off = 0;
  for (int d = 0; d < dim; ++d) {
    if (c[d] < v.lo[d] || c[d] > v.hi[d])
      throw std::runtime_error("oracle_op: point coordinate " + std::to_string(c[d]) + " (dimension " +
                               std::to_string(d) + ") is outside the field view [" + std::to_string(v.lo[d]) + ", " +
                               std::to_string(v.hi[d]) + "]");
    off += (c[d] - v.lo[d]) * v.strides[d];
  }
  size_t size = v.field_type == COHORT_I64 ? 8 : 4;
  return static_cast<char*>(v.base) + off * static_cast<int64_t>(size);
}

int64_t load(const cohort_field_view& v, const int64_t* c, int dim) {
  const char* p = element(v, c, dim);
  switch (v.field_type) {
    case COHORT_I32: return *reinterpret_cast<const int32_t*>(p);
    case COHORT_U32: return *reinterpret_cast<const uint32_t*>(p);
    case COHORT_I64: return *reinterpret_cast<const int64_t*>(p);
    default: throw std::runtime_error("oracle_op: unexpected field type " + std::to_string(v.field_type));
  }
}

void store(const cohort_field_view& v, const int64_t* c, int dim, int64_t value) {
  char* p = element(v, c, dim);
  const uint32_t low = static_cast<uint32_t>(static_cast<uint64_t>(value));
  switch (v.field_type) {
    case COHORT_I32: *reinterpret_cast<int32_t*>(p) = static_cast<int32_t>(low); break;
    case COHORT_U32: *reinterpret_cast<uint32_t*>(p) = low; break;
    case COHORT_I64: *reinterpret_cast<int64_t*>(p) = value; break;
    default: throw std::runtime_error("oracle_op: unexpected field type " + std::to_string(v.field_type));
  }
}

void oracleOp(cohort::TaskContext& ctx) {
  cohort::Value arg = ctx.arg(0);
  const int32_t* d = arg.typedData<int32_t>();
  const size_t n = arg.size();
  size_t at = 0;
  auto next = [&]() -> int32_t {
    if (at >= n) throw std::runtime_error("oracle_op: truncated descriptor");
    return d[at++];
  };
  const uint32_t op = static_cast<uint32_t>(next());
  const uint32_t nfutures = static_cast<uint32_t>(next());
  const int delay = next();
  const int nreq = next();
  std::vector<Req> reqs(static_cast<size_t>(nreq));
  for (Req& r : reqs) {
    r.mode = next();
    r.dim = next();
    const int nf = next();
    for (int k = 0; k < nf; ++k) r.tags.push_back(next());
    const int nr = next();
    for (int i = 0; i < nr; ++i) {
      Box b;
      for (int k = 0; k < r.dim; ++k) b.lo[k] = next();
      for (int k = 0; k < r.dim; ++k) b.hi[k] = next();
      r.rects.push_back(b);
    }
  }
  if (ctx.regionCount() != reqs.size())
    throw std::runtime_error("oracle_op: " + std::to_string(ctx.regionCount()) +
                             " region requirements, descriptor has " + std::to_string(reqs.size()));

  // The runtime's rects of each requirement must be exactly the points the
  // descriptor (the generator's own geometry) names.
  for (size_t r = 0; r < reqs.size(); ++r) {
    const Req& q = reqs[r];
    int64_t want = 0;
    for (const Box& b : q.rects) {
      int64_t v = 1;
      for (int k = 0; k < q.dim; ++k) v *= b.hi[k] - b.lo[k] + 1;
      want += v;
    }
    int64_t got = 0;
    for (const auto& rb : ctx.regionRects(static_cast<uint32_t>(r))) {
      Box b;
      for (int k = 0; k < q.dim; ++k) {
        b.lo[k] = rb.lo[k];
        b.hi[k] = rb.hi[k];
      }
      Req one;
      one.dim = q.dim;
      one.rects.push_back(b);
      forEachPoint(one, [&](const int64_t* c) {
        if (!inRects(q, c))
          throw std::runtime_error("oracle_op: requirement " + std::to_string(r) + " holds point (" +
                                   std::to_string(c[0]) + (q.dim == 2 ? "," + std::to_string(c[1]) : std::string()) +
                                   ") that the descriptor's region does not");
        ++got;
      });
    }
    if (got != want)
      throw std::runtime_error("oracle_op: requirement " + std::to_string(r) + " has " + std::to_string(got) +
                               " points, the descriptor's region " + std::to_string(want));
    if (want == 0) {
      for (size_t k = 0; k < q.tags.size(); ++k) {
        const cohort_field_view v = ctx.fieldView(static_cast<uint32_t>(r), static_cast<uint32_t>(k));
        bool empty = false;
        for (int dd = 0; dd < v.dim; ++dd)
          if (v.hi[dd] < v.lo[dd]) empty = true;
        if (!empty)
          throw std::runtime_error("oracle_op: requirement " + std::to_string(r) +
                                   " has no points, but the view of its field " + std::to_string(k) +
                                   " is not empty (lo " + std::to_string(v.lo[0]) + ", hi " + std::to_string(v.hi[0]) +
                                   ")");
      }
    }
  }
  if (ctx.futureCount() != nfutures)
    throw std::runtime_error("oracle_op: " + std::to_string(ctx.futureCount()) + " futures, the descriptor says " +
                             std::to_string(nfutures));

  uint32_t pointHash = 0x7f4a7c15u;
  const int pd = ctx.pointDim();
  if (pd > 0) {
    pointHash = 0x2545f491u;
    for (int k = 0; k < pd; ++k) pointHash = mix(pointHash, static_cast<uint32_t>(ctx.point(k)));
  }
  if (delay > 0) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(delay * (1 + (pointHash & 3)) / 4);
    while (std::chrono::steady_clock::now() < until) {
    }
  }
  uint32_t g = mix(mix(0xabcdefu, op), pointHash);
  for (uint32_t i = 0; i < nfutures; ++i) g = mix(g, static_cast<uint32_t>(ctx.future(i).asNumber()));

  // Phase 1: read everything (snapshots keep the values from before any
  // write of this task, for neighbour lookups).
  std::map<std::tuple<int, int, int64_t, int64_t>, int64_t> snap;
  for (size_t r = 0; r < reqs.size(); ++r) {
    const Req& q = reqs[r];
    if (!reads(q.mode)) continue;
    for (size_t k = 0; k < q.tags.size(); ++k) {
      const cohort_field_view v = ctx.fieldView(static_cast<uint32_t>(r), static_cast<uint32_t>(k));
      forEachPoint(q, [&](const int64_t* c) {
        const int64_t value = load(v, c, q.dim);
        snap[{static_cast<int>(r), static_cast<int>(k), c[0], c[1]}] = value;
        g += mix(mix(static_cast<uint32_t>(q.tags[k]) + 256u * static_cast<uint32_t>(r), coordHash(c, q.dim)),
                 static_cast<uint32_t>(value));
      });
    }
  }

  // Phase 2: write.
  for (size_t w = 0; w < reqs.size(); ++w) {
    const Req& q = reqs[w];
    if (!writes(q.mode)) continue;
    for (size_t j = 0; j < q.tags.size(); ++j) {
      const cohort_field_view v = ctx.fieldView(static_cast<uint32_t>(w), static_cast<uint32_t>(j));
      forEachPoint(q, [&](const int64_t* c) {
        // Neighbours: e, e-1 and e+1 along each dimension.
        int64_t nb[5][2];
        int nn = 0;
        nb[nn][0] = c[0];
        nb[nn][1] = c[1];
        ++nn;
        for (int dd = 0; dd < q.dim; ++dd) {
          for (int s = -1; s <= 1; s += 2) {
            nb[nn][0] = c[0];
            nb[nn][1] = c[1];
            nb[nn][dd] += s;
            ++nn;
          }
        }
        uint32_t L = 0;
        for (size_t r = 0; r < reqs.size(); ++r) {
          const Req& rr = reqs[r];
          if (!reads(rr.mode) || rr.dim != q.dim) continue;
          for (size_t k = 0; k < rr.tags.size(); ++k) {
            for (int t = 0; t < nn; ++t) {
              if (!inRects(rr, nb[t])) continue;
              const int64_t value =
                  snap.at({static_cast<int>(r), static_cast<int>(k), nb[t][0], q.dim == 2 ? nb[t][1] : 0});
              L += static_cast<uint32_t>(value) *
                   static_cast<uint32_t>(2 * t + 1 + 16 * static_cast<int>(k) + 256 * static_cast<int>(r));
            }
          }
        }
        const uint32_t base = mix(
            mix(mix(g, static_cast<uint32_t>(q.tags[j]) + 256u * static_cast<uint32_t>(w)), coordHash(c, q.dim)), L);
        switch (q.mode) {
          case 1: {
            const int64_t old = snap.at({static_cast<int>(w), static_cast<int>(j), c[0], c[1]});
            store(v, c, q.dim, mix(base, static_cast<uint32_t>(old)) & 0x7fffffffu);
            break;
          }
          case 2: store(v, c, q.dim, base & 0x7fffffffu); break;
          case 3: store(v, c, q.dim, load(v, c, q.dim) + static_cast<int64_t>(base & 0xfffffu)); break;
          case 4:
            store(v, c, q.dim, std::max<int64_t>(load(v, c, q.dim), static_cast<int64_t>(base & 0xfffffu)));
            break;
          case 5:
            store(v, c, q.dim, std::min<int64_t>(load(v, c, q.dim), static_cast<int64_t>(base & 0xfffffu)));
            break;
          case 6: {
            const uint32_t low = static_cast<uint32_t>(static_cast<uint64_t>(load(v, c, q.dim)));
            store(v, c, q.dim, static_cast<int64_t>(low * (1u + 2u * (base & 7u))));
            break;
          }
          default: throw std::runtime_error("oracle_op: bad mode " + std::to_string(q.mode));
        }
      });
    }
  }
  ctx.result(static_cast<double>(g));
}

// ---- parallelism instrumentation -------------------------------------

struct Slot {
  std::atomic<int> running{0};
  std::atomic<int> maxRunning{0};
};
Slot slots[16];

Slot& slotOf(cohort::TaskContext& ctx) {
  const int64_t s = ctx.arg(0).asInt();
  if (s < 0 || s >= 16) throw std::runtime_error("oracle: probe slot out of range");
  return slots[s];
}

// oracle_reset(slot): clears a probe slot.
void oracleReset(cohort::TaskContext& ctx) {
  Slot& s = slotOf(ctx);
  s.running = 0;
  s.maxRunning = 0;
  ctx.result(0.0);
}

// oracle_rendezvous(slot, n): a point task of an index launch over a
// disjoint partition (requirement 0, one i32 field, read-write). It writes
// its point's first coordinate into its subregion, then waits until n tasks
// of the slot have been running at the same time (or a 20 s hang guard
// expires) and returns the largest number seen running at once.
void oracleRendezvous(cohort::TaskContext& ctx) {
  Slot& s = slotOf(ctx);
  const int n = static_cast<int>(ctx.arg(1).asInt());
  const int now = s.running.fetch_add(1) + 1;
  int prev = s.maxRunning.load();
  while (now > prev && !s.maxRunning.compare_exchange_weak(prev, now)) {
  }
  if (ctx.regionCount() > 0) {
    const cohort_field_view v = ctx.fieldView(0, 0);
    if (v.field_type != COHORT_I32 || v.dim != 1)
      throw std::runtime_error("oracle_rendezvous: expects a 1-D i32 field");
    int32_t* base = static_cast<int32_t*>(v.base);
    for (int64_t x = v.lo[0]; x <= v.hi[0]; ++x)
      base[(x - v.lo[0]) * v.strides[0]] = static_cast<int32_t>(ctx.point(0));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (s.maxRunning.load() < n && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  s.running.fetch_sub(1);
  ctx.result(static_cast<double>(s.maxRunning.load()));
}

// oracle_handshake(): requirement 0 is an i32 field of at least 2 elements
// (read-write, simultaneous). Stores 1 into element 0, then spins until a
// TS task running at the same time stores 1 into element 1. Returns 1 when
// it saw the answer, 0 when the 20 s hang guard expired.
void oracleHandshake(cohort::TaskContext& ctx) {
  const cohort_field_view v = ctx.fieldView(0, 0);
  if (v.field_type != COHORT_I32 || v.dim != 1 || v.hi[0] - v.lo[0] < 1)
    throw std::runtime_error("oracle_handshake: expects a 1-D i32 field of at least 2 elements");
  int32_t* base = static_cast<int32_t*>(v.base);
  int32_t* flag = base;
  int32_t* answer = base + v.strides[0];
  __atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool seen = false;
  while (!(seen = __atomic_load_n(answer, __ATOMIC_SEQ_CST) == 1) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ctx.result(seen ? 1.0 : 0.0);
}

void registerTasks(cohort::Registrar& r) {
  r.task<oracleOp>("oracle_op");
  r.task<oracleReset>("oracle_reset");
  r.task<oracleRendezvous>("oracle_rendezvous");
  r.task<oracleHandshake>("oracle_handshake");
}

}  // namespace

COHORT_LIBRARY(registerTasks)

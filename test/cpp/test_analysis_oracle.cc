// Randomized check of the analyzer against the sequential-execution oracle.
// Each seeded program builds a random 1-D or 2-D region with random equal,
// halo, explicit (possibly aliased or incomplete) and nested partitions, then
// issues random single operations and index launches with random fields,
// privileges, reduction operators and coherence. Brute force over elements
// then checks:
//   (i)  every pair of operation points that truly conflict (a shared
//        field, a shared element, accesses that must be ordered) is ordered
//        by the transitive closure of the produced point-wise waits;
//   (ii) every produced wait joins two points that truly conflict (a wait
//        for a whole operation: some point of it);
//   (iii) an operation is rejected exactly when two of its own accesses
//        conflict, and a rejected operation leaves no trace.
// A variant marks operations completed as a causal executor would, and then
// requires (i) only for operations not yet completed.
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "analysis/dependence_analyzer.h"
#include "check.h"
#include "util/error.h"

using namespace cohort;

namespace {

constexpr int kMaxOps = 60;  // op ids fit in a 64-bit reachability mask

struct PointAccess {
  uint32_t requirement;
  uint32_t fieldMask;
  uint64_t elements;  // bit i: element with row-major index i in the root
  Access access;
};

struct OpRecord {
  OpId id = 0;
  bool accepted = false;
  bool rejectionWrong = false;  // rejected iff self-conflicting failed
  std::vector<std::vector<PointAccess>> points;
  std::vector<PooledVector<OpId>> waits;           // per point
  std::vector<PooledVector<PointRef>> pointWaits;  // per point
  uint64_t completedBefore = 0;                    // ops completed when it was issued
};

class Program {
 public:
  Program(uint64_t seed, bool completeOps) : rng_(seed), completeOps_(completeOps) {}

  std::string run();

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool chance(int percent) { return pick(100) < percent; }

  void buildRegion();
  void addRandomPartition();
  Rect randomRectIn(const Rect& box);
  uint64_t maskOf(RegionHandle r);
  Access randomAccess();
  uint32_t randomFields();
  void issueRandomOp();
  void completeSomeOps();
  std::string check() const;

  std::mt19937_64 rng_;
  bool completeOps_;
  RegionForest forest_;
  DependenceAnalyzer analyzer_{forest_};
  RegionHandle root_;
  Rect bounds_;
  int fieldCount_ = 1;
  std::vector<RegionHandle> regions_;
  std::vector<PartitionHandle> partitions_;
  std::map<uint32_t, uint64_t> masks_;  // element mask by region node
  std::vector<OpRecord> ops_;
  uint64_t completed_ = 0;  // bit (id-1) set once marked completed
};

Rect Program::randomRectIn(const Rect& box) {
  Rect r = box;
  for (int d = 0; d < box.dim(); ++d) {
    coord_t a = box.lo[d] + pick(static_cast<int>(box.extent(d)));
    coord_t b = box.lo[d] + pick(static_cast<int>(box.extent(d)));
    r.lo[d] = std::min(a, b);
    r.hi[d] = std::max(a, b);
  }
  return r;
}

void Program::buildRegion() {
  if (chance(50)) {
    bounds_ = Rect(0, 1 + pick(40));
  } else {
    bounds_ = Rect(Point(0, 0), Point(pick(7), pick(7)));
  }
  fieldCount_ = 1 + pick(3);
  auto fs = std::make_shared<FieldSpace>();
  for (int f = 0; f < fieldCount_; ++f) fs->addField("f" + std::to_string(f), FieldType::F64);
  root_ = forest_.createRegion(bounds_, fs);
  regions_.push_back(root_);
}

void Program::addRandomPartition() {
  const RegionHandle parent = regions_[static_cast<size_t>(pick(static_cast<int>(regions_.size())))];
  const RegionNode& node = forest_.region(parent);
  if (node.rects().empty()) return;
  const int dim = node.dim();
  PartitionHandle p;
  switch (pick(3)) {
    case 0: {
      Rect colors = dim == 1 || chance(30) ? Rect(0, pick(6)) : Rect(Point(0, 0), Point(pick(3), pick(3)));
      p = forest_.partitionEqual(parent, colors);
      break;
    }
    case 1: {
      Point block = Point::filled(dim, 1), lo = Point::filled(dim, 0), hi = Point::filled(dim, 0);
      for (int d = 0; d < dim; ++d) {
        block[d] = 1 + pick(5);
        lo[d] = pick(3) == 0 ? 1 : 0;
        hi[d] = pick(3) == 0 ? pick(3) : 0;
      }
      p = forest_.partitionByBlocks(parent, block, lo, hi);
      break;
    }
    default: {
      std::vector<RectList> perColor(static_cast<size_t>(1 + pick(5)));
      for (RectList& rl : perColor) {
        const int n = 1 + pick(2);
        for (int i = 0; i < n; ++i) {
          const Rect& base = node.rects()[static_cast<size_t>(pick(static_cast<int>(node.rects().size())))];
          rl.push_back(randomRectIn(base));
        }
      }
      p = forest_.partitionByRects(parent, perColor);
      break;
    }
  }
  partitions_.push_back(p);
  for (RegionHandle c : forest_.partition(p).children()) regions_.push_back(c);
}

uint64_t Program::maskOf(RegionHandle r) {
  auto cached = masks_.find(r.node);
  if (cached != masks_.end()) return cached->second;
  uint64_t mask = 0;
  for (const Rect& rect : forest_.region(r).rects())
    for (const Point& p : pointsIn(rect)) mask |= uint64_t{1} << linearize(bounds_, p);
  masks_.emplace(r.node, mask);
  return mask;
}

Access Program::randomAccess() {
  Access a;
  const int kind = pick(10);
  if (kind <= 2 || kind == 9) {
    a.privilege = Privilege::ReadOnly;
  } else if (kind <= 4) {
    a.privilege = Privilege::ReadWrite;
  } else if (kind == 5) {
    a.privilege = Privilege::WriteDiscard;
  } else {
    a.privilege = Privilege::Reduce;
    a.redop = static_cast<RedopId>(1 + pick(2));
  }
  const int c = pick(100);
  a.coherence = c < 85 ? Coherence::Exclusive : (c < 95 ? Coherence::Atomic : Coherence::Simultaneous);
  return a;
}

uint32_t Program::randomFields() {
  uint32_t mask = 0;
  while (mask == 0) mask = static_cast<uint32_t>(pick(1 << fieldCount_));
  return mask;
}

PooledVector<FieldId> fieldList(uint32_t mask) {
  PooledVector<FieldId> out;
  for (FieldId f = 0; f < 32; ++f)
    if (mask & (1u << f)) out.push_back(f);
  return out;
}

void Program::issueRandomOp() {
  OpRecord rec;
  rec.id = static_cast<OpId>(ops_.size() + 1);
  rec.completedBefore = completed_;
  std::vector<PointRequirements> points;
  if (partitions_.empty() || chance(55)) {
    PointRequirements pr{Point(0), {}};
    const int n = 1 + pick(3);
    for (int i = 0; i < n; ++i) {
      const RegionHandle r = regions_[static_cast<size_t>(pick(static_cast<int>(regions_.size())))];
      const Access a = randomAccess();
      pr.requirements.push_back(RegionRequirement{r, fieldList(randomFields()), a.privilege, a.redop, a.coherence});
    }
    points.push_back(pr);
  } else {
    const PartitionHandle p = partitions_[static_cast<size_t>(pick(static_cast<int>(partitions_.size())))];
    const PartitionNode& part = forest_.partition(p);
    const Rect domain = randomRectIn(part.colorSpace());
    const bool identity = chance(70);
    const Access a0 = randomAccess();
    const uint32_t f0 = randomFields();
    const bool second = chance(30);
    const RegionHandle r1 = regions_[static_cast<size_t>(pick(static_cast<int>(regions_.size())))];
    const Access a1 = randomAccess();
    const uint32_t f1 = randomFields();
    for (const Point& pt : pointsIn(domain)) {
      const Point color =
          identity ? pt
                   : delinearize(part.colorSpace(), static_cast<uint64_t>(pick(static_cast<int>(part.colorCount()))));
      PointRequirements pr{
          pt, {RegionRequirement{forest_.subregion(p, color), fieldList(f0), a0.privilege, a0.redop, a0.coherence}}};
      if (second) pr.requirements.push_back(RegionRequirement{r1, fieldList(f1), a1.privilege, a1.redop, a1.coherence});
      points.push_back(pr);
    }
  }
  // The model: element masks per point access, and whether the operation
  // conflicts with itself.
  bool selfConflict = false;
  for (const PointRequirements& pr : points) {
    std::vector<PointAccess> accs;
    for (size_t r = 0; r < pr.requirements.size(); ++r) {
      const RegionRequirement& req = pr.requirements[r];
      uint32_t fm = 0;
      for (FieldId f : req.fields) fm |= 1u << f;
      accs.push_back(PointAccess{static_cast<uint32_t>(r), fm, maskOf(req.region), req.access()});
    }
    rec.points.push_back(accs);
  }
  for (size_t p = 0; p < rec.points.size(); ++p)
    for (size_t q = p; q < rec.points.size(); ++q)
      for (const PointAccess& a : rec.points[p])
        for (const PointAccess& b : rec.points[q]) {
          if (p == q && a.requirement >= b.requirement) continue;
          if ((a.fieldMask & b.fieldMask) && (a.elements & b.elements) && mustWait(a.access, b.access))
            selfConflict = true;
        }
  const bool isLaunch = points.size() != 1 || points[0].point != Point(0);
  bool threw = false;
  try {
    if (isLaunch || chance(20)) {
      auto entries = analyzer_.analyzeIndexLaunch(rec.id, points);
      for (const PlanEntry& e : entries) {
        rec.waits.push_back(e.waitsFor);
        rec.pointWaits.push_back(e.waitsForPoints);
      }
    } else {
      PlanEntry e = analyzer_.analyzeOperation(rec.id, points[0].requirements);
      rec.waits.push_back(e.waitsFor);
      rec.pointWaits.push_back(e.waitsForPoints);
    }
  } catch (const Error&) {
    threw = true;
  }
  rec.accepted = !threw;
  rec.rejectionWrong = threw != selfConflict;
  if (threw) rec.points.clear();
  ops_.push_back(rec);
}

void Program::completeSomeOps() {
  for (const OpRecord& rec : ops_) {
    const uint64_t bit = uint64_t{1} << (rec.id - 1);
    if (!rec.accepted || (completed_ & bit) || !chance(40)) continue;
    bool ready = true;
    for (const auto& w : rec.waits)
      for (OpId dep : w) ready = ready && (completed_ & (uint64_t{1} << (dep - 1)));
    if (!ready) continue;
    analyzer_.markCompleted(rec.id);
    completed_ |= bit;
  }
}

namespace {

bool conflicts(const std::vector<PointAccess>& a, const std::vector<PointAccess>& b) {
  for (const PointAccess& x : a)
    for (const PointAccess& y : b)
      if ((x.fieldMask & y.fieldMask) && (x.elements & y.elements) && mustWait(x.access, y.access)) return true;
  return false;
}

// A set of (operation, point) nodes.
struct NodeSet {
  std::vector<uint64_t> words;
  void set(size_t n) {
    if (words.size() <= n / 64) words.resize(n / 64 + 1, 0);
    words[n / 64] |= uint64_t{1} << (n % 64);
  }
  bool has(size_t n) const { return n / 64 < words.size() && (words[n / 64] >> (n % 64)) & 1; }
  void add(const NodeSet& o) {
    if (words.size() < o.words.size()) words.resize(o.words.size(), 0);
    for (size_t i = 0; i < o.words.size(); ++i) words[i] |= o.words[i];
  }
};

}  // namespace

std::string Program::check() const {
  // Node ids: every point of every accepted operation, in issue order.
  std::map<OpId, size_t> firstNode;
  size_t nodes = 0;
  for (const OpRecord& r : ops_) {
    firstNode[r.id] = nodes;
    nodes += r.points.size();
  }
  std::vector<NodeSet> reach(nodes);  // the points a point waits for, transitively
  std::map<OpId, const OpRecord*> byId;
  for (const OpRecord& r : ops_) byId[r.id] = &r;
  for (const OpRecord& j : ops_) {
    if (j.rejectionWrong)
      return "op " + std::to_string(j.id) + (j.accepted ? " was accepted" : " was rejected") +
             " but the brute-force self-conflict check disagrees";
    if (!j.accepted) continue;
    for (size_t p = 0; p < j.points.size(); ++p) {
      const std::string who = "op " + std::to_string(j.id) + " point " + std::to_string(p);
      NodeSet direct, closure;
      uint64_t directOps = 0;
      for (OpId i : j.waits[p]) directOps |= uint64_t{1} << (i - 1);
      uint64_t refOps = 0;
      for (const PointRef& w : j.pointWaits[p]) {
        if (w.op >= j.id) return who + " waits for later op " + std::to_string(w.op);
        const OpRecord& i = *byId.at(w.op);
        refOps |= uint64_t{1} << (w.op - 1);
        if (!i.accepted) return who + " waits for rejected op " + std::to_string(w.op);
        if (w.point != kWholeOperation && w.point >= i.points.size())
          return who + " waits for point " + std::to_string(w.point) + " of op " + std::to_string(w.op) +
                 ", which has " + std::to_string(i.points.size());
        bool conflict = false;
        for (size_t q = 0; q < i.points.size(); ++q) {
          if (w.point != kWholeOperation && w.point != q) continue;
          const size_t node = firstNode.at(i.id) + q;
          direct.set(node);
          closure.add(reach[node]);
          conflict = conflict || conflicts(i.points[q], j.points[p]);
        }
        if (!conflict) return who + " waits for op " + std::to_string(w.op) + " without a conflict";
      }
      if (refOps != directOps) return who + ": the waits by operation and by point disagree";
      closure.add(direct);
      reach[firstNode.at(j.id) + p] = closure;
      for (const OpRecord& i : ops_) {
        if (i.id >= j.id) break;
        if (!i.accepted) continue;
        const bool doneBefore = (j.completedBefore & (uint64_t{1} << (i.id - 1))) != 0;
        if (doneBefore) continue;
        for (size_t q = 0; q < i.points.size(); ++q)
          if (conflicts(i.points[q], j.points[p]) && !closure.has(firstNode.at(i.id) + q))
            return who + " conflicts with op " + std::to_string(i.id) + " point " + std::to_string(q) +
                   " but is not ordered after it";
      }
    }
  }
  return "";
}

std::string Program::run() {
  buildRegion();
  const int partitions = 1 + pick(4);
  for (int i = 0; i < partitions; ++i) addRandomPartition();
  const int ops = 10 + pick(kMaxOps - 10);
  for (int i = 0; i < ops; ++i) {
    if (completeOps_) completeSomeOps();
    issueRandomOp();
  }
  return check();
}

int runMany(uint64_t baseSeed, int programs, bool completeOps) {
  int failures = 0;
  for (int k = 0; k < programs; ++k) {
    const uint64_t seed = baseSeed + static_cast<uint64_t>(k);
    std::string problem;
    try {
      problem = Program(seed, completeOps).run();
    } catch (const std::exception& e) {
      problem = std::string("unexpected exception: ") + e.what();
    }
    if (!problem.empty()) {
      if (failures < 5)
        std::printf("  seed=%llu%s: %s\n", static_cast<unsigned long long>(seed),
                    completeOps ? " (with completions)" : "", problem.c_str());
      ++failures;
    }
  }
  return failures;
}

}  // namespace

TEST("random programs: the waits order exactly the truly conflicting operations") {
  CHECK(runMany(1000, 520, false) == 0);
}

TEST("random programs with completions: every live conflict is still ordered") {
  CHECK(runMany(500000, 160, true) == 0);
}

TEST_MAIN("analysis oracle")

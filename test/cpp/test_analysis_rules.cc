// The dependence rules of the analyzer, one behaviour per case.
#include <string>
#include <vector>

#include "analysis/dependence_analyzer.h"
#include "check.h"
#include "util/error.h"

using namespace cohort;

namespace {

using Ops = PooledVector<OpId>;

RegionRequirement access(RegionHandle r, PooledVector<FieldId> fields, Privilege p, RedopId redop = kNoRedop,
                         Coherence c = Coherence::Exclusive) {
  return RegionRequirement{r, std::move(fields), p, redop, c};
}
RegionRequirement reads(RegionHandle r, PooledVector<FieldId> f = {0}) {
  return access(r, std::move(f), Privilege::ReadOnly);
}
RegionRequirement writes(RegionHandle r, PooledVector<FieldId> f = {0}) {
  return access(r, std::move(f), Privilege::ReadWrite);
}
RegionRequirement reduces(RegionHandle r, RedopId op, PooledVector<FieldId> f = {0}) {
  return access(r, std::move(f), Privilege::Reduce, op);
}

LaunchRequirement launch(Projection proj, Privilege p, RedopId redop = kNoRedop) {
  return LaunchRequirement{std::move(proj), {0}, p, redop, Coherence::Exclusive};
}

struct World {
  RegionForest forest;
  DependenceAnalyzer analyzer{forest};
  OpId nextOp = 1;

  RegionHandle region(const Rect& bounds) {
    return forest.createRegion(bounds, {{"x", FieldType::F64}, {"y", FieldType::F64}});
  }
  Ops run(RegionRequirements reqs) { return analyzer.analyzeOperation(nextOp++, reqs).waitsFor; }
  PlanEntry entry(RegionRequirements reqs) { return analyzer.analyzeOperation(nextOp++, reqs); }
  std::vector<PlanEntry> index(const Domain& d, std::vector<LaunchRequirement> reqs, const std::string& label = "") {
    return analyzer.analyzeIndexLaunch(nextOp++, d, reqs, label);
  }
};

std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST("the first access of a region waits for nothing") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  CHECK(w.run({writes(r)}).empty());
}

TEST("two reads of the same elements never depend on each other") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({reads(r)});
  CHECK(w.run({reads(r)}).empty());
}

TEST("a read waits for the write before it (read after write)") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({writes(r)});
  CHECK(w.run({reads(r)}) == Ops{1});
}

TEST("a write waits for every read since the last write (write after read)") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({writes(r)});
  w.run({reads(r)});
  w.run({reads(r)});
  // The reads already wait for op 1, so op 4 needs only the reads.
  CHECK(w.run({writes(r)}) == (Ops{2, 3}));
}

TEST("a write waits for the write before it (write after write)") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({writes(r)});
  CHECK(w.run({access(r, {0}, Privilege::WriteDiscard)}) == Ops{1});
  CHECK(w.run({writes(r)}) == Ops{2});
}

TEST("reads that follow reads wait only for the last writer") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({writes(r)});
  for (int i = 0; i < 5; ++i) CHECK(w.run({reads(r)}) == Ops{1});
}

TEST("reductions with the same operator do not depend on each other") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({writes(r)});
  CHECK(w.run({reduces(r, kRedopSum)}) == Ops{1});
  CHECK(w.run({reduces(r, kRedopSum)}) == Ops{1});
  CHECK(w.run({reads(r)}) == (Ops{2, 3}));
}

TEST("reductions with different operators depend on each other") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({reduces(r, kRedopSum)});
  CHECK(w.run({reduces(r, kRedopProduct)}) == Ops{1});
  CHECK(w.run({reduces(r, kRedopSum)}) == Ops{2});
}

TEST("a reduction waits for the reads before it and a read for the reductions") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({reads(r)});
  w.run({reads(r)});
  CHECK(w.run({reduces(r, kRedopMax)}) == (Ops{1, 2}));
  CHECK(w.run({reduces(r, kRedopMax)}) == (Ops{1, 2}));
  CHECK(w.run({reads(r)}) == (Ops{3, 4}));
}

TEST("a child written after its parent was read waits for the read") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  RegionHandle child = w.forest.subregion(w.forest.partitionEqual(r, 4), Point(1));
  w.run({reads(r)});
  CHECK(w.run({writes(child)}) == Ops{1});
  CHECK(w.run({reads(r)}) == Ops{2});
}

TEST("a parent written waits for its children and its children for it") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  PartitionHandle p = w.forest.partitionEqual(r, 4);
  for (int i = 0; i < 4; ++i) w.run({writes(w.forest.subregion(p, Point(i)))});
  CHECK(w.run({writes(r)}) == (Ops{1, 2, 3, 4}));
  CHECK(w.run({reads(w.forest.subregion(p, Point(2)))}) == Ops{5});
}

TEST("siblings of a disjoint partition never depend on each other") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  PartitionHandle p = w.forest.partitionEqual(r, 10);
  for (int i = 0; i < 10; ++i) CHECK(w.run({writes(w.forest.subregion(p, Point(i)))}).empty());
  CHECK(w.run({writes(w.forest.subregion(p, Point(3)))}) == Ops{4});
}

TEST("aliased halo neighbours depend exactly when their ghosts overlap") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  PartitionHandle blocks = w.forest.partitionEqual(r, 10);
  PartitionHandle ghosts = w.forest.partitionByBlocks(r, Point(10), Point(1), Point(1));
  for (int i = 0; i < 10; ++i) w.run({writes(w.forest.subregion(blocks, Point(i)))});
  // Ghosted block 4 is [39..50]: blocks 3, 4 and 5.
  CHECK(w.run({reads(w.forest.subregion(ghosts, Point(4)))}) == (Ops{4, 5, 6}));
  // Ghosted blocks 4 and 6 share nothing, so op 12 ignores the read.
  CHECK(w.run({writes(w.forest.subregion(ghosts, Point(6)))}) == (Ops{6, 7, 8}));
  // Ghosted block 5 is [49..60]: it meets the read of [49..50] (which
  // itself waited for ops 5 and 6), block 5's writer and op 12 at [59..60].
  CHECK(w.run({writes(w.forest.subregion(ghosts, Point(5)))}) == (Ops{6, 11, 12}));
}

TEST("two different partitions of one region depend where they intersect") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  PartitionHandle halves = w.forest.partitionEqual(r, 2);
  PartitionHandle odd = w.forest.partitionByRects(r, {Rect(0, 2), Rect(3, 6), Rect(7, 9)});
  w.run({writes(w.forest.subregion(halves, Point(0)))});  // [0..4]
  w.run({writes(w.forest.subregion(halves, Point(1)))});  // [5..9]
  CHECK(w.run({reads(w.forest.subregion(odd, Point(0)))}) == Ops{1});
  CHECK(w.run({reads(w.forest.subregion(odd, Point(1)))}) == (Ops{1, 2}));
  CHECK(w.run({reads(w.forest.subregion(odd, Point(2)))}) == Ops{2});
}

TEST("accesses to different fields never depend") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({writes(r, {0})});
  CHECK(w.run({writes(r, {1})}).empty());
  CHECK(w.run({reads(r, {0, 1})}) == (Ops{1, 2}));
}

TEST("regions of different trees never depend") {
  World w;
  RegionHandle a = w.region(Rect(0, 9)), b = w.region(Rect(0, 9));
  w.run({writes(a)});
  CHECK(w.run({writes(b)}).empty());
}

TEST("2-D blocks depend only on the blocks their rects touch") {
  World w;
  RegionHandle r = w.region(Rect(Point(0, 0), Point(7, 7)));
  PartitionHandle p = w.forest.partitionEqual(r, Rect(Point(0, 0), Point(1, 1)));
  for (const Point& c : pointsIn(Rect(Point(0, 0), Point(1, 1))))
    w.run({writes(w.forest.subregion(p, c))});  // ops 1..4 row-major
  CHECK(w.run({reads(w.forest.subregion(p, Point(1, 0)))}) == Ops{3});
  RegionHandle column = w.forest.subregion(w.forest.partitionByRects(r, {Rect(Point(0, 3), Point(7, 4))}), Point(0));
  // Quadrant (1,0) was read by op 5 after op 3 wrote it: op 5 stands for both.
  CHECK(w.run({writes(column)}) == (Ops{1, 2, 4, 5}));
}

TEST("points of one index launch never depend on each other") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  PartitionHandle blocks = w.forest.partitionEqual(r, 10);
  PartitionHandle ghosts = w.forest.partitionByBlocks(r, Point(10), Point(2), Point(2));
  auto writesAll = w.index(Rect(0, 9), {launch(projectIdentity(w.forest, blocks), Privilege::WriteDiscard)});
  REQUIRE(writesAll.size() == 10);
  for (const PlanEntry& e : writesAll) CHECK(e.waitsFor.empty());
  auto readsAll = w.index(Rect(0, 9), {launch(projectIdentity(w.forest, ghosts), Privilege::ReadOnly)});
  for (const PlanEntry& e : readsAll) CHECK(e.waitsFor == Ops{1});
  CHECK(readsAll[3].point == Point(3));
  CHECK(readsAll[3].pointIndex == 3);
  CHECK(readsAll[3].op == 2);
}

TEST("a point of an index launch waits only for the points of earlier launches it overlaps") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  PartitionHandle blocks = w.forest.partitionEqual(r, 10);
  PartitionHandle ghosts = w.forest.partitionByBlocks(r, Point(10), Point(2), Point(2));
  w.index(Rect(0, 9), {launch(projectIdentity(w.forest, blocks), Privilege::WriteDiscard)});  // op 1
  auto readers = w.index(Rect(0, 9), {launch(projectIdentity(w.forest, ghosts), Privilege::ReadOnly)});
  // Point 3 reads block 3 and two elements on each side: blocks 2, 3 and 4.
  CHECK(readers[3].waitsForPoints == (PooledVector<PointRef>{{1, 2}, {1, 3}, {1, 4}}));
  CHECK(readers[0].waitsForPoints == (PooledVector<PointRef>{{1, 0}, {1, 1}}));
  CHECK(readers[9].waitsForPoints == (PooledVector<PointRef>{{1, 8}, {1, 9}}));
  // The next step's writer of block 5 waits for the readers that saw it
  // (and through them for the writer of step 1).
  auto writers = w.index(Rect(0, 9), {launch(projectIdentity(w.forest, blocks), Privilege::ReadWrite)});
  CHECK(writers[5].waitsFor == (Ops{2}));
  CHECK(writers[5].waitsForPoints == (PooledVector<PointRef>{{2, 4}, {2, 5}, {2, 6}}));
  // A single operation is waited for whole.
  w.entry({writes(w.forest.subregion(blocks, Point(7)))});  // op 4
  CHECK(w.entry({reads(r)}).waitsForPoints ==
        (PooledVector<PointRef>{
            {3, 0}, {3, 1}, {3, 2}, {3, 3}, {3, 4}, {3, 5}, {3, 6}, {3, 8}, {3, 9}, {4, kWholeOperation}}));
}

TEST("many points of one launch on one piece are waited for as the whole launch") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.index(Rect(0, 15), {launch(projectWhole(r), Privilege::ReadOnly)});  // op 1: 16 readers of everything
  PlanEntry writer = w.entry({writes(r)});
  CHECK(writer.waitsFor == Ops{1});
  CHECK(writer.waitsForPoints == (PooledVector<PointRef>{{1, kWholeOperation}}));
  // A few points keep their own records.
  w.index(Rect(0, 2), {launch(projectWhole(r), Privilege::ReadOnly)});  // op 3
  CHECK(w.entry({writes(r)}).waitsForPoints == (PooledVector<PointRef>{{3, 0}, {3, 1}, {3, 2}}));
}

TEST("an index launch writing an aliased partition is rejected naming both points and the field") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  PartitionHandle ghosts = w.forest.partitionByBlocks(r, Point(10), Point(1), Point(1));
  const std::string msg = errorOf(
      [&] { w.index(Rect(0, 9), {launch(projectIdentity(w.forest, ghosts), Privilege::ReadWrite)}, "stencil"); });
  CHECK(contains(msg, "'stencil'"));
  CHECK(contains(msg, "points (0) and (1)"));
  CHECK(contains(msg, "field 'x'"));
  // Nothing of the rejected launch was recorded.
  CHECK(w.run({reads(r)}).empty());
}

TEST("a non-injective projection may read but not write") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  PartitionHandle p = w.forest.partitionEqual(r, 10);
  auto half = [](const Point& q) { return Point(q[0] / 2); };
  auto ok = w.index(Rect(0, 9), {launch(projectThrough(w.forest, p, half), Privilege::ReadOnly)});
  CHECK(ok.size() == 10);
  const std::string msg =
      errorOf([&] { w.index(Rect(0, 9), {launch(projectThrough(w.forest, p, half), Privilege::WriteDiscard)}); });
  CHECK(contains(msg, "points (0) and (1)"));
}

TEST("points of one launch may reduce into the same elements with one operator") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  auto entries = w.index(Rect(0, 7), {launch(projectWhole(r), Privilege::Reduce, kRedopSum)});
  REQUIRE(entries.size() == 8);
  for (const PlanEntry& e : entries) {
    CHECK(e.waitsFor.empty());
    CHECK(e.needsExclusion);
    CHECK(e.exclusionKeys.size() == 1);
  }
  CHECK(w.run({reads(r)}) == Ops{1});
}

TEST("a launch point out of the partition's color space is a clear error") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  PartitionHandle p = w.forest.partitionEqual(r, 2);
  const std::string msg =
      errorOf([&] { w.index(Rect(0, 2), {launch(projectIdentity(w.forest, p), Privilege::ReadOnly)}); });
  CHECK(contains(msg, "point (2)"));
  CHECK(contains(msg, "no color (2)"));
}

TEST("two requirements of one operation that alias and conflict are rejected") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  RegionHandle child = w.forest.subregion(w.forest.partitionEqual(r, 2), Point(0));
  const std::string msg = errorOf([&] { w.run({writes(r), reads(child)}); });
  CHECK(contains(msg, "requirements 0 and 1"));
  CHECK(contains(msg, "field 'x'"));
  // Reading twice, or touching different fields, is fine.
  CHECK(w.run({reads(r), reads(child)}).empty());
  CHECK(w.run({writes(r, {0}), reads(child, {1})}) == Ops{2});
}

TEST("atomic writers are unordered among themselves but ask for exclusion") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({writes(r)});
  PlanEntry a = w.entry({access(r, {0}, Privilege::ReadWrite, kNoRedop, Coherence::Atomic)});
  PlanEntry b = w.entry({access(r, {0}, Privilege::ReadWrite, kNoRedop, Coherence::Atomic)});
  CHECK(a.waitsFor == Ops{1});
  CHECK(b.waitsFor == Ops{1});
  CHECK(a.needsExclusion && b.needsExclusion);
  CHECK(b.exclusionKeys.size() == 1 && b.exclusionKeys[0].field == 0);
  // Op 1 is listed too: atomic users do not stand in for earlier writers.
  CHECK(w.run({reads(r)}) == (Ops{1, 2, 3}));
}

TEST("simultaneous accesses are not ordered with each other") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  auto simul = access(r, {0}, Privilege::ReadWrite, kNoRedop, Coherence::Simultaneous);
  CHECK(w.run({simul}).empty());
  CHECK(w.run({simul}).empty());
  CHECK(w.run({writes(r)}) == (Ops{1, 2}));
}

TEST("exclusion keys are sorted by tree and field") {
  World w;
  RegionHandle a = w.region(Rect(0, 9)), b = w.region(Rect(0, 9));
  PlanEntry e = w.entry({reduces(b, kRedopSum, {1}), reduces(a, kRedopMin, {1, 0}), reads(b, {0})});
  REQUIRE(e.exclusionKeys.size() == 3);
  CHECK(e.exclusionKeys[0] == (ExclusionKey{a.tree, 0}));
  CHECK(e.exclusionKeys[1] == (ExclusionKey{a.tree, 1}));
  CHECK(e.exclusionKeys[2] == (ExclusionKey{b.tree, 1}));
}

TEST("a completed operation is no longer waited for") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.run({writes(r)});
  w.analyzer.markCompleted(1);
  CHECK(w.run({reads(r)}).empty());
  CHECK(w.run({writes(r)}) == Ops{2});
  w.analyzer.markCompleted(2);
  w.analyzer.markCompleted(3);
  w.analyzer.markCompleted(3);  // repeated: ignored
  CHECK(w.run({reads(r)}).empty());
  CHECK(w.analyzer.liveOperationCount() == 1);
}

TEST("operation ids must increase") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.analyzer.analyzeOperation(5, {writes(r)});
  CHECK(contains(errorOf([&] { w.analyzer.analyzeOperation(5, {reads(r)}); }), "must increase"));
  CHECK(w.analyzer.analyzeOperation(9, {reads(r)}).waitsFor == Ops{5});
}

TEST("bad requirements are rejected naming the operation and requirement") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  CHECK(contains(errorOf([&] { w.analyzer.analyzeOperation(1, {reads(r, {7})}, "init"); }),
                 "'init' (op 1), requirement 0: region tree 1 has no field 7"));
  CHECK(contains(errorOf([&] {
                   w.analyzer.analyzeOperation(2, {reads(r), reads(r, {})});
                 }),
                 "requirement 1: names no fields"));
  CHECK(contains(errorOf([&] { w.analyzer.analyzeOperation(3, {access(r, {0}, Privilege::Reduce)}); }),
                 "reduction operator"));
  CHECK(!errorOf([&] { w.analyzer.analyzeOperation(4, {reads(RegionHandle{1, 99})}); }).empty());
}

TEST("destroying a tree drops its analysis state and rejects new accesses") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  RegionHandle other = w.region(Rect(0, 9));
  w.run({writes(r)});
  w.run({writes(other)});
  CHECK(w.analyzer.pieceCount(r.tree, 0) == 1);
  w.forest.destroyTree(r.tree);
  w.analyzer.dropTree(r.tree);
  CHECK(w.analyzer.pieceCount(r.tree, 0) == 0);
  CHECK(contains(errorOf([&] { w.run({reads(r)}); }), "destroyed"));
  CHECK(w.run({reads(other)}) == Ops{2});
}

TEST("an empty subregion depends on nothing and nothing depends on it") {
  World w;
  RegionHandle r = w.region(Rect(0, 2));
  PartitionHandle p = w.forest.partitionEqual(r, 5);
  RegionHandle empty = w.forest.subregion(p, Point(4));
  w.run({writes(r)});
  CHECK(w.run({writes(empty)}).empty());
  CHECK(w.run({reads(r)}) == Ops{1});
}

TEST("a multi-rect subregion depends on what touches any of its rects") {
  World w;
  RegionHandle r = w.region(Rect(0, 19));
  PartitionHandle p = w.forest.partitionByRects(r, std::vector<RectList>{{Rect(0, 1), Rect(10, 11)}, {Rect(5, 6)}});
  w.run({writes(w.forest.subregion(w.forest.partitionByRects(r, {Rect(11, 11)}), Point(0)))});
  CHECK(w.run({reads(w.forest.subregion(p, Point(0)))}) == Ops{1});
  CHECK(w.run({reads(w.forest.subregion(p, Point(1)))}).empty());
}

TEST_MAIN("analysis rules")

// The analysis cost does not grow with the number of earlier operations nor
// with the number of pieces of a partition elsewhere in the region. Checked
// through the analyzer's counters, which count the work done.
#include <vector>

#include "analysis/dependence_analyzer.h"
#include "check.h"

using namespace cohort;

namespace {

struct World {
  RegionForest forest;
  DependenceAnalyzer analyzer{forest};
  OpId nextOp = 1;

  RegionHandle region(const Rect& bounds) { return forest.createRegion(bounds, {{"x", FieldType::F64}}); }
  PlanEntry run(RegionHandle r, Privilege p, RedopId redop = kNoRedop) {
    return analyzer.analyzeOperation(nextOp++, {RegionRequirement{r, {0}, p, redop}});
  }
  std::vector<PlanEntry> index(PartitionHandle part, Privilege p) {
    return analyzer.analyzeIndexLaunch(nextOp++, forest.partition(part).colorSpace(),
                                       {LaunchRequirement{projectIdentity(forest, part), {0}, p}});
  }
  // Work counters of one call.
  template <class Fn>
  AnalysisCounters measure(Fn&& fn) {
    analyzer.resetCounters();
    fn();
    return analyzer.counters();
  }
};

}  // namespace

TEST("10,000 read-write operations on one region each examine one earlier user") {
  World w;
  RegionHandle r = w.region(Rect(0, 999));
  w.run(r, Privilege::ReadWrite);
  for (int i = 0; i < 10000; ++i) {
    AnalysisCounters c = w.measure([&] { w.run(r, Privilege::ReadWrite); });
    REQUIRE(c.usersExamined == 1);
    REQUIRE(c.edgesAdded == 1);
    REQUIRE(c.piecesVisited == 1);
  }
  CHECK(w.analyzer.pieceCount(r.tree, 0) == 1);
}

TEST("2,000 read-write index launches over a 16-piece partition cost the same each time") {
  World w;
  RegionHandle r = w.region(Rect(0, 1599));
  PartitionHandle p = w.forest.partitionEqual(r, 16);
  w.index(p, Privilege::ReadWrite);
  for (int i = 0; i < 2000; ++i) {
    AnalysisCounters c = w.measure([&] { w.index(p, Privilege::ReadWrite); });
    REQUIRE(c.usersExamined == 16);
    REQUIRE(c.piecesVisited == 16);
    REQUIRE(c.edgesAdded == 16);
  }
}

TEST("10,000 reads after one write each examine only the writer") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  w.run(r, Privilege::WriteDiscard);
  for (int i = 0; i < 10000; ++i) {
    AnalysisCounters c = w.measure([&] { w.run(r, Privilege::ReadOnly); });
    REQUIRE(c.usersExamined == 1);
  }
}

TEST("10,000 same-operator reductions each examine only the group before them") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  w.run(r, Privilege::WriteDiscard);
  for (int i = 0; i < 10000; ++i) {
    AnalysisCounters c = w.measure([&] { w.run(r, Privilege::Reduce, kRedopSum); });
    REQUIRE(c.usersExamined == 1);
  }
}

TEST("the points of one launch keep their own pieces, and a reader of them all waits for the launch once") {
  World w;
  RegionHandle r = w.region(Rect(0, 4095));
  PartitionHandle p = w.forest.partitionEqual(r, 4096);
  w.index(p, Privilege::WriteDiscard);
  // Point-wise records: each piece remembers the point that wrote it.
  CHECK(w.analyzer.pieceCount(r.tree, 0) == 4096);
  PlanEntry whole;
  AnalysisCounters c = w.measure([&] { whole = w.run(r, Privilege::ReadOnly); });
  CHECK(c.usersExamined == 4096);
  CHECK(c.edgesAdded == 1);
  CHECK(whole.waitsForPoints.size() == 4096);
}

TEST("one piece of a 4096-piece 1-D partition is found without looking at the others") {
  World w;
  RegionHandle r = w.region(Rect(0, 4096 * 8 - 1));
  PartitionHandle p = w.forest.partitionEqual(r, 4096);
  w.index(p, Privilege::WriteDiscard);  // every piece written once (op 1)
  for (int c = 0; c < 4096; ++c)        // and once more, one op per piece
    w.run(w.forest.subregion(p, Point(c)), Privilege::ReadWrite);
  CHECK(w.analyzer.pieceCount(r.tree, 0) == 4096);
  AnalysisCounters c = w.measure([&] { w.run(w.forest.subregion(p, Point(0)), Privilege::ReadOnly); });
  CHECK(c.piecesVisited == 1);
  CHECK(c.usersExamined == 1);
  AnalysisCounters last = w.measure([&] { w.run(w.forest.subregion(p, Point(4095)), Privilege::ReadWrite); });
  CHECK(last.piecesVisited == 1);
  CHECK(last.usersExamined == 1);
}

TEST("one block of a 64x64 2-D partition is found without looking at the others") {
  World w;
  RegionHandle r = w.region(Rect(Point(0, 0), Point(511, 511)));
  PartitionHandle p = w.forest.partitionEqual(r, Rect(Point(0, 0), Point(63, 63)));
  // One operation per block, so no two blocks share a history.
  for (const Point& c : pointsIn(w.forest.partition(p).colorSpace()))
    w.run(w.forest.subregion(p, c), Privilege::WriteDiscard);
  CHECK(w.analyzer.pieceCount(r.tree, 0) == 4096);
  AnalysisCounters c = w.measure([&] { w.run(w.forest.subregion(p, Point(0, 0)), Privilege::ReadOnly); });
  CHECK(c.piecesVisited == 1);
  CHECK(c.usersExamined == 1);
  AnalysisCounters mid = w.measure([&] { w.run(w.forest.subregion(p, Point(31, 40)), Privilege::ReadWrite); });
  CHECK(mid.piecesVisited == 1);
  CHECK(mid.usersExamined == 1);
}

TEST("a write covering the whole region collapses its pieces back into one") {
  World w;
  RegionHandle r = w.region(Rect(Point(0, 0), Point(127, 127)));
  PartitionHandle p = w.forest.partitionEqual(r, Rect(Point(0, 0), Point(15, 15)));
  for (const Point& c : pointsIn(w.forest.partition(p).colorSpace()))
    w.run(w.forest.subregion(p, c), Privilege::WriteDiscard);
  CHECK(w.analyzer.pieceCount(r.tree, 0) == 256);
  PlanEntry whole = w.run(r, Privilege::WriteDiscard);
  CHECK(whole.waitsFor.size() == 256);
  CHECK(w.analyzer.pieceCount(r.tree, 0) == 1);
  AnalysisCounters c = w.measure([&] { w.run(r, Privilege::ReadOnly); });
  CHECK(c.piecesVisited == 1);
}

TEST("a halo stencil loop of index launches costs the same in its 200th iteration as in its 5th") {
  World w;
  RegionHandle r = w.region(Rect(Point(0, 0), Point(63, 63)));
  PartitionHandle blocks = w.forest.partitionByBlocks(r, Point(8, 8), Point(0, 0), Point(0, 0));
  PartitionHandle ghosts = w.forest.partitionByBlocks(r, Point(8, 8), Point(1, 1), Point(1, 1));
  auto step = [&] {
    return w.measure([&] {
      w.index(ghosts, Privilege::ReadOnly);
      w.index(blocks, Privilege::ReadWrite);
    });
  };
  for (int i = 0; i < 4; ++i) step();
  const AnalysisCounters early = step();
  for (int i = 0; i < 194; ++i) step();
  const AnalysisCounters late = step();
  CHECK(early.usersExamined == late.usersExamined);
  CHECK(early.piecesVisited == late.piecesVisited);
  CHECK(early.edgesAdded == late.edgesAdded);
  // A small constant per point: a ghosted block meets the pieces of at most
  // 9 blocks, each remembering the point that wrote it; a block at most the
  // 9 ghost readers overlapping it (point-wise records, as one task per block).
  CHECK(late.usersExamined <= 64 * 2 * 9 * 4);
}

TEST("a halo stencil of one task per block costs the same in its 100th iteration as in its 5th") {
  World w;
  RegionHandle r = w.region(Rect(Point(0, 0), Point(63, 63)));
  PartitionHandle blocks = w.forest.partitionByBlocks(r, Point(8, 8), Point(0, 0), Point(0, 0));
  PartitionHandle ghosts = w.forest.partitionByBlocks(r, Point(8, 8), Point(1, 1), Point(1, 1));
  const Rect colors = w.forest.partition(blocks).colorSpace();
  auto step = [&] {
    return w.measure([&] {
      for (const Point& c : pointsIn(colors)) w.run(w.forest.subregion(ghosts, c), Privilege::ReadOnly);
      for (const Point& c : pointsIn(colors)) w.run(w.forest.subregion(blocks, c), Privilege::ReadWrite);
    });
  };
  for (int i = 0; i < 4; ++i) step();
  const AnalysisCounters early = step();
  for (int i = 0; i < 94; ++i) step();
  const AnalysisCounters late = step();
  CHECK(early.usersExamined == late.usersExamined);
  CHECK(early.piecesVisited == late.piecesVisited);
  CHECK(early.edgesAdded == late.edgesAdded);
  // A ghosted block meets at most 9 blocks' pieces; a block at most the 9
  // ghost readers overlapping it.
  CHECK(late.usersExamined <= 128 * 9 * 4);
  // Pieces are bounded by the block and halo boundaries, not by time.
  CHECK(w.analyzer.pieceCount(r.tree, 0) <= 24 * 24);
}

TEST("completed readers stop being tracked") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  w.run(r, Privilege::WriteDiscard);
  w.analyzer.markCompleted(1);
  for (int i = 0; i < 10000; ++i) {
    const OpId op = w.nextOp;
    w.run(r, Privilege::ReadOnly);
    w.analyzer.markCompleted(op);
  }
  CHECK(w.analyzer.liveOperationCount() == 0);
  // The writer meets only the readers kept since the last compaction.
  AnalysisCounters c = w.measure([&] { w.run(r, Privilege::ReadWrite); });
  CHECK(c.edgesAdded == 0);
  CHECK(c.usersExamined <= 32);
}

TEST("live readers are all waited for by the next writer (cost follows the output)") {
  World w;
  RegionHandle r = w.region(Rect(0, 99));
  for (int i = 0; i < 1000; ++i) w.run(r, Privilege::ReadOnly);
  AnalysisCounters c = w.measure([&] { w.run(r, Privilege::ReadWrite); });
  CHECK(c.edgesAdded == 1000);
  CHECK(c.usersExamined == 1000);
  AnalysisCounters next = w.measure([&] { w.run(r, Privilege::ReadWrite); });
  CHECK(next.usersExamined == 1);
}

TEST("counters accumulate until reset") {
  World w;
  RegionHandle r = w.region(Rect(0, 9));
  w.analyzer.resetCounters();
  w.run(r, Privilege::ReadWrite);
  w.run(r, Privilege::ReadOnly);
  CHECK(w.analyzer.counters().operations == 2);
  CHECK(w.analyzer.counters().points == 2);
  CHECK(w.analyzer.counters().edgesAdded == 1);
  w.analyzer.resetCounters();
  CHECK(w.analyzer.counters().operations == 0);
}

TEST_MAIN("analysis cost")

// Field spaces, region trees and partitions.
#include <string>
#include <vector>

#include "check.h"
#include "data/region_forest.h"
#include "util/error.h"

using namespace cohort;

namespace {

std::shared_ptr<FieldSpace> xy() {
  auto fs = std::make_shared<FieldSpace>();
  fs->addField("x", FieldType::F64);
  fs->addField("y", FieldType::I32);
  return fs;
}

std::vector<uint64_t> childVolumes(const RegionForest& f, PartitionHandle p) {
  std::vector<uint64_t> v;
  for (RegionHandle c : f.partition(p).children()) v.push_back(f.region(c).volume());
  return v;
}

bool throwsMentioning(const std::function<void()>& fn, const std::string& text) {
  try {
    fn();
  } catch (const Error& e) {
    return std::string(e.what()).find(text) != std::string::npos;
  }
  return false;
}

}  // namespace

TEST("field types have the element sizes of their typed arrays") {
  CHECK(fieldTypeSize(FieldType::F64) == 8);
  CHECK(fieldTypeSize(FieldType::F32) == 4);
  CHECK(fieldTypeSize(FieldType::I64) == 8);
  CHECK(fieldTypeSize(FieldType::I32) == 4);
  CHECK(fieldTypeSize(FieldType::U32) == 4);
  CHECK(fieldTypeSize(FieldType::U8) == 1);
  CHECK(parseFieldType("u32") == FieldType::U32);
  CHECK(throwsMentioning([] { parseFieldType("f16"); }, "f16"));
}

TEST("fields get small consecutive ids and are found by name") {
  FieldSpace fs;
  CHECK(fs.addField("a", FieldType::F64) == 0);
  CHECK(fs.addField("b", FieldType::U8) == 1);
  CHECK(fs.idOf("b") == 1);
  CHECK(fs.field(1).size == 1);
  CHECK(fs.find("c") == nullptr);
  CHECK(throwsMentioning([&] { fs.idOf("c"); }, "'c'"));
  CHECK(throwsMentioning([&] { fs.field(7); }, "7"));
}

TEST("a duplicate field name is rejected with an error naming the field") {
  FieldSpace fs;
  fs.addField("velocity", FieldType::F32);
  CHECK(throwsMentioning([&] { fs.addField("velocity", FieldType::F64); }, "'velocity'"));
  CHECK(fs.size() == 1);
}

TEST("every created region is the root of a new tree with a new id") {
  RegionForest forest;
  auto fs = xy();
  RegionHandle a = forest.createRegion(Rect(0, 9), fs);
  RegionHandle b = forest.createRegion(Rect(0, 9), fs);
  CHECK(a.tree != b.tree);
  CHECK(a.node == 0 && b.node == 0);
  CHECK(forest.region(a).isRoot());
  CHECK(forest.region(a).volume() == 10);
  CHECK(&forest.fieldSpace(a.tree) == &forest.fieldSpace(b.tree));
}

TEST("an equal partition of 10 elements into 3 gives blocks of 4, 3 and 3") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 9), xy());
  PartitionHandle p = forest.partitionEqual(r, 3);
  const PartitionNode& node = forest.partition(p);
  CHECK(node.disjoint());
  CHECK(node.complete());
  CHECK(childVolumes(forest, p) == (std::vector<uint64_t>{4, 3, 3}));
  CHECK(forest.region(forest.subregion(p, Point(0))).bounds() == Rect(0, 3));
  CHECK(forest.region(forest.subregion(p, Point(1))).bounds() == Rect(4, 6));
  CHECK(forest.region(forest.subregion(p, Point(2))).bounds() == Rect(7, 9));
}

TEST("an equal partition with more colors than elements has empty pieces") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 2), xy());
  PartitionHandle p = forest.partitionEqual(r, 5);
  CHECK(childVolumes(forest, p) == (std::vector<uint64_t>{1, 1, 1, 0, 0}));
  CHECK(forest.partition(p).disjoint());
  CHECK(forest.partition(p).complete());
  CHECK(forest.region(forest.subregion(p, Point(4))).rects().empty());
}

TEST("a 2-D equal partition splits each dimension by the color extent") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(Point(0, 0), Point(9, 5)), xy());
  PartitionHandle p = forest.partitionEqual(r, Rect(Point(0, 0), Point(2, 1)));
  CHECK(forest.partition(p).colorCount() == 6);
  CHECK(forest.region(forest.subregion(p, Point(0, 0))).bounds() == Rect(Point(0, 0), Point(3, 2)));
  CHECK(forest.region(forest.subregion(p, Point(2, 1))).bounds() == Rect(Point(7, 3), Point(9, 5)));
  CHECK(forest.partition(p).disjoint());
  CHECK(forest.partition(p).complete());
}

TEST("a 3-D equal partition is disjoint and complete") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(Point(0, 0, 0), Point(4, 4, 4)), xy());
  PartitionHandle p = forest.partitionEqual(r, Rect(Point(0, 0, 0), Point(1, 1, 2)));
  uint64_t total = 0;
  for (uint64_t v : childVolumes(forest, p)) total += v;
  CHECK(total == 125);
  CHECK(forest.partition(p).disjoint());
  CHECK(forest.partition(p).complete());
  CHECK(forest.region(forest.subregion(p, Point(1, 1, 2))).bounds() == Rect(Point(3, 3, 4), Point(4, 4, 4)));
}

TEST("a 1-D color space over a 2-D region splits rows only") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(Point(0, 0), Point(7, 3)), xy());
  PartitionHandle p = forest.partitionEqual(r, 4);
  CHECK(forest.region(forest.subregion(p, Point(1))).bounds() == Rect(Point(2, 0), Point(3, 3)));
}

TEST("a 2-D color space cannot split a 3-D region") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(Point(0, 0, 0), Point(3, 3, 3)), xy());
  CHECK_THROWS(forest.partitionEqual(r, Rect(Point(0, 0), Point(1, 1))));
}

TEST("blocks without halo are disjoint and complete, the last one clipped") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 9), xy());
  PartitionHandle p = forest.partitionByBlocks(r, Point(4), Point(0), Point(0));
  CHECK(forest.partition(p).colorSpace() == Rect(0, 2));
  CHECK(childVolumes(forest, p) == (std::vector<uint64_t>{4, 4, 2}));
  CHECK(forest.partition(p).disjoint());
  CHECK(forest.partition(p).complete());
}

TEST("blocks with a halo are aliased and their ghosts are clipped to the parent") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 9), xy());
  PartitionHandle p = forest.partitionByBlocks(r, Point(5), Point(1), Point(1));
  CHECK(forest.partition(p).aliased());
  CHECK(forest.partition(p).complete());
  CHECK(forest.region(forest.subregion(p, Point(0))).bounds() == Rect(0, 5));
  CHECK(forest.region(forest.subregion(p, Point(1))).bounds() == Rect(4, 9));
}

TEST("a 2-D halo partition widens blocks in every dimension") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(Point(0, 0), Point(7, 7)), xy());
  PartitionHandle p = forest.partitionByBlocks(r, Point(4, 4), Point(1, 1), Point(1, 1));
  CHECK(forest.partition(p).colorCount() == 4);
  CHECK(forest.partition(p).aliased());
  CHECK(forest.region(forest.subregion(p, Point(1, 0))).bounds() == Rect(Point(3, 0), Point(7, 4)));
  // A halo along one dimension only still aliases.
  PartitionHandle q = forest.partitionByBlocks(r, Point(4, 8), Point(0, 0), Point(1, 0));
  CHECK(forest.partition(q).aliased());
}

TEST("block partition arguments are checked") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 9), xy());
  CHECK_THROWS(forest.partitionByBlocks(r, Point(0), Point(0), Point(0)));
  CHECK_THROWS(forest.partitionByBlocks(r, Point(2), Point(-1), Point(0)));
  CHECK_THROWS(forest.partitionByBlocks(r, Point(2, 2), Point(0), Point(0)));
}

TEST("explicit rects: disjointness and completeness come from the geometry") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 9), xy());
  PartitionHandle tiles = forest.partitionByRects(r, {Rect(0, 4), Rect(5, 9)});
  CHECK(forest.partition(tiles).disjoint());
  CHECK(forest.partition(tiles).complete());
  PartitionHandle gaps = forest.partitionByRects(r, {Rect(0, 2), Rect(5, 9)});
  CHECK(forest.partition(gaps).disjoint());
  CHECK(!forest.partition(gaps).complete());
  PartitionHandle overlap = forest.partitionByRects(r, {Rect(0, 5), Rect(5, 9)});
  CHECK(forest.partition(overlap).aliased());
  CHECK(forest.partition(overlap).complete());
}

TEST("explicit rect lists per color merge their own overlaps") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(Point(0, 0), Point(9, 9)), xy());
  PartitionHandle p =
      forest.partitionByRects(r, std::vector<RectList>{{Rect(Point(0, 0), Point(4, 9)), Rect(Point(3, 0), Point(5, 9))},
                                                       {Rect(Point(6, 0), Point(9, 9))}});
  CHECK(forest.partition(p).disjoint());  // color 0's overlap is its own
  CHECK(forest.partition(p).complete());
  CHECK(forest.region(forest.subregion(p, Point(0))).volume() == 60);
}

TEST("an explicit rect outside the parent is rejected naming the color") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 9), xy());
  CHECK(throwsMentioning([&] { forest.partitionByRects(r, {Rect(0, 4), Rect(8, 12)}); }, "color 1"));
}

TEST("a subregion outside the color space is a clear error") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 9), xy());
  PartitionHandle p = forest.partitionEqual(r, 4);
  CHECK(throwsMentioning([&] { forest.subregion(p, Point(4)); }, "has no color (4)"));
  CHECK_THROWS(forest.subregion(p, Point(0, 0)));
}

TEST("partitions of subregions nest and stay inside their parent") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 99), xy());
  PartitionHandle top = forest.partitionEqual(r, 4);
  RegionHandle quarter = forest.subregion(top, Point(2));  // [50..74]
  PartitionHandle inner = forest.partitionEqual(quarter, 5);
  CHECK(forest.partition(inner).parent() == quarter);
  CHECK(forest.region(forest.subregion(inner, Point(0))).bounds() == Rect(50, 54));
  CHECK(forest.region(forest.subregion(inner, Point(0))).depth() == 2);
  CHECK(forest.partition(inner).complete());
  PartitionHandle halo = forest.partitionByBlocks(quarter, Point(10), Point(2), Point(2));
  CHECK(forest.region(forest.subregion(halo, Point(0))).bounds() ==
        Rect(50, 61));  // clipped to the quarter, not to the root
  CHECK(forest.region(quarter).partitions().size() == 2);
}

TEST("partitioning a multi-rect subregion clips pieces to its points") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 19), xy());
  PartitionHandle p = forest.partitionByRects(r, std::vector<RectList>{{Rect(0, 4), Rect(10, 14)}, {Rect(5, 9)}});
  RegionHandle odd = forest.subregion(p, Point(0));
  PartitionHandle halves = forest.partitionEqual(odd, 2);
  CHECK(forest.region(forest.subregion(halves, Point(0))).rects() == RectList{Rect(0, 4)});
  CHECK(forest.region(forest.subregion(halves, Point(1))).rects() == RectList{Rect(10, 14)});
  CHECK(forest.partition(halves).complete());
  CHECK(!forest.partition(p).complete());
}

TEST("a destroyed tree rejects every later use, other trees are unaffected") {
  RegionForest forest;
  RegionHandle a = forest.createRegion(Rect(0, 9), xy());
  RegionHandle b = forest.createRegion(Rect(0, 9), xy());
  PartitionHandle p = forest.partitionEqual(a, 2);
  forest.destroyTree(a.tree);
  CHECK(!forest.isLive(a.tree));
  CHECK(forest.isLive(b.tree));
  CHECK(throwsMentioning([&] { forest.region(a); }, "destroyed"));
  CHECK(throwsMentioning([&] { forest.subregion(p, Point(0)); }, "destroyed"));
  CHECK_THROWS(forest.partitionEqual(a, 2));
  CHECK_THROWS(forest.destroyTree(a.tree));
  CHECK(forest.region(b).volume() == 10);
  RegionHandle c = forest.createRegion(Rect(0, 9), xy());
  CHECK(c.tree != a.tree);  // ids are never reused
}

TEST("a 4096-block equal partition classifies quickly and exactly") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(Point(0, 0), Point(1023, 1023)), xy());
  PartitionHandle p = forest.partitionEqual(r, Rect(Point(0, 0), Point(63, 63)));
  CHECK(forest.partition(p).disjoint());
  CHECK(forest.partition(p).complete());
  PartitionHandle h = forest.partitionByBlocks(r, Point(16, 16), Point(1, 1), Point(1, 1));
  CHECK(forest.partition(h).colorCount() == 4096);
  CHECK(forest.partition(h).aliased());
  CHECK(forest.partition(h).complete());
}

TEST_MAIN("data partition")

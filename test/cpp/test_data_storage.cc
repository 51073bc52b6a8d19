// Field storage: lazy zero-filled allocation, windows for subregions,
// lifetime beyond the region tree.
#include <cstring>
#include <thread>
#include <vector>

#include "check.h"
#include "data/instance.h"
#include "data/region_forest.h"
#include "util/error.h"

using namespace cohort;

TEST("storage is allocated on first use and reads as zeros") {
  FieldStorage s(Rect(Point(0, 0), Point(99, 99)), FieldType::F64);
  CHECK(!s.allocated());
  CHECK(s.byteSize() == 100 * 100 * 8);
  const auto* values = static_cast<const double*>(s.data());
  CHECK(s.allocated());
  bool allZero = true;
  for (uint64_t i = 0; i < s.elementCount(); ++i) allZero = allZero && values[i] == 0.0;
  CHECK(allZero);
  CHECK(s.data() == values);  // allocated once
}

TEST("storage is aligned for every field type") {
  for (FieldType t : {FieldType::F64, FieldType::I64, FieldType::U8}) {
    FieldStorage s(Rect(0, 10), t);
    CHECK(reinterpret_cast<uintptr_t>(s.data()) % 16 == 0);
  }
}

TEST("concurrent first uses allocate exactly once") {
  FieldStorage s(Rect(0, 1 << 16), FieldType::U32);
  std::vector<void*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) threads.emplace_back([&s, &seen, i] { seen[i] = s.data(); });
  for (auto& t : threads) t.join();
  for (void* p : seen) CHECK(p == seen[0]);
}

TEST("a 1-D window starts at the subrect's offset with unit stride") {
  StorageWindow w = windowIn(Rect(10, 29), Rect(15, 19));
  CHECK(w.dim == 1);
  CHECK(w.offset == 5);
  CHECK(w.strides[0] == 1);
  CHECK(w.extents[0] == 5);
  CHECK(w.spanElements == 5);
}

TEST("a 2-D subrect is a window with the root's row stride") {
  const Rect root(Point(0, 0), Point(9, 19));  // 10 rows of 20
  StorageWindow w = windowIn(root, Rect(Point(2, 5), Point(4, 9)));
  CHECK(w.offset == 2 * 20 + 5);
  CHECK(w.strides[0] == 20);
  CHECK(w.strides[1] == 1);
  CHECK(w.extents[0] == 3 && w.extents[1] == 5);
  CHECK(w.spanElements == 2 * 20 + 4 + 1);
}

TEST("a 3-D subrect window uses plane and row strides of the root") {
  const Rect root(Point(1, 1, 1), Point(4, 5, 6));  // 4 x 5 x 6
  StorageWindow w = windowIn(root, Rect(Point(2, 3, 4), Point(3, 4, 6)));
  CHECK(w.strides[0] == 30 && w.strides[1] == 6 && w.strides[2] == 1);
  CHECK(w.offset == 1 * 30 + 2 * 6 + 3);
  CHECK(w.spanElements == 1 * 30 + 1 * 6 + 2 + 1);
  // Every point of the window maps to the element linearize() names.
  for (const Point& p : pointsIn(Rect(Point(2, 3, 4), Point(3, 4, 6)))) {
    int64_t e = w.offset;
    for (int d = 0; d < 3; ++d)
      e += (p[d] - Rect(Point(2, 3, 4), Point(3, 4, 6)).lo[d]) * w.strides[static_cast<size_t>(d)];
    CHECK(static_cast<uint64_t>(e) == linearize(root, p));
  }
}

TEST("a window outside the storage or empty is an error") {
  CHECK_THROWS(windowIn(Rect(0, 9), Rect(5, 10)));
  CHECK_THROWS(windowIn(Rect(0, 9), Rect(5, 4)));
  CHECK_THROWS(windowIn(Rect(0, 9), Rect(Point(0, 0), Point(1, 1))));
}

TEST("writes through a subregion window land in the root's storage") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(Point(0, 0), Point(3, 3)), {{"v", FieldType::I32}});
  PartitionHandle p = forest.partitionEqual(r, Rect(Point(0, 0), Point(1, 1)));
  RegionHandle quadrant = forest.subregion(p, Point(1, 1));  // [2..3]x[2..3]
  auto store = forest.storage(quadrant, 0);
  auto* data = static_cast<int32_t*>(store->data());
  std::vector<StorageWindow> ws = forest.windows(quadrant, 0);
  REQUIRE(ws.size() == 1);
  for (int64_t i = 0; i < ws[0].extents[0]; ++i)
    for (int64_t j = 0; j < ws[0].extents[1]; ++j) data[ws[0].offset + i * ws[0].strides[0] + j * ws[0].strides[1]] = 7;
  int sevens = 0;
  for (int k = 0; k < 16; ++k) sevens += data[k] == 7;
  CHECK(sevens == 4);
  CHECK(data[linearize(Rect(Point(0, 0), Point(3, 3)), Point(3, 3))] == 7);
  CHECK(data[linearize(Rect(Point(0, 0), Point(3, 3)), Point(1, 3))] == 0);
}

TEST("all nodes of a tree share one storage per field") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 9), {{"a", FieldType::F32}, {"b", FieldType::U8}});
  PartitionHandle p = forest.partitionEqual(r, 2);
  CHECK(forest.storage(r, 0) == forest.storage(forest.subregion(p, Point(1)), 0));
  CHECK(forest.storage(r, 0) != forest.storage(r, 1));
  CHECK(forest.storage(r, 1)->elementSize() == 1);
  CHECK_THROWS(forest.storage(r, 2));
}

TEST("storage held by a pending task outlives the destroyed tree") {
  RegionForest forest;
  RegionHandle r = forest.createRegion(Rect(0, 999), {{"x", FieldType::F64}});
  std::shared_ptr<FieldStorage> held = forest.storage(r, 0);
  static_cast<double*>(held->data())[999] = 2.5;
  forest.destroyTree(r.tree);
  CHECK_THROWS(forest.storage(r, 0));
  CHECK(held.use_count() == 1);
  CHECK(static_cast<double*>(held->data())[999] == 2.5);
}

TEST_MAIN("data storage")

// The set of live (analyzed, not completed) operations.
#include "analysis/live_ops.h"
#include "check.h"

using namespace cohort;

TEST("added operations are live until removed") {
  LiveOps live;
  live.add(1);
  live.add(2);
  live.add(70);
  CHECK(live.contains(1) && live.contains(2) && live.contains(70));
  CHECK(!live.contains(3));  // skipped ids were never live
  CHECK(live.size() == 3);
  live.remove(2);
  CHECK(!live.contains(2));
  CHECK(live.size() == 2);
}

TEST("removing twice or removing an unknown id changes nothing") {
  LiveOps live;
  live.add(5);
  live.remove(5);
  live.remove(5);
  live.remove(999);
  CHECK(live.size() == 0);
  CHECK(!live.contains(5));
  live.add(6);
  CHECK(live.contains(6));
}

TEST("ids must be added in increasing order") {
  LiveOps live;
  live.add(10);
  CHECK_THROWS(live.add(10));
  CHECK_THROWS(live.add(3));
}

TEST("a long run completed in order keeps the bitmap small and correct") {
  LiveOps live;
  live.add(1);  // one long-lived operation
  for (uint64_t op = 2; op < 100000; ++op) {
    live.add(op);
    if (op > 10) live.remove(op - 8);
  }
  CHECK(live.contains(1));
  CHECK(!live.contains(500));
  CHECK(live.contains(99999));
  CHECK(live.size() == 1 + 8 + 1);
  live.remove(1);
  for (uint64_t op = 2; op < 100000; ++op) live.remove(op);
  CHECK(live.size() == 0);
  live.add(200000);
  CHECK(live.contains(200000) && !live.contains(1));
}

TEST_MAIN("analysis live ops")

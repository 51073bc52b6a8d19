// The controller's record of valid copies between ranks, and the bytes of
// rects that travel between them.
#include <cstring>
#include <vector>

#include "check.h"
#include "data/instance.h"
#include "data/rect_bytes.h"
#include "runtime/valid_copies.h"
#include "util/error.h"

using namespace cohort;

namespace {
struct Use {
  std::vector<RegionPiece> copies;
  EventList waits;
};

Use use(ValidCopies& v, uint32_t rank, const RectList& rects, Privilege p, const Event& done,
        const Event& arrived = Event()) {
  Use u;
  Event a = arrived.exists() ? arrived : done;
  v.use(rank, 1, 0, rects, p, done, a, u.copies, u.waits);
  return u;
}
}  // namespace

TEST("data nobody wrote is valid everywhere: reading it copies nothing") {
  ValidCopies v(4);
  Use u = use(v, 3, {Rect(0, 99)}, Privilege::ReadOnly, Event::create());
  CHECK(u.copies.empty());
  CHECK(u.waits.empty());
}

TEST("a reader on another rank copies exactly the rects the writer's rank holds, after the writer") {
  ValidCopies v(2);
  Event w = Event::create();
  CHECK(use(v, 1, {Rect(0, 9)}, Privilege::WriteDiscard, w).copies.empty());
  Use r = use(v, 0, {Rect(5, 14)}, Privilege::ReadOnly, Event::create());
  CHECK(r.copies.size() == 1);
  CHECK(r.copies[0].rect == Rect(5, 9));
  CHECK(r.copies[0].source == 1);
  CHECK(r.waits.size() == 1);  // the writer (implied by the analysis too)
  w.trigger();
  // Now both ranks hold [5..9]; rank 1 alone [0..4]: a second reader on 0 copies only that.
  Use again = use(v, 0, {Rect(0, 9)}, Privilege::ReadOnly, Event::create());
  CHECK(again.copies.size() == 1);
  CHECK(again.copies[0].rect == Rect(0, 4));
}

TEST("a write after a read on another rank copies nothing and leaves one holder") {
  ValidCopies v(2);
  Event w = Event::create();
  use(v, 0, {Rect(0, 9)}, Privilege::WriteDiscard, w);
  w.trigger();
  CHECK(use(v, 1, {Rect(0, 9)}, Privilege::ReadOnly, Event::create()).copies.size() == 1);
  Event w2 = Event::create();
  CHECK(use(v, 1, {Rect(0, 9)}, Privilege::WriteDiscard, w2).copies.empty());
  w2.trigger();
  Use back = use(v, 0, {Rect(0, 9)}, Privilege::ReadOnly, Event::create());
  CHECK(back.copies.size() == 1);
  CHECK(back.copies[0].source == 1);
}

TEST("rank 0 is the preferred source when it holds the data") {
  ValidCopies v(3);
  Event w = Event::create();
  use(v, 0, {Rect(0, 9)}, Privilege::ReadWrite, w);
  w.trigger();
  Event r1 = Event::create();
  use(v, 1, {Rect(0, 9)}, Privilege::ReadOnly, r1);
  r1.trigger();
  Use r2 = use(v, 2, {Rect(0, 9)}, Privilege::ReadOnly, Event::create());
  CHECK(r2.copies.size() == 1);
  CHECK(r2.copies[0].source == 0);
}

TEST("reductions of one piece on two ranks are serialized: the second waits for the first and copies its result") {
  ValidCopies v(2);
  Event a = Event::create();
  CHECK(use(v, 0, {Rect(0, 3)}, Privilege::Reduce, a).copies.empty());
  Use b = use(v, 1, {Rect(0, 3)}, Privilege::Reduce, Event::create());
  CHECK(b.copies.size() == 1);
  CHECK(b.copies[0].source == 0);
  CHECK(b.waits.size() == 1);  // a: not ordered by the analysis
  bool waitsForA = false;
  b.waits.forEach([&](const Event& e) { waitsForA = waitsForA || e == a; });
  CHECK(waitsForA);
}

TEST("a later reader on a rank waits for the copy an earlier reader brought there, not for an inline mapping's unmap") {
  ValidCopies v(2);
  Event w = Event::create();
  use(v, 1, {Rect(0, 9)}, Privilege::WriteDiscard, w);
  w.trigger();
  Event mapDone = Event::create(), mapArrived = Event::create();
  CHECK(use(v, 0, {Rect(0, 9)}, Privilege::ReadOnly, mapDone, mapArrived).copies.size() == 1);
  Use next = use(v, 0, {Rect(0, 9)}, Privilege::ReadOnly, Event::create());
  CHECK(next.copies.empty());
  CHECK(next.waits.size() == 1);
  bool onArrival = false;
  next.waits.forEach([&](const Event& e) { onArrival = e == mapArrived; });
  CHECK(onArrival);
}

TEST("a task never waits for itself when two of its requirements touch the same data") {
  ValidCopies v(2);
  Event w = Event::create();
  use(v, 1, {Rect(0, 9)}, Privilege::WriteDiscard, w);
  w.trigger();
  Event self = Event::create();
  Use first = use(v, 0, {Rect(0, 9)}, Privilege::ReadOnly, self);
  CHECK(first.copies.size() == 1);
  Use second = use(v, 0, {Rect(0, 9)}, Privilege::ReadWrite, self);
  CHECK(second.copies.empty());
  CHECK(second.waits.empty());
}

TEST("a dropped tree is valid everywhere again, and ranks beyond the mask are refused") {
  ValidCopies v(2);
  use(v, 1, {Rect(0, 9)}, Privilege::WriteDiscard, Event::create());
  CHECK(v.entryCount(1, 0) == 1);
  v.dropTree(1);
  CHECK(v.entryCount(1, 0) == 0);
  CHECK(use(v, 0, {Rect(0, 9)}, Privilege::ReadOnly, Event::create()).copies.empty());
  CHECK_THROWS(use(v, 2, {Rect(0, 9)}, Privilege::ReadOnly, Event::create()));
}

TEST("a rect's bytes travel row by row and land in the same place of another storage") {
  const Rect root(Point(0, 0), Point(5, 7));
  FieldStorage a(root, FieldType::I32), b(root, FieldType::I32);
  auto* va = static_cast<int32_t*>(a.data());
  for (int i = 0; i < 48; ++i) va[i] = i + 1;
  const Rect piece(Point(1, 2), Point(3, 5));
  std::vector<uint8_t> bytes;
  packRect(a, piece, bytes);
  CHECK(bytes.size() == 3 * 4 * 4);
  CHECK(rectByteSize(a, piece) == bytes.size());
  unpackRect(b, piece, bytes.data(), bytes.size());
  const auto* vb = static_cast<const int32_t*>(b.data());
  bool same = true;
  for (int x = 0; x < 6; ++x)
    for (int y = 0; y < 8; ++y) {
      const bool inside = x >= 1 && x <= 3 && y >= 2 && y <= 5;
      same = same && vb[x * 8 + y] == (inside ? va[x * 8 + y] : 0);
    }
  CHECK(same);
  CHECK_THROWS(unpackRect(b, piece, bytes.data(), bytes.size() - 1));
  CHECK_THROWS(packRect(a, Rect(Point(4, 0), Point(6, 0)), bytes));
}
TEST_MAIN("valid copies")

TEST("a task every shard runs gets each piece from a shard that held it before, never from one still receiving") {
  // Shards 1 and 2 wrote halves; shard 0 reads both halves everywhere.
  ValidCopies v(3);
  Event w1 = Event::create(), w2 = Event::create();
  use(v, 1, {Rect(0, 4)}, Privilege::WriteDiscard, w1);
  use(v, 2, {Rect(5, 9)}, Privilege::WriteDiscard, w2);
  std::vector<RegionPiece> copies;
  std::vector<std::pair<uint32_t, RegionPiece>> pushes;
  EventList waits;
  Event done = Event::create(), arrived;
  v.useEverywhere(0, 1, 0, {Rect(0, 9)}, Privilege::ReadOnly, done, arrived, copies, pushes, waits);
  // Shard 0 receives both halves, from their writers, and sends nothing:
  // it is not a source of what it is itself receiving.
  CHECK(copies.size() == 2);
  for (const RegionPiece& p : copies) CHECK(p.source == (p.rect == Rect(0, 4) ? 1u : 2u));
  CHECK(pushes.empty());
  // Seen from shard 1, it sends its half to shards 0 and 2.
  ValidCopies seen(3);
  use(seen, 1, {Rect(0, 4)}, Privilege::WriteDiscard, w1);
  use(seen, 2, {Rect(5, 9)}, Privilege::WriteDiscard, w2);
  copies.clear();
  EventList waits1;
  Event arrived1;
  seen.useEverywhere(1, 1, 0, {Rect(0, 9)}, Privilege::ReadOnly, done, arrived1, copies, pushes, waits1);
  CHECK(pushes.size() == 2);
  for (const auto& [dest, p] : pushes) CHECK(p.rect == Rect(0, 4) && p.source == 1 && dest != 1);
  // Afterwards every shard holds everything: a later read anywhere copies nothing.
  CHECK(use(v, 2, {Rect(0, 9)}, Privilege::ReadOnly, Event::create()).copies.empty());
  CHECK(use(seen, 0, {Rect(0, 9)}, Privilege::ReadOnly, Event::create()).copies.empty());
}

TEST("a write every shard makes leaves every shard a holder, with no copies") {
  ValidCopies v(4);
  use(v, 3, {Rect(0, 9)}, Privilege::WriteDiscard, Event::create());
  std::vector<RegionPiece> copies;
  std::vector<std::pair<uint32_t, RegionPiece>> pushes;
  EventList waits;
  Event done = Event::create(), arrived;
  v.useEverywhere(0, 1, 0, {Rect(0, 9)}, Privilege::WriteDiscard, done, arrived, copies, pushes, waits);
  CHECK(copies.empty() && pushes.empty());
  for (uint32_t r = 0; r < 4; ++r) CHECK(use(v, r, {Rect(0, 9)}, Privilege::ReadOnly, Event::create()).copies.empty());
}

// Launch descriptions: every kind of launch survives encode/decode equal,
// every malformed input (prefixes, corrupted tags, absurd counts, trailing
// bytes) is refused with a cohort::Error naming what was wrong, and real
// requirements are described with their regions' exact rects.
#include <string>
#include <vector>

#include "check.h"
#include "data/region_forest.h"
#include "ops/sdk_api.h"
#include "plan/launch_description.h"
#include "registry/library.h"
#include "registry/task_registry.h"
#include "util/bytes.h"
#include "util/error.h"

using namespace cohort;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

RequirementDescription req1d(Privilege p, RedopId redop, Coherence c) {
  RequirementDescription q;
  q.region = RegionHandle{1, 0};
  q.privilege = p;
  q.redop = redop;
  q.coherence = c;
  q.fields = {0, 2};
  q.dim = 1;
  q.rects = {Rect(0, 9)};
  return q;
}

LaunchDescription single() {
  LaunchDescription d;
  d.task = TaskIdentity{0x1234abcd5678ef00ull, "daxpy"};
  d.where = Location{0, 2, VariantKind::Cpp, 5};
  d.name.path = {3};
  d.args = {1, 2, 3, 4};
  d.requirements = {req1d(Privilege::ReadWrite, kNoRedop, Coherence::Exclusive)};
  return d;
}

// A description that uses every part of the format: index point, 2-D multi-rect
// region, a reduction, several futures, a nested name, a TS variant.
LaunchDescription rich() {
  LaunchDescription d;
  d.task = TaskIdentity{0, "stencil"};
  d.where = Location{3, -1, VariantKind::Js, -7};
  d.name.path = {4, 1, 12};
  d.point = Point(1, 2);
  d.domain = Rect(Point(0, 0), Point(3, 3));
  d.args = {9, 8, 7};
  d.futures = {{1, 0, 0, 0, 0, 0, 0, 0}, {}, {42}};
  RequirementDescription a;
  a.region = RegionHandle{2, 5};
  a.privilege = Privilege::Reduce;
  a.redop = kRedopSum;
  a.coherence = Coherence::Atomic;
  a.fields = {1};
  a.dim = 2;
  a.rects = {Rect(Point(0, 0), Point(1, 3)), Rect(Point(4, 0), Point(5, 1))};
  d.requirements = {a, req1d(Privilege::ReadOnly, kNoRedop, Coherence::Simultaneous)};
  return d;
}

LaunchDescription roundTrip(const LaunchDescription& d) { return decodeLaunch(encode(d)); }

// The message of the Error decodeLaunch throws, or "" if it did not throw one.
std::string refusal(const std::vector<uint8_t>& bytes) {
  try {
    decodeLaunch(bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Offset of the byte after the task name (location starts there).
size_t locationOffset(const LaunchDescription& d) { return 2 + 8 + 4 + d.task.name.size(); }

}  // namespace

TEST("a single task round-trips equal") {
  LaunchDescription d = single();
  LaunchDescription back = roundTrip(d);
  CHECK(back == d);
  CHECK(!back.isIndexPoint());
  CHECK(back.point.dim == 0);
  CHECK(back.domain.dim() == 0);
}

TEST("an index point round-trips equal in 1, 2 and 3 dimensions") {
  LaunchDescription d = single();
  d.point = Point(2);
  d.domain = Rect(0, 3);
  CHECK(roundTrip(d) == d);
  CHECK(roundTrip(d).isIndexPoint());
  d = rich();
  CHECK(roundTrip(d) == d);
  d.point = Point(1, -2, 3);
  d.domain = Rect(Point(0, -5, 0), Point(1, 0, 9));
  RequirementDescription q = req1d(Privilege::WriteDiscard, kNoRedop, Coherence::Exclusive);
  q.dim = 3;
  q.rects = {Rect(Point(0, 0, 0), Point(1, 1, 1)), Rect(Point(2, 0, 0), Point(2, 4, 8))};
  d.requirements.push_back(q);
  LaunchDescription back = roundTrip(d);
  CHECK(back == d);
  CHECK(back.point == Point(1, -2, 3));
  CHECK(back.requirements.back().rects[1] == Rect(Point(2, 0, 0), Point(2, 4, 8)));
}

TEST("every privilege and every coherence round-trips") {
  const Privilege privs[] = {Privilege::ReadOnly, Privilege::ReadWrite, Privilege::WriteDiscard, Privilege::Reduce};
  const Coherence cohs[] = {Coherence::Exclusive, Coherence::Atomic, Coherence::Simultaneous};
  for (Privilege p : privs) {
    for (Coherence c : cohs) {
      LaunchDescription d = single();
      d.requirements = {req1d(p, p == Privilege::Reduce ? kFirstCustomRedop + 3 : kNoRedop, c)};
      LaunchDescription back = roundTrip(d);
      CHECK(back == d);
      CHECK(back.requirements[0].privilege == p);
      CHECK(back.requirements[0].coherence == c);
    }
  }
}

TEST("a multi-rect region keeps its exact rects, and an empty region keeps its dim") {
  LaunchDescription d = rich();
  CHECK(roundTrip(d).requirements[0].rects == d.requirements[0].rects);
  d.requirements[0].rects.clear();
  LaunchDescription back = roundTrip(d);
  CHECK(back == d);
  CHECK(back.requirements[0].dim == 2);
  CHECK(back.requirements[0].rects.empty());
}

TEST("empty and large arguments and futures round-trip") {
  LaunchDescription d = single();
  d.args.clear();
  d.requirements.clear();
  CHECK(roundTrip(d) == d);
  d.args.resize(1 << 20);
  for (size_t i = 0; i < d.args.size(); ++i) d.args[i] = static_cast<uint8_t>(i * 31 + 7);
  d.futures.assign(40, std::vector<uint8_t>(100, 0xAB));
  d.futures[17].clear();
  LaunchDescription back = roundTrip(d);
  CHECK(back == d);
  CHECK(back.args.size() == (1u << 20));
  CHECK(back.futures.size() == 40);
}

TEST("extreme integers survive: hash, rank, negative processor and priority, coordinates") {
  LaunchDescription d = rich();
  d.task.libraryHash = ~0ull;
  d.where = Location{0xFFFFFFFFu, -1, VariantKind::Cpp, INT32_MIN};
  d.name.path = {~0ull, 0};
  d.point = Point(INT64_MIN + 1);
  d.domain = Rect(INT64_MIN, INT64_MAX);
  d.requirements[1].rects = {Rect(INT64_MIN, INT64_MAX)};
  CHECK(roundTrip(d) == d);
}

TEST("descriptions that differ in any part are unequal") {
  const LaunchDescription base = rich();
  LaunchDescription d = base;
  d.task.libraryHash = 1;
  CHECK(d != base);
  d = base;
  d.where.priority = 0;
  CHECK(d != base);
  d = base;
  d.name.path.pop_back();
  CHECK(d != base);
  d = base;
  d.futures[1].push_back(0);
  CHECK(d != base);
  d = base;
  d.requirements[0].rects[1].hi[1] = 2;
  CHECK(d != base);
  d = base;
  d.requirements[0].coherence = Coherence::Exclusive;
  CHECK(d != base);
}

TEST("the encoding starts with the magic byte and the format version") {
  std::vector<uint8_t> b = encode(single());
  REQUIRE(b.size() > 2);
  CHECK(b[0] == kLaunchMagic);
  CHECK(b[1] == kLaunchFormatVersion);
}

TEST("every strict prefix of a valid encoding is refused with an Error") {
  for (const LaunchDescription& d : {single(), rich()}) {
    std::vector<uint8_t> b = encode(d);
    for (size_t n = 0; n < b.size(); ++n) {
      std::string e = refusal(std::vector<uint8_t>(b.begin(), b.begin() + static_cast<long>(n)));
      if (e.empty()) std::printf("  prefix of %zu of %zu bytes was accepted\n", n, b.size());
      CHECK(contains(e, "launch description"));
    }
    CHECK(refusal(b).empty());
  }
}

TEST("a bad magic byte or format version is refused naming it") {
  std::vector<uint8_t> b = encode(single());
  b[0] = 0x7F;
  CHECK(contains(refusal(b), "bad magic byte 0x7f"));
  b = encode(single());
  b[1] = kLaunchFormatVersion + 1;
  CHECK(contains(refusal(b), "unsupported format version"));
}

TEST("a corrupted variant, privilege, coherence or dim tag is refused naming the field") {
  const LaunchDescription d = single();  // one requirement, 1-D, two fields, one rect
  const size_t loc = locationOffset(d);
  const size_t variant = loc + 4 + 4;
  const size_t pointDim = variant + 1 + 4 + 4 + 8 * d.name.path.size();
  const size_t req = pointDim + 1 + 1 + 4 + d.args.size() + 4 + 4;  // dims 0, args, no futures, req count
  const size_t privilege = req + 8, coherence = req + 8 + 1 + 4;
  const size_t regionDim = coherence + 1 + 4 + 4 * d.requirements[0].fields.size();
  struct Case {
    size_t at;
    uint8_t value;
    const char* expect;
  };
  const Case cases[] = {{variant, 2, "bad variant tag 2"},     {pointDim, 4, "bad point dim 4"},
                        {pointDim + 1, 9, "bad domain dim 9"}, {privilege, 4, "bad privilege tag 4"},
                        {coherence, 3, "bad coherence tag 3"}, {regionDim, 0, "bad region dim 0"},
                        {regionDim, 4, "bad region dim 4"}};
  for (const Case& c : cases) {
    std::vector<uint8_t> b = encode(d);
    REQUIRE(c.at < b.size());
    b[c.at] = c.value;
    std::string e = refusal(b);
    if (!contains(e, c.expect)) std::printf("  byte %zu = %u: got '%s'\n", c.at, c.value, e.c_str());
    CHECK(contains(e, c.expect));
  }
}

TEST("a count larger than the bytes left is refused before allocating") {
  const LaunchDescription d = single();
  std::vector<uint8_t> b = encode(d);
  // The task name's length: claim 4 GiB.
  for (size_t i = 10; i < 14; ++i) b[i] = 0xFF;
  CHECK(contains(refusal(b), "task name is 4294967295"));
  // The future count, right after the args.
  b = encode(d);
  const size_t futures = locationOffset(d) + 13 + 4 + 8 * d.name.path.size() + 2 + 4 + d.args.size();
  for (size_t i = futures; i < futures + 4; ++i) b[i] = 0xFF;
  std::string e = refusal(b);
  CHECK(contains(e, "future count is 4294967295"));
  CHECK(contains(e, "bytes are left"));
}

TEST("trailing bytes and broken invariants are refused") {
  std::vector<uint8_t> b = encode(single());
  b.push_back(0);
  CHECK(contains(refusal(b), "1 trailing bytes"));
  // A point without a domain of its dim.
  LaunchDescription d = single();
  d.point = Point(1);
  CHECK_THROWS(encode(d));
  d.domain = Rect(2, 5);
  try {
    encode(d);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "outside its launch domain"));
  }
  d = single();
  d.requirements[0].privilege = Privilege::Reduce;
  CHECK_THROWS(encode(d));  // reduce without a redop
  d = single();
  d.requirements[0].region.tree = 0;
  CHECK_THROWS(encode(d));
  d = single();
  d.requirements[0].rects = {Rect(Point(0, 0), Point(1, 1))};  // 2-D rect in a 1-D region
  CHECK_THROWS(encode(d));
  d = single();
  d.task.name.clear();
  CHECK_THROWS(encode(d));
}

TEST("any single corrupted byte is refused with an Error or decodes to what re-encodes to it") {
  const std::vector<uint8_t> good = encode(rich());
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t v : {uint8_t{0x00}, uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      std::vector<uint8_t> b = good;
      b[i] = v;
      try {
        LaunchDescription d = decodeLaunch(b);
        CHECK(encode(d) == b);  // the encoding is canonical
      } catch (const Error&) {
      }
    }
  }
}

TEST("toString is one line naming the task, point and requirements") {
  std::string s = rich().toString();
  CHECK(s.find('\n') == std::string::npos);
  CHECK(contains(s, "'stencil'"));
  CHECK(contains(s, "op 4.1.12"));
  CHECK(contains(s, "point (1,2) of [0..3]x[0..3]"));
  CHECK(contains(s, "reduce(sum) atomic"));
  CHECK(contains(s, "futures [8 B, 0 B, 1 B]"));
  CHECK(contains(single().toString(), "(library 1234abcd5678ef00)"));
}

TEST("a requirement is described with its region's exact rects from the forest") {
  RegionForest forest;
  RegionHandle root = forest.createRegion(Rect(0, 19), {{"x", FieldType::F64}, {"y", FieldType::F64}});
  PartitionHandle part = forest.partitionByRects(root, std::vector<RectList>{{Rect(0, 3), Rect(10, 12)}, {Rect(5, 6)}});
  RegionHandle sub = forest.subregion(part, Point(0));
  RegionRequirement req;
  req.region = sub;
  req.fields = {1};
  req.privilege = Privilege::Reduce;
  req.redop = kRedopMax;
  req.coherence = Coherence::Atomic;
  RequirementDescription q = describeRequirement(forest, req);
  CHECK(q.region == sub);
  CHECK(q.fields == std::vector<FieldId>{1});
  CHECK(q.privilege == Privilege::Reduce);
  CHECK(q.redop == kRedopMax);
  CHECK(q.coherence == Coherence::Atomic);
  CHECK(q.dim == 1);
  CHECK(q.rects == (std::vector<Rect>{Rect(0, 3), Rect(10, 12)}));
  RegionHandle root2 = forest.createRegion(Rect(Point(0, 0), Point(4, 4)), {{"v", FieldType::I32}});
  RegionRequirement whole;
  whole.region = root2;
  whole.fields = {0};
  std::vector<RequirementDescription> qs = describeRequirements(forest, {req, whole});
  REQUIRE(qs.size() == 2);
  CHECK(qs[1].dim == 2);
  CHECK(qs[1].rects == (std::vector<Rect>{Rect(Point(0, 0), Point(4, 4))}));
  LaunchDescription d = single();
  d.requirements = qs;
  CHECK(roundTrip(d) == d);
}

TEST("identity lookup finds a C++ task by (hash, name) and a TS task by name") {
  TaskRegistry reg;
  ReductionRegistry reductions;
  LibraryLoader loader(&sdkApi());
  auto lib = loader.load(std::string(COHORT_FIXTURE_DIR) + "/libtest_kernels.so", reg, reductions);
  TaskId ts = reg.registerJs("ts_only", VariantProps{});
  LaunchDescription d = single();
  d.task = reg.find("rendezvous")->identity();
  CHECK(d.task.libraryHash == lib->contentHash());
  CHECK(reg.findByIdentity(roundTrip(d).task) == reg.find("rendezvous"));
  d.task = reg.get(ts).identity();
  CHECK(d.task.libraryHash == 0);
  CHECK(reg.findByIdentity(roundTrip(d).task) == &reg.get(ts));
  // The same names with the wrong origin are other tasks.
  d.task = TaskIdentity{lib->contentHash(), "ts_only"};
  CHECK(reg.findByIdentity(roundTrip(d).task) == nullptr);
  d.task = TaskIdentity{0, "rendezvous"};
  CHECK(reg.findByIdentity(roundTrip(d).task) == nullptr);
}

TEST("the byte reader refuses overruns and the writer writes little-endian") {
  ByteWriter w;
  w.u32(0x01020304u);
  w.i64(-2);
  std::vector<uint8_t> b = w.take();
  REQUIRE(b.size() == 12);
  CHECK(b[0] == 4);
  CHECK(b[3] == 1);
  ByteReader r(b.data(), b.size(), "test");
  CHECK(r.u32("a") == 0x01020304u);
  CHECK(r.i64("b") == -2);
  r.expectEnd();
  try {
    r.u8("c");
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "test: truncated reading c"));
  }
}

TEST_MAIN("launch description")

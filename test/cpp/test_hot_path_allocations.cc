// The hot path allocates nothing per task once it is steady: every global
// operator new in this executable is counted (all threads), and a steady
// stream of launches of each kind, given more tasks, allocates no more
// (single launches, index launches of twice the points, a traced loop
// replayed for five times the iterations). Operation objects, events,
// futures and their waiters come from the block pool (util/block_pool.h),
// precondition lists are inline, queues and scratch lists keep their
// storage, equal arguments share one buffer. What is left is per launch of
// an index launch outside a trace (the list of futures it returns, its plan
// and work lists), and per replay (its analyzed iterations).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <optional>
#include <thread>
#include <utility>

#include "analysis/region_requirement.h"
#include "check.h"
#include "cohort/value.hpp"
#include "ops/issuer.h"
#include "ops/trace.h"
#include "runtime/runtime.h"

namespace {
std::atomic<uint64_t> gAllocations{0};
}  // namespace

// These are the replacement allocation functions: their delete frees what
// their new took from malloc, which GCC cannot tell from a mismatch once
// they are inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace cohort;

namespace {
int empty(const cohort_api*, cohort_task_context*) { return 0; }

std::vector<uint8_t> noArgs() {
  Encoder e;
  e.beginArray(0);
  return e.take();
}

// An index launch of `task` over 0..width-1, with one requirement or none.
void launchOver(Runtime& rt, TaskId task, coord_t width, const SharedBytes& args,
                std::optional<std::pair<PartitionHandle, Privilege>> over = std::nullopt) {
  IndexLaunch l;
  l.task = task;
  l.domain = Rect(0, width - 1);
  l.args = args;
  if (over)
    l.regions.push_back(LaunchRequirement{
        projectIdentity(rt.forest(), over->first), {0}, over->second, kNoRedop, Coherence::Exclusive});
  issueIndexLaunch(rt, std::move(l));
}

void waitIdle(Runtime& rt) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (rt.outstanding() != 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  REQUIRE(rt.outstanding() == 0);
  rt.drainRetired();
}

// Allocations made by `round()` (issuing tasks and waiting for them), once
// warm: the fewest of three rounds. A pool or queue that meets a new peak of
// work in flight (the workers fell behind for a moment) grows once; that is
// not a cost per task, and it does not recur in every round.
template <typename Round>
uint64_t allocationsOf(Runtime& rt, Round round) {
  for (int warm = 0; warm < 3; ++warm) {
    round();
    waitIdle(rt);
  }
  uint64_t fewest = UINT64_MAX;
  for (int k = 0; k < 3; ++k) {
    const uint64_t before = gAllocations.load();
    round();
    waitIdle(rt);
    fewest = std::min(fewest, gAllocations.load() - before);
  }
  return fewest;
}

// Containers that grow to a new peak of work in flight (the workers fell
// behind for a moment; the machine is shared) allocate now and then; the
// peak depends on timing, not on the number of tasks. So the bound is on
// the extra allocations per extra task: at most 1 in 50. One allocation per
// task would be 1, one per launch of the traced body 1/8.
constexpr double kMaxPerTask = 0.02;
// An untraced launch with regions builds each point's requirement, plan
// entry and region views from the block pool; what is left is per launch
// (its lists of accesses and entries, which grow by doubling: twice the
// points take one or two more steps each, about 0.13 per extra point).
constexpr double kMaxUntracedPerPoint = 0.25;
bool nothingPerTask(uint64_t fewer, uint64_t more, uint64_t extraTasks) {
  return more <= fewer || static_cast<double>(more - fewer) <= kMaxPerTask * static_cast<double>(extraTasks);
}
}  // namespace

TEST("a steady stream of empty single launches allocates nothing per task") {
  Runtime rt(RuntimeOptions{2});
  TaskId t = rt.tasks().registerCpp("empty", &empty, nullptr, VariantProps{});
  const SharedBytes args = std::make_shared<const std::vector<uint8_t>>(noArgs());
  auto launches = [&](uint32_t count) {
    return [&, count] {
      for (uint32_t i = 0; i < count; ++i) {
        SingleLaunch l;
        l.task = t;
        l.args = args;
        issueTask(rt, std::move(l));
      }
    };
  };
  const uint64_t some = allocationsOf(rt, launches(500));
  const uint64_t twice = allocationsOf(rt, launches(1000));
  std::printf("  single launches: %llu allocations for 500 tasks, %llu for 1000\n",
              static_cast<unsigned long long>(some), static_cast<unsigned long long>(twice));
  CHECK(nothingPerTask(0, twice, 1000));
  rt.shutdown();
}

TEST("a steady stream of empty index launches allocates nothing per point") {
  Runtime rt(RuntimeOptions{2});
  TaskId t = rt.tasks().registerCpp("empty", &empty, nullptr, VariantProps{});
  const SharedBytes args = std::make_shared<const std::vector<uint8_t>>(noArgs());
  // The same number of launches with twice the points: what a launch costs
  // cancels, what a point costs does not.
  auto launches = [&](uint32_t width) {
    return [&, width] {
      for (uint32_t i = 0; i < 100; ++i) launchOver(rt, t, width, args);
    };
  };
  const uint64_t narrow = allocationsOf(rt, launches(16));
  const uint64_t wide = allocationsOf(rt, launches(32));
  std::printf("  index launches: %llu allocations for 100 x 16 points, %llu for 100 x 32\n",
              static_cast<unsigned long long>(narrow), static_cast<unsigned long long>(wide));
  CHECK(nothingPerTask(narrow, wide, 1600));
  rt.shutdown();
}

TEST("a steady traced stencil loop allocates nothing per task") {
  Runtime rt(RuntimeOptions{2});
  TaskId t = rt.tasks().registerCpp("empty", &empty, nullptr, VariantProps{});
  const SharedBytes args = std::make_shared<const std::vector<uint8_t>>(noArgs());
  // The same body at two widths (twice the points, the same launches):
  // each step writes its blocks and reads them with a halo of one.
  auto tracedBody = [&](coord_t width) {
    RegionHandle r = rt.forest().createRegion(Rect(0, 4 * width - 1), {{"x", FieldType::F64}});
    PartitionHandle blocks = rt.forest().partitionEqual(r, static_cast<uint64_t>(width));
    PartitionHandle halos = rt.forest().partitionByBlocks(r, Point(4), Point(1), Point(1));
    beginTrace(rt, 0);
    for (int step = 0; step < 2; ++step) {
      launchOver(rt, t, width, args, std::make_pair(blocks, Privilege::ReadWrite));
      launchOver(rt, t, width, args, std::make_pair(halos, Privilege::ReadOnly));
    }
    return endTrace(rt, 0);
  };
  // Replays as rt.trace's replay does: steady iterations issued as a
  // window of 128 tasks allows, the rest each time it reopens.
  constexpr uint64_t kWindow = 128;
  auto waitFired = [](const FuturePtr& f) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!f->ready().hasFired() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    REQUIRE(f->ready().hasFired() && !f->ready().isPoisoned());
  };
  auto replays = [&](const TracePtr& trace, uint32_t times) {
    return [&, trace, times] {
      FuturePtr done = trace->replay(rt, rt.context(0), times, kWindow);
      FuturePtr resume;
      while (trace->continueDeferred(rt, kWindow, resume)) waitFired(resume);
      waitFired(done);
    };
  };
  TracePtr narrow = tracedBody(8);
  waitIdle(rt);
  const uint64_t narrowSome = allocationsOf(rt, replays(narrow, 50));
  const uint64_t narrowMore = allocationsOf(rt, replays(narrow, 250));
  TracePtr wide = tracedBody(16);
  waitIdle(rt);
  const uint64_t wideSome = allocationsOf(rt, replays(wide, 50));
  const uint64_t wideMore = allocationsOf(rt, replays(wide, 250));
  std::printf(
      "  traced loop, allocations per replay of 50 and 250 iterations: %llu and %llu (8 points), "
      "%llu and %llu (16 points)\n",
      static_cast<unsigned long long>(narrowSome), static_cast<unsigned long long>(narrowMore),
      static_cast<unsigned long long>(wideSome), static_cast<unsigned long long>(wideMore));
  // What a replay allocates (its analyzed first and last iterations) does
  // not grow with the steady iterations between them.
  CHECK(nothingPerTask(narrowSome, narrowMore, 200 * 32));
  CHECK(nothingPerTask(wideSome, wideMore, 200 * 64));
  rt.shutdown();
}

TEST_MAIN("hot path allocations")

TEST("untraced index launches with a requirement allocate per launch, not per point") {
  Runtime rt(RuntimeOptions{2});
  TaskId t = rt.tasks().registerCpp("empty", &empty, nullptr, VariantProps{});
  const SharedBytes args = std::make_shared<const std::vector<uint8_t>>(noArgs());
  RegionHandle r = rt.forest().createRegion(Rect(0, 63), {{"x", FieldType::F64}});
  PartitionHandle narrowBlocks = rt.forest().partitionEqual(r, 16);
  PartitionHandle wideBlocks = rt.forest().partitionEqual(r, 32);
  auto launches = [&](PartitionHandle blocks, coord_t width) {
    return [&, blocks, width] {
      for (uint32_t i = 0; i < 50; ++i) launchOver(rt, t, width, args, std::make_pair(blocks, Privilege::ReadWrite));
    };
  };
  const uint64_t narrow = allocationsOf(rt, launches(narrowBlocks, 16));
  const uint64_t wide = allocationsOf(rt, launches(wideBlocks, 32));
  const double perPoint = static_cast<double>(wide > narrow ? wide - narrow : 0) / (50.0 * 16.0);
  std::printf(
      "  untraced index launches with a requirement: %llu allocations for 50 x 16 points, %llu for 50 x 32"
      " (%.2f per extra point)\n",
      static_cast<unsigned long long>(narrow), static_cast<unsigned long long>(wide), perPoint);
  CHECK(perPoint <= kMaxUntracedPerPoint);
  rt.shutdown();
}

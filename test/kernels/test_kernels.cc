// Kernels used only by the tests: instrumentation (how many tasks run at
// once), failures, and echoes. The counters below are test instrumentation
// shared by the tasks of this library on purpose.
#include <cohort/cohort.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

struct Probe {
  std::atomic<int> running{0};
  std::atomic<int> maxRunning{0};
  std::atomic<int> arrivals{0};
  std::atomic<int> writerRounds{0};
  std::atomic<int> tickets{0};
  std::atomic<int> released{0};
};
Probe& probe() {
  static Probe p;
  return p;
}

// rendezvous(n) -> the largest number of rendezvous tasks seen running at
// once. Each waits until n of them have arrived: with fewer than n workers
// running them concurrently this cannot happen, so the task gives up after
// a generous deadline (a hang guard, not a timing measurement) and reports
// the count it reached.
void rendezvous(cohort::TaskContext& ctx) {
  int n = static_cast<int>(ctx.arg(0).asInt());
  Probe& p = probe();
  int now = p.running.fetch_add(1) + 1;
  int prev = p.maxRunning.load();
  while (now > prev && !p.maxRunning.compare_exchange_weak(prev, now)) {
  }
  p.arrivals.fetch_add(1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (p.maxRunning.load() < n && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  p.running.fetch_sub(1);
  ctx.result(static_cast<double>(p.maxRunning.load()));
}

void resetProbe(cohort::TaskContext& ctx) {
  Probe& p = probe();
  p.running = 0;
  p.maxRunning = 0;
  p.arrivals = 0;
  p.writerRounds = 0;
  p.tickets = 0;
  p.released = 0;
  ctx.result(0.0);
}

// fail(message): reports failure through the SDK.
void fail(cohort::TaskContext& ctx) { ctx.fail(std::string(ctx.arg(0).asString())); }

// throws(message): throws a std::exception.
void throws(cohort::TaskContext& ctx) { throw std::runtime_error(std::string(ctx.arg(0).asString())); }

// echo(value) -> value, re-encoded through the C++ decoder/encoder.
void encodeValue(cohort::Encoder& e, const cohort::Value& v) {
  using cohort::ValueTag;
  switch (v.tag()) {
    case ValueTag::Undefined: e.undefined(); break;
    case ValueTag::Null: e.null(); break;
    case ValueTag::False:
    case ValueTag::True: e.boolean(v.asBool()); break;
    case ValueTag::Number: e.number(v.asNumber()); break;
    case ValueTag::BigInt: e.bigint(v.asInt()); break;
    case ValueTag::String: e.string(v.asString()); break;
    case ValueTag::Array:
      e.beginArray(static_cast<uint32_t>(v.size()));
      for (size_t i = 0; i < v.size(); ++i) encodeValue(e, v[i]);
      break;
    case ValueTag::Object:
      e.beginObject(static_cast<uint32_t>(v.size()));
      for (size_t i = 0; i < v.size(); ++i) {
        e.key(v.keyAt(i));
        encodeValue(e, v.get(v.keyAt(i)));
      }
      break;
    case ValueTag::TypedArray:
      switch (v.elementKind()) {
        case cohort::ElementKind::F64: e.typedArray(v.typedData<double>(), v.size()); break;
        case cohort::ElementKind::F32: e.typedArray(v.typedData<float>(), v.size()); break;
        case cohort::ElementKind::I32: e.typedArray(v.typedData<int32_t>(), v.size()); break;
        case cohort::ElementKind::U8: e.typedArray(v.typedData<uint8_t>(), v.size()); break;
        default: throw std::runtime_error("echo: unsupported element kind");
      }
      break;
  }
}
void echo(cohort::TaskContext& ctx) {
  cohort::Encoder e;
  encodeValue(e, ctx.arg(0));
  ctx.result(e);
}

// needs_number(x) -> x * 2; a string argument fails with the SDK's message.
void needsNumber(cohort::TaskContext& ctx) { ctx.result(ctx.arg(0).asNumber() * 2); }

// processor() -> the processor id the task ran on.
void processor(cohort::TaskContext& ctx) { ctx.result(static_cast<double>(ctx.processor())); }

// empty(): does nothing (benchmarks).
void empty(cohort::TaskContext&) {}

// add_to_field(k): adds k to every element of field 0 (f64) of requirement 0.
void addToField(cohort::TaskContext& ctx) {
  double k = ctx.arg(0).asNumber();
  auto x = ctx.field<double>(0, 0);
  for (int64_t i = x.lo(); i <= x.hi(); ++i) x(i) += k;
}

// sum_field() -> the sum of field 0 (f64) of requirement 0 (1-D or 2-D).
void sumField(cohort::TaskContext& ctx) {
  cohort_field_view v = ctx.fieldView(0, 0);
  double s = 0;
  if (v.dim == 1) {
    auto x = ctx.field<double>(0, 0);
    for (int64_t i = x.lo(); i <= x.hi(); ++i) s += x(i);
  } else {
    auto x = ctx.field<double, 2>(0, 0);
    for (int64_t i = x.lo(0); i <= x.hi(0); ++i)
      for (int64_t j = x.lo(1); j <= x.hi(1); ++j) s += x(i, j);
  }
  ctx.result(s);
}

// scribble(): writes 1 to the first element of field 0 of requirement 0,
// whatever its privilege (checking mode must catch a read-only one).
void scribble(cohort::TaskContext& ctx) {
  cohort_field_view v = ctx.fieldView(0, 0);
  static_cast<double*>(v.base)[0] += 1;
}

// scribble_past_row(): adds 1 to the element one column past the first row
// of a 2-D field 0 (f64), through the raw view: outside the region, inside
// its window's rows. Checking mode must name this task.
void scribblePastRow(cohort::TaskContext& ctx) {
  cohort_field_view v = ctx.fieldView(0, 0);
  static_cast<double*>(v.base)[v.hi[1] - v.lo[1] + 1] += 1;
}

// add_to_field_2d(k): adds k to every element of a 2-D field 0 (f64).
void addToField2d(cohort::TaskContext& ctx) {
  double k = ctx.arg(0).asNumber();
  auto x = ctx.field<double, 2>(0, 0);
  for (int64_t i = x.lo(0); i <= x.hi(0); ++i)
    for (int64_t j = x.lo(1); j <= x.hi(1); ++j) x(i, j) += k;
}

// write_point(): writes this point's first coordinate into every element of
// field 0 (f64) of requirement 0.
void writePoint(cohort::TaskContext& ctx) {
  auto x = ctx.field<double>(0, 0);
  for (int64_t i = x.lo(); i <= x.hi(); ++i) x(i) = static_cast<double>(ctx.point(0));
}

// stencil_step(lo, hi): requirement 0 reads field 0 (f64) through a ghost
// (halo 1) piece, requirement 1 writes field 0 of the matching disjoint
// piece: out[i] = (in[i-1] + 2 in[i] + in[i+1] + 1) mod 1000003, with the
// neighbours outside [lo, hi] taken as 0. Exact in doubles.
void stencilStep(cohort::TaskContext& ctx) {
  int64_t lo = ctx.arg(0).asInt(), hi = ctx.arg(1).asInt();
  auto in = ctx.field<double>(0, 0);
  auto out = ctx.field<double>(1, 0);
  for (int64_t i = out.lo(); i <= out.hi(); ++i) {
    double l = i - 1 >= lo ? in(i - 1) : 0, r = i + 1 <= hi ? in(i + 1) : 0;
    out(i) = static_cast<double>(static_cast<int64_t>(l + 2 * in(i) + r + 1) % 1000003);
  }
}

// count_up_or_fail(limit): adds 1 to every element of field 0 (f64) of
// requirement 0, then fails ("count reached n") once element lo passes
// `limit`: a task that fails only in a later iteration of a replay.
void countUpOrFail(cohort::TaskContext& ctx) {
  const double limit = ctx.arg(0).asNumber();
  auto x = ctx.field<double>(0, 0);
  for (int64_t i = x.lo(); i <= x.hi(); ++i) x(i) += 1;
  if (x(x.lo()) > limit) ctx.fail("count reached " + std::to_string(static_cast<int64_t>(x(x.lo()))));
}

// or_bits(mask): reduces field 0 (i32) of requirement 0 with the library's
// 'bitor' operator: x |= mask on every element. The runtime runs same-
// operator reductions in any order, one at a time per field.
void orBits(cohort::TaskContext& ctx) {
  int32_t mask = static_cast<int32_t>(ctx.arg(0).asInt());
  auto x = ctx.field<int32_t>(0, 0);
  for (int64_t i = x.lo(); i <= x.hi(); ++i) x(i) |= mask;
  ctx.result(static_cast<double>(ctx.fieldView(0, 0).redop));
}

// which_variant() -> "cpp" (the tests register a TS variant answering "ts").
void whichVariant(cohort::TaskContext& ctx) { ctx.result("cpp"); }

// point_rendezvous(n) -> like rendezvous, for index launches over regions.
void pointRendezvous(cohort::TaskContext& ctx) { rendezvous(ctx); }

// scribble_until_arrivals(n): keeps adding 1 to every element of a 2-D
// field 0 (f64) straight in the storage (run it under simultaneous
// coherence, which checking mode does not copy) until n arrive_and_sum
// tasks have arrived, or a hang-guard deadline passes. Returns the rounds.
// arrive_and_sum() -> sum_field's answer, after the writer's first round
// (or the deadline), counting itself arrived.
void scribbleUntilArrivals(cohort::TaskContext& ctx) {
  const int n = static_cast<int>(ctx.arg(0).asInt());
  auto x = ctx.field<double, 2>(0, 0);
  Probe& p = probe();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  double rounds = 0;
  while (p.arrivals.load() < n && std::chrono::steady_clock::now() < deadline) {
    for (int64_t i = x.lo(0); i <= x.hi(0); ++i)
      for (int64_t j = x.lo(1); j <= x.hi(1); ++j) x(i, j) += 1;
    ++rounds;
    p.writerRounds.store(1);
  }
  ctx.result(rounds);
}

void arriveAndSum(cohort::TaskContext& ctx) {
  Probe& p = probe();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (p.writerRounds.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  p.arrivals.fetch_add(1);
  sumField(ctx);
}

// Native crashes, for the fatal-signal report (run only in child processes).
// crash_abort() calls abort(); crash_null() writes through a null pointer
// (volatile pointer to volatile, so the compiler can neither prove it null
// nor drop the store);
// crash_stack_overflow(depth) recurses `depth` frames of 4 KiB.
void crashAbort(cohort::TaskContext&) { std::abort(); }
void crashNull(cohort::TaskContext&) {
  volatile int* volatile p = nullptr;
  *p = 42;
}
int recurse(int64_t depth, volatile char* sink) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  *sink = frame[0];
  if (depth <= 0) return frame[0];
  return recurse(depth - 1, sink) + frame[4095];  // not a tail call
}
void crashStackOverflow(cohort::TaskContext& ctx) {
  volatile char sink = 0;
  ctx.result(static_cast<double>(recurse(ctx.arg(0).asInt(), &sink)));
}

// block_forever(): never returns (a task that never finishes, for the
// pending-task report; run only in child processes).
// Never destroyed: exit() must not wait in a destructor for this waiter.
void blockForever(cohort::TaskContext&) {
  static auto* m = new std::mutex;
  static auto* never = new std::condition_variable;
  std::unique_lock<std::mutex> lock(*m);
  never->wait(lock, [] { return false; });
}

// ticket() -> 0, 1, 2, ... in the order the ticket tasks ran (reset_probe
// starts again at 0).
void ticket(cohort::TaskContext& ctx) { ctx.result(static_cast<double>(probe().tickets.fetch_add(1))); }

// wait_for_flag(): requirement 0 is a 1-D i32 field (read-write,
// simultaneous). Holds its worker until element 0 is 1, stored by a TS task
// running meanwhile. Returns 1 when it saw the flag, 0 when the 20 s hang
// guard expired.
void waitForFlag(cohort::TaskContext& ctx) {
  const cohort_field_view v = ctx.fieldView(0, 0);
  if (v.field_type != COHORT_I32 || v.dim != 1) throw std::runtime_error("wait_for_flag: expects a 1-D i32 field");
  const int32_t* flag = static_cast<const int32_t*>(v.base);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (__atomic_load_n(flag, __ATOMIC_SEQ_CST) != 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ctx.result(__atomic_load_n(flag, __ATOMIC_SEQ_CST) == 1 ? 1.0 : 0.0);
}

// hold_point(k) -> 1: point k of an index launch holds its worker until a
// release_point task has run meanwhile (0 when the 20 s hang guard expired
// first); the other points return 1 at once.
// release_point(k): point k releases the held point; the others do nothing.
void holdPoint(cohort::TaskContext& ctx) {
  if (ctx.point(0) != ctx.arg(0).asInt()) {
    ctx.result(1.0);
    return;
  }
  Probe& p = probe();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (p.released.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ctx.result(p.released.load() != 0 ? 1.0 : 0.0);
}
void releasePoint(cohort::TaskContext& ctx) {
  if (ctx.point(0) == ctx.arg(0).asInt()) probe().released.store(1);
  ctx.result(0.0);
}

// Registration callback record_payload: counts its runs and keeps the
// last payload (callback_state reports "runs:payload"); refuses the
// payload "fail on rank <r>" on rank r (from Open MPI's environment), so
// the tests can see a failure named by its rank.
struct CallbackRecord {
  std::mutex mutex;
  int runs = 0;
  std::string last;
};
CallbackRecord& callbackRecord() {
  static CallbackRecord r;
  return r;
}

int recordPayload(const cohort_api*, const void* payload, size_t len, char* error, size_t errorLen) {
  const std::string text(static_cast<const char*>(payload), len);
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  if (rank && text == std::string("fail on rank ") + rank) {
    std::snprintf(error, errorLen, "refused payload '%s'", text.c_str());
    return 1;
  }
  CallbackRecord& r = callbackRecord();
  std::lock_guard<std::mutex> lock(r.mutex);
  ++r.runs;
  r.last = text;
  return 0;
}

void callbackState(cohort::TaskContext& ctx) {
  CallbackRecord& r = callbackRecord();
  std::lock_guard<std::mutex> lock(r.mutex);
  ctx.result(std::to_string(r.runs) + ":" + r.last);
}

void registerTasks(cohort::Registrar& r) {
  r.task<holdPoint>("hold_point");
  r.task<releasePoint>("release_point");
  r.task<ticket>("ticket");
  r.task<waitForFlag>("wait_for_flag");
  r.task<rendezvous>("rendezvous");
  r.task<resetProbe>("reset_probe");
  r.task<fail>("fail");
  r.task<throws>("throws");
  r.task<echo>("echo");
  r.task<needsNumber>("needs_number");
  r.task<processor>("processor");
  r.task<empty>("empty");
  r.task<addToField>("add_to_field");
  r.task<sumField>("sum_field");
  r.task<scribble>("scribble");
  r.task<writePoint>("write_point");
  r.task<scribblePastRow>("scribble_past_row");
  r.task<addToField2d>("add_to_field_2d");
  r.task<pointRendezvous>("point_rendezvous");
  r.task<whichVariant>("which_variant");
  r.task<stencilStep>("stencil_step");
  r.task<countUpOrFail>("count_up_or_fail");
  r.reduction("bitor");
  r.task<orBits>("or_bits");
  r.task<crashAbort>("crash_abort");
  r.task<crashNull>("crash_null");
  r.task<crashStackOverflow>("crash_stack_overflow");
  r.task<blockForever>("block_forever");
  r.task<scribbleUntilArrivals>("scribble_until_arrivals");
  r.task<arriveAndSum>("arrive_and_sum");
  r.task<callbackState>("callback_state");
  r.callback("record_payload", &recordPayload);
}

}  // namespace

COHORT_LIBRARY(registerTasks)

// C++ tasks of the Legion tutorial ports (examples/tutorial06..08): the leaf
// tasks that touch region data on the worker threads, while the TypeScript
// side launches them (and runs some tasks of its own on the JS thread).
//
// Built into build/kernels/libtutorial_kernels.so by `npm run build:examples`
// with -ffp-contract=off, so `alpha * x + y` and the stencil are never fused
// into FMAs and the TS checks can compare the results bit for bit, as the
// original tutorials do.
//
// Tasks print from worker threads the way the Legion tutorials do; every
// line is flushed at once so it lands in order with the JS thread's output.
#include <cohort/cohort.hpp>

#include <cstdint>
#include <cstdio>

namespace {

// The index point of a point task, or -1 for a single task.
int64_t pointOrMinusOne(cohort::TaskContext& ctx) { return ctx.pointDim() > 0 ? ctx.point(0) : -1; }

// splitmix64: a small deterministic generator, so every block of every run
// gets the same data (the tutorials use drand48).
struct SplitMix64 {
  uint64_t state;
  explicit SplitMix64(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

// init_field(fieldId, seed): fills field 0 of requirement 0 (write-discard)
// with pseudo-random numbers in [0, 1). `fieldId` is only printed.
//   "Initializing field F for block B..." (point task) / "Initializing field F..."
void initField(cohort::TaskContext& ctx) {
  const int fieldId = static_cast<int>(ctx.arg(0).asInt());
  const uint64_t seed = static_cast<uint64_t>(ctx.arg(1).asInt());
  const int64_t point = pointOrMinusOne(ctx);
  if (point >= 0)
    std::printf("Initializing field %d for block %lld...\n", fieldId, static_cast<long long>(point));
  else
    std::printf("Initializing field %d...\n", fieldId);
  std::fflush(stdout);

  auto acc = ctx.field<double>(0, 0);
  SplitMix64 rng(seed * 1000003ull + static_cast<uint64_t>(point + 1) * 7919ull + static_cast<uint64_t>(fieldId));
  for (int64_t i = acc.lo(); i <= acc.hi(); ++i) acc[i] = rng.uniform();
}

// daxpy(alpha): z = alpha * x + y over the task's (sub)region.
//   requirement 0: read-only x, y (fields 0 and 1)
//   requirement 1: write-discard z (field 0)
void daxpy(cohort::TaskContext& ctx) {
  const double alpha = ctx.arg(0).asNumber();
  const int64_t point = pointOrMinusOne(ctx);
  if (point >= 0)
    std::printf("Running daxpy computation with alpha %.8g for point %lld...\n", alpha, static_cast<long long>(point));
  else
    std::printf("Running daxpy computation with alpha %.8g...\n", alpha);
  std::fflush(stdout);

  auto x = ctx.field<double>(0, 0);
  auto y = ctx.field<double>(0, 1);
  auto z = ctx.field<double>(1, 0);
  if (z.lo() != x.lo() || z.hi() != x.hi())
    throw cohort::ValueError("daxpy: the input and output regions cover different points");
  for (int64_t i = z.lo(); i <= z.hi(); ++i) z[i] = alpha * x[i] + y[i];
}

// stencil(numElements): the 5-point derivative
//   f'(i) = (f(i-2) - 8 f(i-1) + 8 f(i+1) - f(i+2)) / 12
// with indices clamped to [0, numElements-1] at the ends of the whole array.
//   requirement 0: read-only input values on the *ghost* subregion (the
//                  block plus 2 cells each side, clipped)
//   requirement 1: write-discard output on the *disjoint* subregion
// Blocks that touch either end take the slow path, which clamps; the others
// read their ghost cells directly (an out-of-range read would throw: the
// accessor is bounds-checked in this build).
void stencil(cohort::TaskContext& ctx) {
  const int64_t n = ctx.arg(0).asInt();
  const int64_t point = pointOrMinusOne(ctx);
  auto in = ctx.field<double>(0, 0);
  auto out = ctx.field<double>(1, 0);
  const int64_t lo = out.lo(), hi = out.hi();
  if (lo > hi) return;  // an empty block
  if (lo < 2 || hi > n - 3) {
    std::printf("Running slow stencil path for point %lld...\n", static_cast<long long>(point));
    std::fflush(stdout);
    auto at = [&](int64_t i) { return in[i < 0 ? 0 : (i > n - 1 ? n - 1 : i)]; };
    for (int64_t i = lo; i <= hi; ++i) out[i] = (at(i - 2) - 8.0 * at(i - 1) + 8.0 * at(i + 1) - at(i + 2)) / 12.0;
  } else {
    std::printf("Running fast stencil path for point %lld...\n", static_cast<long long>(point));
    std::fflush(stdout);
    for (int64_t i = lo; i <= hi; ++i) out[i] = (in[i - 2] - 8.0 * in[i - 1] + 8.0 * in[i + 1] - in[i + 2]) / 12.0;
  }
}

// ---- Tutorial 09 (custom mapper) -----------------------------------------
// The same work as init_field and daxpy, but each task also returns the id
// of the processor it ran on (ctx.processor()), so the TS side can check
// that every task ran where the mapper put it.

// mapped_init_field(fieldId, seed) -> processor id (see init_field).
void mappedInitField(cohort::TaskContext& ctx) {
  initField(ctx);
  ctx.result(static_cast<double>(ctx.processor()));
}

// mapped_daxpy(alpha) -> processor id (see daxpy).
void mappedDaxpy(cohort::TaskContext& ctx) {
  daxpy(ctx);
  ctx.result(static_cast<double>(ctx.processor()));
}

// mapped_check(alpha) -> [wrong elements, processor id]: the C++ variant of
// the check (the example also registers a TS variant under the same name,
// so the mapper can run it on a CPU worker or on the JS processor).
//   requirement 0: read-only x, y (fields 0 and 1) of the whole region
//   requirement 1: read-only z (field 0)
void mappedCheck(cohort::TaskContext& ctx) {
  const double alpha = ctx.arg(0).asNumber();
  auto x = ctx.field<double>(0, 0);
  auto y = ctx.field<double>(0, 1);
  auto z = ctx.field<double>(1, 0);
  double wrong = 0;
  for (int64_t i = z.lo(); i <= z.hi(); ++i) {
    const double expected = alpha * x[i] + y[i];
    if (expected != z[i]) {
      if (wrong == 0)
        std::fprintf(stderr, "element %lld is %.17g, expected %.17g\n", static_cast<long long>(i), z[i], expected);
      wrong += 1;
    }
  }
  cohort::Encoder e;
  e.beginArray(2).number(wrong).number(static_cast<double>(ctx.processor()));
  ctx.result(e);
}

void registerTasks(cohort::Registrar& r) {
  r.task<initField>("init_field");
  r.task<daxpy>("daxpy");
  r.task<stencil>("stencil");
  r.task<mappedInitField>("mapped_init_field");
  r.task<mappedDaxpy>("mapped_daxpy");
  r.task<mappedCheck>("mapped_check");
}

}  // namespace

COHORT_LIBRARY(registerTasks)

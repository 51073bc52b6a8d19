// Example C++ task library for cohort: a few tasks used by the examples and
// the README. Build it with `npx cohort-config build kernels.cc -o kernels.so`
// (or CMake: see README), then `await rt.loadLibrary('./kernels.so')`.
#include <cohort/cohort.hpp>

#include <cmath>
#include <string>

namespace {

// hello(name) -> "Hello, <name>!"
void hello(cohort::TaskContext& ctx) {
  std::string name = ctx.argCount() > 0 ? std::string(ctx.arg(0).asString()) : "world";
  ctx.result("Hello, " + name + "!");
}

// add(a, b) -> a + b
void add(cohort::TaskContext& ctx) { ctx.result(ctx.arg(0).asNumber() + ctx.arg(1).asNumber()); }

// sum_futures() -> the sum of the values of every future passed to it.
void sumFutures(cohort::TaskContext& ctx) {
  double s = 0;
  for (uint32_t i = 0; i < ctx.futureCount(); ++i) s += ctx.future(i).asNumber();
  ctx.result(s);
}

// scale(array, alpha) -> a new Float64Array with every element times alpha.
void scale(cohort::TaskContext& ctx) {
  std::vector<double> v = ctx.arg(0).toVector<double>();
  double alpha = ctx.arg(1).asNumber();
  for (double& x : v) x *= alpha;
  ctx.result(v);
}

// norm(array) -> Euclidean norm of a Float64Array.
void norm(cohort::TaskContext& ctx) {
  cohort::Value a = ctx.arg(0);
  const double* p = a.typedData<double>();
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += p[i] * p[i];
  ctx.result(std::sqrt(s));
}

// describe({name, n}) -> {greeting, twice}: objects in and out.
void describe(cohort::TaskContext& ctx) {
  cohort::Value o = ctx.arg(0);
  cohort::Encoder e;
  e.beginObject(2);
  e.key("greeting").string("item " + std::string(o.get("name").asString()));
  e.key("twice").number(2 * o.get("n").asNumber());
  ctx.result(e);
}

void registerTasks(cohort::Registrar& r) {
  r.task<hello>("hello");
  r.task<add>("add");
  r.task<sumFutures>("sum_futures");
  r.task<scale>("scale");
  r.task<norm>("norm");
  r.task<describe>("describe");
}

}  // namespace

COHORT_LIBRARY(registerTasks)

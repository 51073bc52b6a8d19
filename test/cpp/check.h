// Minimal test harness for cohort's C++ unit tests: each test file is one
// executable; TEST(name) registers a case, CHECK(cond) records a failure
// without stopping the case, REQUIRE(cond) stops it. The run ends with the
// plain "N passed, N failed" line that CI readers understand.
#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace cohort_test {

struct Case {
  const char* name;
  std::function<void()> body;
};

inline std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

struct Failed {};

inline int& failures_in_case() {
  static int n = 0;
  return n;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

inline int run_all(const char* suite) {
  int passed = 0, failed = 0;
  for (auto& c : registry()) {
    failures_in_case() = 0;
    try {
      c.body();
    } catch (const Failed&) {
    } catch (const std::exception& e) {
      std::printf("  %s: unexpected exception: %s\n", c.name, e.what());
      ++failures_in_case();
    }
    if (failures_in_case() == 0) {
      ++passed;
      std::printf("ok   %s\n", c.name);
    } else {
      ++failed;
      std::printf("FAIL %s\n", c.name);
    }
  }
  std::printf("%s: %d passed, %d failed\n", suite, passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace cohort_test

#define COHORT_TEST_CAT2(a, b) a##b
#define COHORT_TEST_CAT(a, b) COHORT_TEST_CAT2(a, b)
#define TEST(name)                                                                                               \
  static void COHORT_TEST_CAT(test_fn_, __LINE__)();                                                             \
  static cohort_test::Registrar COHORT_TEST_CAT(test_reg_, __LINE__)(name, COHORT_TEST_CAT(test_fn_, __LINE__)); \
  static void COHORT_TEST_CAT(test_fn_, __LINE__)()

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++cohort_test::failures_in_case();                                     \
    }                                                                        \
  } while (0)

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::printf("  %s:%d: REQUIRE(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++cohort_test::failures_in_case();                                       \
      throw cohort_test::Failed{};                                             \
    }                                                                          \
  } while (0)

#define CHECK_THROWS(expr)                                                                 \
  do {                                                                                     \
    bool threw_ = false;                                                                   \
    try {                                                                                  \
      (void)(expr);                                                                        \
    } catch (...) {                                                                        \
      threw_ = true;                                                                       \
    }                                                                                      \
    if (!threw_) {                                                                         \
      std::printf("  %s:%d: CHECK_THROWS(%s) did not throw\n", __FILE__, __LINE__, #expr); \
      ++cohort_test::failures_in_case();                                                   \
    }                                                                                      \
  } while (0)

#define TEST_MAIN(suite) \
  int main() { return cohort_test::run_all(suite); }

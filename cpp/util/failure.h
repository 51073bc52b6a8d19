// A Failure is why an operation did not produce a value: the original
// message and stack of the task that threw, plus which operation it was.
// Events carry a Failure when poisoned, so successors can name the failed
// predecessor without reaching back into it.
#pragma once
#include <memory>
#include <string>

namespace cohort {

struct Failure {
  std::string message;  // the original error message, unchanged
  std::string stack;    // the original stack (JS) or empty (C++)
  std::string origin;   // "task 'fib' (op #12)": the operation that failed
};

using FailurePtr = std::shared_ptr<const Failure>;

inline FailurePtr makeFailure(std::string message, std::string stack,
                              std::string origin) {
  return std::make_shared<const Failure>(
      Failure{std::move(message), std::move(stack), std::move(origin)});
}

}  // namespace cohort

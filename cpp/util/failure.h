// A Failure is why an operation did not produce a value: the original
// message and stack of the task that threw, plus which operation it was.
// Events carry a Failure when poisoned, so successors can name the failed
// predecessor without reaching back into it.
// A task that did not run because a predecessor failed gets a Failure of
// its own whose `root` is the failure that started the chain: its message
// names the dependent, its immediate predecessor and the root (once), so
// messages stay the same length however long the chain of dependents is.
#pragma once
#include <memory>
#include <string>

namespace cohort {

struct Failure;
using FailurePtr = std::shared_ptr<const Failure>;

struct Failure {
  std::string message;  // the original error message, unchanged
  std::string stack;    // the original stack (JS) or empty (C++, dependents)
  std::string origin;   // "task 'fib' (op #12)": the operation that failed
  FailurePtr root;      // the failure that started a chain of dependents; null for the root itself

  // The failure that started it all (this one when it is the root).
  const Failure& rootFailure() const { return root ? *root : *this; }
};

inline FailurePtr makeFailure(std::string message, std::string stack, std::string origin, FailurePtr root = nullptr) {
  return std::make_shared<const Failure>(
      Failure{std::move(message), std::move(stack), std::move(origin), std::move(root)});
}

// Why `dependent` did not run: `predecessor` failed. Names the predecessor
// and the root once (not the predecessor's whole message: along a chain
// that would grow quadratically).
inline FailurePtr dependentFailure(const std::string& dependent, const FailurePtr& predecessor) {
  std::string message = dependent + " did not run because " + predecessor->origin + ", which it depends on, ";
  if (predecessor->root)
    message += "did not run because " + predecessor->root->origin + " failed: " + predecessor->root->message;
  else
    message += "failed: " + predecessor->message;
  return makeFailure(std::move(message), "", dependent, predecessor->root ? predecessor->root : predecessor);
}

}  // namespace cohort

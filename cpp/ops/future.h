// A future: the value an operation will produce. Written once (bytes in the
// cohort value encoding, or a failure on the event) before `ready` fires;
// read-only afterwards, so readers need no lock once ready has fired.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "events/event.h"

namespace cohort {

class FutureImpl {
 public:
  explicit FutureImpl(std::string producer) : ready_(Event::create()), producer_(std::move(producer)) {}
  // A task's future: the label "task 'name' (op #3.2)" is built only when
  // asked for (errors), not for every launch. `taskName` must outlive it
  // (task names live in the registry for the runtime's life); `context` is
  // the name of the context the op is in (null at the top level).
  FutureImpl(const std::string* taskName, std::shared_ptr<const std::string> context, uint64_t position)
      : ready_(Event::create()), taskName_(taskName), context_(std::move(context)), position_(position) {}
  static std::shared_ptr<FutureImpl> fromBytes(std::vector<uint8_t> bytes);

  const Event& ready() const { return ready_; }
  std::string producer() const {
    if (taskName_) return "task '" + *taskName_ + "' (op #" + name() + ")";
    return producer_;
  }
  // The producing task's name ("3.2"), or "" for other futures.
  std::string name() const {
    if (!taskName_) return "";
    return context_ ? *context_ + "." + std::to_string(position_) : std::to_string(position_);
  }
  const std::shared_ptr<const std::string>& context() const { return context_; }
  uint64_t position() const { return position_; }
  // Valid once ready() fired without poison.
  const std::vector<uint8_t>& bytes() const { return undefined_ ? undefinedBytes() : bytes_; }

  void resolve(std::vector<uint8_t> bytes) {
    bytes_ = std::move(bytes);
    ready_.trigger();
  }
  // Resolves to `undefined` (what a task that sets no result returns)
  // without a buffer of its own.
  void resolveUndefined() {
    undefined_ = true;
    ready_.trigger();
  }
  void reject(FailurePtr f) { ready_.poison(std::move(f)); }

 private:
  Event ready_;
  std::string producer_;
  const std::string* taskName_ = nullptr;
  std::shared_ptr<const std::string> context_;
  uint64_t position_ = 0;
  bool undefined_ = false;
  std::vector<uint8_t> bytes_;
  static const std::vector<uint8_t>& undefinedBytes() {
    static const std::vector<uint8_t> kUndefined{0};  // ValueTag::Undefined; immutable
    return kUndefined;
  }
};

using FuturePtr = std::shared_ptr<FutureImpl>;

inline FuturePtr FutureImpl::fromBytes(std::vector<uint8_t> bytes) {
  auto f = std::make_shared<FutureImpl>("a value");
  f->resolve(std::move(bytes));
  return f;
}

}  // namespace cohort

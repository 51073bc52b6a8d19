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
  // A task's future: the label "task 'name' (op #id)" is built only when
  // asked for (errors), not for every launch. `taskName` must outlive it
  // (task names live in the registry for the runtime's life).
  FutureImpl(const std::string* taskName, uint64_t opId) : ready_(Event::create()), taskName_(taskName), opId_(opId) {}
  static std::shared_ptr<FutureImpl> fromBytes(std::vector<uint8_t> bytes);

  const Event& ready() const { return ready_; }
  std::string producer() const {
    if (taskName_) return "task '" + *taskName_ + "' (op #" + std::to_string(opId_) + ")";
    return producer_;
  }
  // Valid once ready() fired without poison.
  const std::vector<uint8_t>& bytes() const { return bytes_; }

  void resolve(std::vector<uint8_t> bytes) {
    bytes_ = std::move(bytes);
    ready_.trigger();
  }
  void reject(FailurePtr f) { ready_.poison(std::move(f)); }

 private:
  Event ready_;
  std::string producer_;
  const std::string* taskName_ = nullptr;
  uint64_t opId_ = 0;
  std::vector<uint8_t> bytes_;
};

using FuturePtr = std::shared_ptr<FutureImpl>;

inline FuturePtr FutureImpl::fromBytes(std::vector<uint8_t> bytes) {
  auto f = std::make_shared<FutureImpl>("a value");
  f->resolve(std::move(bytes));
  return f;
}

}  // namespace cohort

// The runtime's error type: thrown by core code, turned into a JS Error by
// the binding layer (node-addon-api's C++-exceptions-all mode).
#pragma once
#include <stdexcept>

namespace cohort {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace cohort

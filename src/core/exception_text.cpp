// SPDX-License-Identifier: MIT
// What a caught exception says, for a log line.
#include "peerchat/core/exception_text.hpp"

namespace peerchat {

std::string describe(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (std::exception const& x) {
    return x.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace peerchat

// SPDX-License-Identifier: MIT
// What a caught exception says, for a log line.
#pragma once
#include <exception>
#include <string>

namespace peerchat {

// what() of a std::exception, or a sentence saying it was something else.
std::string describe(std::exception_ptr e);

}  // namespace peerchat

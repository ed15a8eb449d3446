// SPDX-License-Identifier: MIT
// Tells the test support where the real peerchat executable is (for the CLI and the
// tests that run the server as a separate process).
#include "support/process.hpp"

namespace {
[[maybe_unused]] bool const registered = (peerchat::test::set_peerchat_binary(PEERCHAT_BINARY), true);
}  // namespace

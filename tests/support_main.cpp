// SPDX-License-Identifier: MIT
// Anchors the test support library so it builds even before any helper is added.
namespace peerchat::test {
int support_anchor = 0;
}

// SPDX-License-Identifier: MIT
// Boost.Asio and Boost.Beast compiled once for the whole program (separate compilation),
// so the other gateway files include only declarations and build quickly.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

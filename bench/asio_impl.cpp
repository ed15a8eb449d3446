// SPDX-License-Identifier: MIT
// Boost.Asio and Boost.Beast compiled once for the bench (separate compilation), like the server.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>

// open_test_store: a real SQLite store at PATH for a fixture, or an
// exception naming the path (CppUnit reports it as the test's error).
#pragma once

#include "store/store.hh"

#include <memory>
#include <stdexcept>
#include <string>

inline std::unique_ptr<sendsentry::store::Store> open_test_store(
    const std::string& path, std::int64_t busy_timeout_ms = 5000)
{
    sendsentry::store::OpenOptions o;
    o.path = path;
    o.busy_timeout_ms = busy_timeout_ms;
    auto s = sendsentry::store::open(o);
    if (!s)
        throw std::runtime_error("open " + path + ": " + s.error().message);
    return std::move(s).value();
}

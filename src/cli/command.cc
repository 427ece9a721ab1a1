// The shared context of `sendsentry` subcommands and their registry.
#include "command.hh"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string_view>

namespace sendsentry::cli {
namespace {

    // A function-local static: registrations run during static
    // initialisation, in any order across files.
    std::vector<Registered>& registry()
    {
        static std::vector<Registered> commands;
        return commands;
    }

} // namespace

Registration::Registration(const char* name, Setup setup) { registry().push_back({ name, setup }); }

std::vector<Registered> registered_commands()
{
    std::vector<Registered> all = registry();
    std::sort(all.begin(), all.end(),
        [](const Registered& a, const Registered& b) { return std::string_view(a.name) < b.name; });
    return all;
}

Result<const config::Config*> Context::config()
{
    if (config_)
        return &*config_;
    std::error_code ec;
    if (!config_given && !std::filesystem::exists(config_path, ec)) {
        // No file at the default place: an admin tool pointed at --db needs none.
        config_.emplace();
        return &*config_;
    }
    auto loaded = config::load(config_path);
    if (!loaded)
        return std::move(loaded).error();
    config_.emplace(std::move(loaded).value());
    return &*config_;
}

Result<store::Store*> Context::store(bool bulk)
{
    if (store_)
        return store_.get();
    auto cfg = config();
    if (!cfg)
        return std::move(cfg).error();
    store::OpenOptions options;
    options.path = db_path.empty() ? (*cfg)->string("store", "path") : db_path;
    options.busy_timeout_ms = (*cfg)->duration("store", "busy_timeout").count() * 1000;
    options.bulk = bulk;
    auto opened = store::open(options);
    if (!opened)
        return make_error(opened.error().kind, options.path + ": " + opened.error().message);
    store_ = std::move(opened).value();
    return store_.get();
}

store::Time Context::now() const { return static_cast<store::Time>(std::time(nullptr)); }

std::ostream& Context::out() const { return std::cout; }

std::ostream& Context::err() const { return std::cerr; }

int Context::store_error(std::string_view what, const Error& error) const
{
    err() << "sendsentry: " << what << ": " << error.message << " (" << to_string(error.kind) << ")\n";
    return exit_store;
}

int Context::usage_error(std::string_view what, std::string_view message) const
{
    err() << "sendsentry: " << what << ": " << message << '\n';
    return exit_usage;
}

} // namespace sendsentry::cli

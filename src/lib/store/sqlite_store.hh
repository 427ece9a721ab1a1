// The SQLite implementation of store::Store: one file in WAL mode, a busy
// timeout, migrations at open, every statement prepared once per connection.
// Programs reach it through store::open(); tests and benchmarks may name it.
#pragma once

#include "store/sqlite_handle.hh"
#include "store/store.hh"

namespace sendsentry::store {

class SqliteStore final : public Store {
public:
    [[nodiscard]] static Result<std::unique_ptr<SqliteStore>> open(const OpenOptions& options);
    ~SqliteStore() override;

    Result<std::unique_ptr<Transaction>> begin() override;

    Result<std::optional<Suppression>> find_suppression(
        std::string_view address, std::string_view sender_domain, Time now) override;
    Result<std::vector<Suppression>> suppressions_of(std::string_view address, Time now) override;
    Status each_suppression(
        const SuppressionFilter& filter, const std::function<Status(const Suppression&)>& visit) override;
    Result<std::int64_t> count_suppressions(const SuppressionFilter& filter) override;
    Result<SuppressionStats> suppression_stats(Time now) override;
    Result<std::vector<Event>> list_events(const EventFilter& filter) override;
    Result<std::vector<QuarantinedMessage>> list_quarantine(std::int64_t limit, std::int64_t offset) override;
    Result<std::optional<QuarantinedMessage>> get_quarantined(std::int64_t id) override;
    Result<std::int64_t> sum_counter(std::string_view subject, std::string_view name, Time since) override;
    Result<std::vector<Counter>> list_counters(std::string_view subject, Time since) override;
    Result<std::optional<Sender>> get_sender(std::string_view key) override;
    Result<std::vector<Sender>> list_senders() override;
    Result<std::vector<LimiterState>> load_limiter_states() override;

    // Prepared statements of this connection; defined in sqlite_store.cc.
    struct Statements;

private:
    friend class SqliteTransaction;
    SqliteStore(Database db, std::unique_ptr<Statements> statements);
    static Result<std::unique_ptr<SqliteStore>> open_once(const OpenOptions& options);

    Database db_; // declared first: destroyed after the statements
    std::unique_ptr<Statements> stmts_;
    bool in_transaction_ = false;
};

} // namespace sendsentry::store

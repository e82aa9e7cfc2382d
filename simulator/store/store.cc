#include "simulator/store/store.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace deploysim::store {
namespace {

constexpr int kFormatVersion = 1;

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(db)));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind_blob(int i, std::string_view data) {
    sqlite3_bind_blob(stmt_, i, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(db_)));
  }
  void run() {
    step();
    sqlite3_reset(stmt_);
  }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }
  std::string blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqlBlobs : public api::BlobSink, public api::BlobSource {
 public:
  explicit SqlBlobs(sqlite3* db) : db_(db) {}
  bool has_blob(const std::string& key) override {
    Statement s(db_, "SELECT 1 FROM blobs WHERE key = ?");
    return s.bind(1, key).step();
  }
  void put_blob(const std::string& key, std::string_view data) override {
    Statement s(db_, "INSERT OR REPLACE INTO blobs(key, data) VALUES (?, ?)");
    s.bind(1, key).bind_blob(2, data).run();
  }
  std::optional<std::string> get_blob(const std::string& key) const override {
    Statement s(db_, "SELECT data FROM blobs WHERE key = ?");
    if (!s.bind(1, key).step()) return std::nullopt;
    return s.blob(0);
  }

 private:
  sqlite3* db_;
};

json::object config_to_json(const world::WorldConfig& c) {
  json::object timings;
  for (const auto& [name, d] : c.timings) timings[name] = d.count();
  json::object settings;
  for (const auto& [name, value] : c.settings) settings[name] = value;
  return {{"format", kFormatVersion},
          {"seed", c.seed},
          {"account", c.account},
          {"region", c.region},
          {"start_time_ms", c.start_time.ms()},
          {"agent_mode", c.agent.mode},
          {"hook_duration_ms", c.agent.hook_duration.count()},
          {"timings", timings},
          {"settings", settings}};
}

world::WorldConfig config_from_json(const json::object& o) {
  world::WorldConfig c;
  if (o.at("format").to_number<int>() != kFormatVersion) {
    throw StoreError("the state file was written by another deploysim format version");
  }
  c.seed = o.at("seed").to_number<std::uint64_t>();
  c.account = std::string(o.at("account").as_string());
  c.region = std::string(o.at("region").as_string());
  c.start_time = sim::SimTime::from_ms(o.at("start_time_ms").to_number<std::int64_t>());
  c.agent.mode = std::string(o.at("agent_mode").as_string());
  c.agent.hook_duration = sim::SimDuration{o.at("hook_duration_ms").to_number<std::int64_t>()};
  for (const auto& kv : o.at("timings").as_object()) {
    c.timings[std::string(kv.key())] = sim::SimDuration{kv.value().to_number<std::int64_t>()};
  }
  if (const json::value* s = o.if_contains("settings")) {  // files from before settings existed
    for (const auto& kv : s->as_object()) {
      c.settings[std::string(kv.key())] = std::string(kv.value().as_string());
    }
  }
  return c;
}

}  // namespace

Store::Store(const std::filesystem::path& path) : path_(path) {
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(fmt::format("{}: cannot open state file: {}", path.string(), why));
  }
  try {
    exec("PRAGMA journal_mode=WAL");
    exec(
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS rng(name TEXT PRIMARY KEY, state TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS journal(seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
        " kind TEXT NOT NULL, subject TEXT NOT NULL, message TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS service_state(service TEXT PRIMARY KEY, state TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS blobs(key TEXT PRIMARY KEY, data BLOB NOT NULL);");
  } catch (const StoreError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(fmt::format("{}: not a deploysim state file ({})", path.string(), e.what()));
  }
}

Store::~Store() {
  sqlite3_close(db_);
}

void Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError(fmt::format("SQLite: {}", why));
  }
}

std::optional<world::WorldConfig> Store::saved_config() const {
  Statement s(db_, "SELECT value FROM meta WHERE key = 'config'");
  if (!s.step()) return std::nullopt;
  return config_from_json(json::parse(s.text(0)).as_object());
}

void Store::load_into(world::World& w) {
  {
    Statement s(db_, "SELECT value FROM meta WHERE key = 'now_ms'");
    if (s.step()) w.scheduler().restore_clock(sim::SimTime::from_ms(std::stoll(s.text(0))));
  }
  {
    Statement s(db_, "SELECT name, state FROM rng ORDER BY name");
    while (s.step()) {
      json::array a = json::parse(s.text(1)).as_array();
      std::array<std::uint64_t, 4> state{};
      for (std::size_t i = 0; i < 4; ++i) state[i] = a.at(i).to_number<std::uint64_t>();
      w.rng().restore(s.text(0), state);
    }
  }
  {
    std::vector<journal::Entry> entries;
    Statement s(db_, "SELECT seq, time_ms, kind, subject, message FROM journal ORDER BY seq");
    while (s.step()) {
      entries.push_back({static_cast<std::uint64_t>(s.integer(0)),
                         sim::SimTime::from_ms(s.integer(1)), s.text(2), s.text(3), s.text(4)});
      saved_journal_seq_ = entries.back().seq;
    }
    w.journal().restore(std::move(entries));
  }
  SqlBlobs blobs(db_);
  Statement s(db_, "SELECT service, state FROM service_state ORDER BY service");
  while (s.step()) {
    api::Service* service = w.service(s.text(0));
    if (!service) {
      throw StoreError(fmt::format("{}: holds state of service '{}', which this build lacks",
                                   path_.string(), s.text(0)));
    }
    try {
      service->load_state(json::parse(s.text(1)), blobs);
    } catch (const std::exception& e) {
      throw StoreError(fmt::format("{}: {}: {}", path_.string(), s.text(0), e.what()));
    }
  }
}

void Store::save(world::World& w) {
  exec("BEGIN IMMEDIATE");
  try {
    Statement meta(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
    meta.bind(1, "config").bind(2, json::serialize(config_to_json(w.config()))).run();
    meta.bind(1, "now_ms").bind(2, std::to_string(w.now().ms())).run();
    Statement rng(db_, "INSERT OR REPLACE INTO rng(name, state) VALUES (?, ?)");
    for (const auto& [name, stream] : w.rng().streams()) {
      auto st = stream.state();
      rng.bind(1, name).bind(2, json::serialize(json::array{st[0], st[1], st[2], st[3]})).run();
    }
    Statement j(db_,
                "INSERT INTO journal(seq, time_ms, kind, subject, message) VALUES (?,?,?,?,?)");
    for (const auto& e : w.journal().entries()) {
      if (e.seq <= saved_journal_seq_) continue;
      j.bind(1, static_cast<std::int64_t>(e.seq)).bind(2, e.time.ms());
      j.bind(3, e.kind).bind(4, e.subject).bind(5, e.message).run();
    }
    SqlBlobs blobs(db_);
    Statement svc(db_, "INSERT OR REPLACE INTO service_state(service, state) VALUES (?, ?)");
    for (const auto& [name, service] : w.services()) {
      json::value state = service->save_state(blobs);
      if (!state.is_null()) svc.bind(1, name).bind(2, json::serialize(state)).run();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  if (!w.journal().entries().empty()) saved_journal_seq_ = w.journal().entries().back().seq;
}

}  // namespace deploysim::store

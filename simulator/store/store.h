// Persistence of a world and its journal in one SQLite file (`--state FILE`). Each save is one
// transaction, so a run interrupted between steps leaves the file at the last completed step.
// Scheduled events are not stored: services keep pending work as data and re-arm it on load.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "simulator/world/world.h"

struct sqlite3;

namespace deploysim::store {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  // Opens or creates the file; throws StoreError (with the path and SQLite's reason).
  explicit Store(const std::filesystem::path& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The config of the world saved here, or nullopt for a new file.
  std::optional<world::WorldConfig> saved_config() const;
  // Restores clock, random streams, journal and service states into a world built from
  // saved_config() with the same services registered.
  void load_into(world::World& world);
  // Writes everything that changed since the last save, in one transaction.
  void save(world::World& world);

 private:
  void exec(const char* sql);
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  std::uint64_t saved_journal_seq_ = 0;
};

}  // namespace deploysim::store

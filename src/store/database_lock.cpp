#include "store/database_lock.h"

#include <cstdint>

#include "store/postgres_database.h"

namespace boxloop {
namespace {

// boxloop's locks are (kNamespace, fnv1a(name)) in PostgreSQL's two-key form, apart from any
// other application's locks on the same server that use the one-key form.
constexpr std::int32_t kNamespace = 0x62786c70;  // "bxlp"

std::int32_t key_of(const std::string& name) {
  std::uint32_t hash = 2166136261u;  // FNV-1a: stable across builds, unlike std::hash
  for (const unsigned char c : name) {
    hash ^= c;
    hash *= 16777619u;
  }
  return static_cast<std::int32_t>(hash);
}

}  // namespace

std::unique_ptr<DatabaseLock> DatabaseLock::try_take(const std::string& url,
                                                     const std::string& name) {
  auto connection = open_postgres(url);
  auto select =
      connection->prepare("SELECT pg_try_advisory_lock(CAST(? AS integer), CAST(? AS integer))");
  select.bind_all(kNamespace, key_of(name));
  if (!select.step() || select.int64(0) == 0) return nullptr;
  return std::unique_ptr<DatabaseLock>(new DatabaseLock(std::move(connection)));
}

}  // namespace boxloop

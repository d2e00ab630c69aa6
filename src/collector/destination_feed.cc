#include "collector/destination_feed.h"

#include <chrono>
#include <iomanip>
#include <string_view>
#include <utility>

#include <sqlite3.h>

#include "collector/clock.h"
#include "collector/destinations.h"
#include "core/json.h"

namespace relance::collector {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS destination_cursors ("
    "  destination TEXT PRIMARY KEY, delivered_seq INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    "  failing_since INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
    "  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS destination_dead_letters ("
    "  destination TEXT NOT NULL, seq INTEGER NOT NULL, event_id TEXT NOT NULL, failed_at INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL, status INTEGER NOT NULL, reason TEXT NOT NULL,"
    "  requeued INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (destination, seq)) WITHOUT ROWID;"
    // Every poll of a lane asks for its requeued letters (requeued()): without
    // this index each ask read all of the destination's dead letters (13 ms
    // for 200,000, twice per poll, every 50 ms while idle); with it, only the
    // few asked to be sent again.
    "CREATE INDEX IF NOT EXISTS destination_dead_letters_requeued"
    "  ON destination_dead_letters (destination, seq) WHERE requeued = 1;";

// A prepared statement, finalized (and so its read transaction ended) on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) { rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  void text(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void integer(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  int step() { return sqlite3_step(stmt_); }
  void reset() { sqlite3_reset(stmt_); }  // every use binds every parameter again
  std::int64_t columnInt(int i) { return sqlite3_column_int64(stmt_, i); }
  // Valid until the next step(): for a comparison without a copy.
  std::string_view columnView(int i) {
    const unsigned char* text = sqlite3_column_text(stmt_, i);
    return text ? std::string_view(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, i)) : std::string_view();
  }
  std::string columnText(int i) {
    const unsigned char* text = sqlite3_column_text(stmt_, i);
    return text ? std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, i)) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

// "type IN (?2, ?3, ...)" for `types`, or "1" for {"*"}; parameters from `first`.
std::string typeFilter(const std::vector<std::string>& types, int first) {
  for (const auto& type : types) {
    if (type == "*") return "1";
  }
  std::string sql = "type IN (";
  for (std::size_t i = 0; i < types.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(first + static_cast<int>(i));
  return sql + ")";
}

void bindTypes(Statement& statement, const std::vector<std::string>& types, int first) {
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (types[i] != "*") statement.text(first + static_cast<int>(i), types[i]);
  }
}

std::string errorOf(sqlite3* db, const std::string& what) { return what + ": " + (db ? sqlite3_errmsg(db) : "no database"); }

// A connection for the CLI, which may run beside `serve`.
sqlite3* openForCli(const std::string& path, bool write, std::string& error) {
  sqlite3* db = nullptr;
  int flags = (write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_URI;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    error = errorOf(db, "cannot open the database " + path);
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

// The suffix of an opt-in stream's key (see cursorKey()).
constexpr std::string_view kOptinsSuffix = ":optins";

// A cursor key back into the destination's id and the stream's name.
std::pair<std::string, std::string> splitKey(const std::string& key) {
  if (key.size() > kOptinsSuffix.size() && key.compare(key.size() - kOptinsSuffix.size(), std::string::npos,
                                                       kOptinsSuffix.data(), kOptinsSuffix.size()) == 0) {
    return {key.substr(0, key.size() - kOptinsSuffix.size()), streamName(Stream::kOptins)};
  }
  return {key, streamName(Stream::kEvents)};
}

// A destination's keys in SQL: "(<column> = ?N OR <column> = ?N || ':optins')".
std::string eitherStream(const std::string& column, int parameter) {
  std::string p = "?" + std::to_string(parameter);
  return "(" + column + " = " + p + " OR " + column + " = " + p + " || '" + std::string(kOptinsSuffix) + "')";
}

bool hasFeedTables(sqlite3* db) {
  Statement check(db, "SELECT 1 FROM sqlite_master WHERE name = 'destination_cursors'");
  return check.ok() && check.step() == SQLITE_ROW;
}

}  // namespace

const char* streamName(Stream stream) { return stream == Stream::kOptins ? "optins" : "events"; }

std::string cursorKey(const std::string& destination, Stream stream) {
  return stream == Stream::kOptins ? destination + std::string(kOptinsSuffix) : destination;
}

DestinationFeed::~DestinationFeed() { sqlite3_close(db_); }

bool DestinationFeed::exec(const std::string& sql) {
  return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
}

std::string DestinationFeed::open(const std::string& path, Stream stream) {
  if (db_) return "";
  table_ = streamName(stream);
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string error = errorOf(db_, "cannot open the database");
    sqlite3_close(db_);
    db_ = nullptr;
    return error;
  }
  // The store's writer holds the write lock for a commit (milliseconds);
  // this connection's own writes are single rows and wait for it.
  sqlite3_busy_timeout(db_, 5000);
  std::string error;
  {
    Statement rows(db_, "SELECT seq, id, received_at, body FROM " + table_ + " LIMIT 0");
    if (!rows.ok()) error = errorOf(db_, "the " + table_ + " table is not readable");
  }
  // No automatic checkpoint from this connection: its commits (a cursor,
  // about once a second) would otherwise copy the store's log in the lane's
  // thread whenever it is past 1000 frames, beside the store's own
  // checkpointer and its staging (docs/collector.md, "Checkpoints").
  if (error.empty() && !exec("PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;")) {
    error = errorOf(db_, "cannot set up the connection");
  }
  if (error.empty() && !exec(kSchema)) error = errorOf(db_, "cannot create the destination tables");
  if (!error.empty()) {
    sqlite3_close(db_);
    db_ = nullptr;
  }
  return error;
}

std::int64_t DestinationFeed::lastSeq() {
  Statement last(db_, "SELECT coalesce(max(seq), 0) FROM " + table_);
  if (!last.ok() || last.step() != SQLITE_ROW) return -1;
  return last.columnInt(0);
}

bool DestinationFeed::load(const std::string& destination, CursorState& state, std::string& error) {
  bool found = false;
  {
    Statement select(db_,
                     "SELECT delivered_seq, attempts, failing_since, last_error FROM destination_cursors "
                     "WHERE destination = ?1");
    if (!select.ok()) {
      error = errorOf(db_, "cannot read the cursor");
      return false;
    }
    select.text(1, destination);
    int rc = select.step();
    if (rc == SQLITE_ROW) {
      found = true;
      state.delivered_seq = select.columnInt(0);
      state.attempts = static_cast<int>(select.columnInt(1));
      state.failing_since = select.columnInt(2);
      state.last_error = select.columnText(3);
    } else if (rc != SQLITE_DONE) {
      error = errorOf(db_, "cannot read the cursor");
      return false;
    }
  }
  std::int64_t last = lastSeq();
  if (last < 0) {
    error = errorOf(db_, "cannot read the " + table_);
    return false;
  }
  if (!found) {
    state = CursorState{};
    state.delivered_seq = last;
  } else if (state.delivered_seq > last) {
    // The last events were erased: without this, the next ones would reuse
    // their seqs and be taken for delivered.
    state.delivered_seq = last;
  } else {
    return true;
  }
  if (!save(destination, state)) {
    error = errorOf(db_, "cannot write the cursor");
    return false;
  }
  return true;
}

bool DestinationFeed::save(const std::string& destination, const CursorState& state) {
  Statement upsert(db_,
                   "INSERT INTO destination_cursors (destination, delivered_seq, attempts, failing_since, last_error,"
                   " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (destination) DO UPDATE SET"
                   " delivered_seq = excluded.delivered_seq, attempts = excluded.attempts,"
                   " failing_since = excluded.failing_since, last_error = excluded.last_error,"
                   " updated_at = excluded.updated_at");
  if (!upsert.ok()) return false;
  upsert.text(1, destination);
  upsert.integer(2, state.delivered_seq);
  upsert.integer(3, state.attempts);
  upsert.integer(4, state.failing_since);
  upsert.text(5, state.last_error);
  upsert.integer(6, wallClockMs());
  return upsert.step() == SQLITE_DONE;
}

DestinationFeed::Batch DestinationFeed::next(std::int64_t after_seq, const std::vector<std::string>& types,
                                             std::size_t limit, std::size_t scan_limit, std::string& error) {
  Batch batch;
  batch.through_seq = after_seq;
  // The type is tested here rather than in SQL: a filter in the query would
  // make SQLite walk every unwanted event after the cursor at each poll.
  // Opt-ins have no type: '' (their lane asks for {"*"}).
  Statement select(db_, "SELECT seq, id, received_at, " + std::string(table_ == "events" ? "type" : "''") +
                            ", body FROM " + table_ + " WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!select.ok()) {
    error = errorOf(db_, "cannot read the " + table_);
    return batch;
  }
  select.integer(1, after_seq);
  select.integer(2, static_cast<std::int64_t>(scan_limit));
  std::size_t scanned = 0;
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    ++scanned;
    batch.through_seq = select.columnInt(0);
    if (!wantsEventType(types, select.columnView(3))) continue;
    // The body is read only for the events sent.
    batch.events.push_back(FeedEvent{select.columnInt(0), select.columnText(1), select.columnInt(2), select.columnText(4)});
    if (batch.events.size() >= limit) break;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    error = errorOf(db_, "cannot read the " + table_);
    batch.events.clear();
    batch.through_seq = after_seq;
  }
  batch.scan_full = scanned >= scan_limit || batch.events.size() >= limit;
  return batch;
}

std::vector<FeedEvent> DestinationFeed::requeued(const std::string& destination, std::size_t limit,
                                                 std::string& error) {
  std::vector<FeedEvent> events;
  // Joined on the id too: an erased event's seq may have been reused.
  Statement select(db_,
                   "SELECT e.seq, e.id, e.received_at, e.body FROM destination_dead_letters d"
                   " JOIN " + table_ + " e ON e.seq = d.seq AND e.id = d.event_id"
                   " WHERE d.destination = ?1 AND d.requeued = 1 ORDER BY d.seq LIMIT ?2");
  if (!select.ok()) {
    error = errorOf(db_, "cannot read the dead letters");
    return events;
  }
  select.text(1, destination);
  select.integer(2, static_cast<std::int64_t>(limit));
  int rc;
  while ((rc = select.step()) == SQLITE_ROW) {
    events.push_back(FeedEvent{select.columnInt(0), select.columnText(1), select.columnInt(2), select.columnText(3)});
  }
  if (rc != SQLITE_DONE) {
    error = errorOf(db_, "cannot read the dead letters");
  } else if (events.empty()) {
    // Requeued letters whose event was erased have nothing left to send.
    // (Looked for first: this runs at every poll, and a DELETE, even of
    // nothing, would take the write lock from the store's writer.)
    Statement any(db_, "SELECT 1 FROM destination_dead_letters WHERE destination = ?1 AND requeued = 1 LIMIT 1");
    any.text(1, destination);
    if (any.step() == SQLITE_ROW) {
      Statement drop(db_, "DELETE FROM destination_dead_letters WHERE destination = ?1 AND requeued = 1");
      drop.text(1, destination);
      drop.step();
    }
  }
  return events;
}

FeedLag DestinationFeed::lag(std::int64_t after_seq, const std::vector<std::string>& types) {
  FeedLag lag;
  Statement count(db_, "SELECT count(*), min(received_at) FROM " + table_ + " WHERE seq > ?1 AND " + typeFilter(types, 2));
  if (!count.ok()) return lag;
  count.integer(1, after_seq);
  bindTypes(count, types, 2);
  if (count.step() == SQLITE_ROW) {
    lag.events = count.columnInt(0);
    lag.oldest_received_at = count.columnInt(1);
  }
  return lag;
}

bool DestinationFeed::deadLetter(const std::string& destination, const std::vector<FeedEvent>& events, int attempts,
                                 int status, const std::string& reason, std::int64_t now_ms,
                                 const CursorState& state) {
  if (!exec("BEGIN IMMEDIATE")) return false;
  bool ok = true;
  {
    Statement insert(db_,
                     "INSERT INTO destination_dead_letters (destination, seq, event_id, failed_at, attempts, status,"
                     " reason, requeued) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0) ON CONFLICT (destination, seq) DO UPDATE"
                     " SET event_id = excluded.event_id, failed_at = excluded.failed_at, attempts = excluded.attempts,"
                     " status = excluded.status, reason = excluded.reason, requeued = 0");
    ok = insert.ok();
    for (std::size_t i = 0; ok && i < events.size(); ++i) {
      insert.text(1, destination);
      insert.integer(2, events[i].seq);
      insert.text(3, events[i].id);
      insert.integer(4, now_ms);
      insert.integer(5, attempts);
      insert.integer(6, status);
      insert.text(7, reason);
      ok = insert.step() == SQLITE_DONE;
      insert.reset();
    }
  }
  ok = ok && save(destination, state);
  if (ok) ok = exec("COMMIT");
  if (!ok) exec("ROLLBACK");
  return ok;
}

bool DestinationFeed::forget(const std::string& destination, const std::vector<FeedEvent>& events) {
  if (!exec("BEGIN IMMEDIATE")) return false;
  bool ok = true;
  for (std::size_t i = 0; ok && i < events.size(); ++i) {
    Statement drop(db_, "DELETE FROM destination_dead_letters WHERE destination = ?1 AND seq = ?2");
    drop.text(1, destination);
    drop.integer(2, events[i].seq);
    ok = drop.ok() && drop.step() == SQLITE_DONE;
  }
  if (ok) ok = exec("COMMIT");
  if (!ok) exec("ROLLBACK");
  return ok;
}

std::string printDestinationStates(const std::string& path, std::ostream& out) {
  std::string error;
  sqlite3* db = openForCli(path, false, error);
  if (!db) return error;
  if (!hasFeedTables(db)) {
    out << "no destination has run on this database\n";
    sqlite3_close(db);
    return "";
  }
  {
    Statement select(db,
                     "SELECT c.destination, c.delivered_seq, c.attempts, c.failing_since, c.last_error,"
                     " CASE WHEN c.destination LIKE '%" + std::string(kOptinsSuffix) + "'"
                     "  THEN (SELECT count(*) FROM optins WHERE seq > c.delivered_seq)"
                     "  ELSE (SELECT count(*) FROM events WHERE seq > c.delivered_seq) END,"
                     " (SELECT count(*) FROM destination_dead_letters d WHERE d.destination = c.destination),"
                     " (SELECT count(*) FROM destination_dead_letters d WHERE d.destination = c.destination"
                     "  AND d.requeued = 1)"
                     " FROM destination_cursors c ORDER BY c.destination");
    if (!select.ok()) {
      error = errorOf(db, "cannot read the destinations");
    } else {
      out << std::left << std::setw(20) << "destination" << std::setw(8) << "stream" << std::setw(14)
          << "delivered_seq" << std::setw(14) << "rows_after" << std::setw(10) << "dead" << std::setw(10) << "requeued" << "state\n";
      int rc;
      while ((rc = select.step()) == SQLITE_ROW) {
        std::string state = "ok";
        if (select.columnInt(2) > 0) {
          state = "failing: " + std::to_string(select.columnInt(2)) + " attempts since " +
                  std::to_string(select.columnInt(3)) + " (" + select.columnText(4) + ")";
        }
        auto [id, stream] = splitKey(select.columnText(0));
        out << std::left << std::setw(20) << id << std::setw(8) << stream << std::setw(14) << select.columnInt(1)
            << std::setw(14) << select.columnInt(5) << std::setw(10) << select.columnInt(6) << std::setw(10)
            << select.columnInt(7) << state << "\n";
      }
      if (rc != SQLITE_DONE) error = errorOf(db, "cannot read the destinations");
    }
  }
  sqlite3_close(db);
  return error;
}

std::string printDeadLetters(const std::string& path, const std::string& destination, std::ostream& out) {
  std::string error;
  sqlite3* db = openForCli(path, false, error);
  if (!db) return error;
  if (hasFeedTables(db)) {
    Statement select(db,
                     "SELECT destination, seq, event_id, failed_at, attempts, status, reason, requeued"
                     " FROM destination_dead_letters WHERE ?1 = '' OR " + eitherStream("destination", 1) +
                     " ORDER BY destination, seq");
    if (!select.ok()) {
      error = errorOf(db, "cannot read the dead letters");
    } else {
      select.text(1, destination);
      int rc;
      // NDJSON, like export: one dead letter per line.
      while ((rc = select.step()) == SQLITE_ROW) {
        auto [id, stream] = splitKey(select.columnText(0));
        // event_id: the opt-in's id for the optins stream.
        Json letter = {{"destination", id}, {"stream", stream}, {"seq", select.columnInt(1)},
                       {"event_id", select.columnText(2)}, {"failed_at", select.columnInt(3)},
                       {"attempts", select.columnInt(4)}, {"status", select.columnInt(5)},
                       {"reason", select.columnText(6)}, {"requeued", select.columnInt(7) != 0}};
        out << letter.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
      }
      if (rc != SQLITE_DONE) error = errorOf(db, "cannot read the dead letters");
    }
  }
  sqlite3_close(db);
  return error;
}

std::string requeueDeadLetters(const std::string& path, const std::string& destination, std::int64_t& count) {
  count = 0;
  std::string error;
  sqlite3* db = openForCli(path, true, error);
  if (!db) return error;
  if (hasFeedTables(db)) {
    Statement update(db, "UPDATE destination_dead_letters SET requeued = 1 WHERE " + eitherStream("destination", 1) +
                             " AND requeued = 0");
    update.text(1, destination);
    if (!update.ok() || update.step() != SQLITE_DONE) {
      error = errorOf(db, "cannot requeue the dead letters");
    } else {
      count = sqlite3_changes(db);
    }
  }
  sqlite3_close(db);
  return error;
}

}  // namespace relance::collector

#include "collector/event_store.h"
#include "collector/wal_write_buffer.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include <sqlite3.h>

namespace relance::collector {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS events ("
    "  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
    "  ts INTEGER NOT NULL, received_at INTEGER NOT NULL, body TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS identities ("
    "  anonymous_id TEXT NOT NULL, rl_id TEXT NOT NULL, first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL, PRIMARY KEY (anonymous_id, rl_id)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS optins ("
    "  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, received_at INTEGER NOT NULL,"
    "  body TEXT NOT NULL);";

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void text(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC); }
  void integer(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  int step() { return sqlite3_step(stmt_); }
  void reset() { sqlite3_reset(stmt_); }  // every use binds every parameter again

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

std::string describe(sqlite3* db, const std::string& what) {
  int code = db ? sqlite3_errcode(db) : SQLITE_CANTOPEN;
  std::string reason = db ? sqlite3_errmsg(db) : "out of memory";
  // "<ours>: <SQLite's>", unless SQLite's words are ours (a full disk is
  // "database or disk is full" in both).
  auto said = [&reason](const std::string& ours) { return reason == ours ? ours : ours + ": " + reason; };
  switch (code & 0xff) {
    case SQLITE_READONLY: return said("database is read-only");
    case SQLITE_FULL: return said("database or disk is full");
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return said("database is locked by another process");
    case SQLITE_IOERR: return said("disk I/O error");
    case SQLITE_CANTOPEN: return said("cannot open the database");
    default: return said(what);
  }
}

bool exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

// True when the file `db` has open is no longer the one at its path (deleted,
// or replaced by a rename, as a restore from a backup does). SQLite goes on
// writing to the open file, which nothing can reach once the process ends:
// every commit there would be acknowledged and lost. One stat() of the path.
bool databaseMoved(sqlite3* db) {
  int moved = 0;
  return sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved != 0;
}

// Starts writing to the disk what the checkpoints copied into the database
// file, without waiting. SQLite syncs the database file only after a
// checkpoint that caught up with the log, which a checkpoint beside
// continuous commits never does: the copied pages then waited, dirty, for
// the writer's bounding checkpoint, whose fsync had hundreds of megabytes to
// write (16 to 220 ms measured, every request waiting). Syncing after each
// pass instead (fdatasync) bounded that, but tied the checkpointer, and so
// a burst of batches, to the disk's speed (50-event batches 54 k events/s).
// Linux only, like the rest of the collector's deployment.
void startWriteback(int fd) {
  if (fd >= 0) sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

}  // namespace

struct EventStore::Statements {
  explicit Statements(sqlite3* db)
      : event(db, "INSERT OR IGNORE INTO events (id, type, ts, received_at, body) VALUES (?, ?, ?, ?, ?)"),
        identity(db,
                 "INSERT INTO identities (anonymous_id, rl_id, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (anonymous_id, rl_id) DO UPDATE SET last_seen = excluded.last_seen"),
        optin(db, "INSERT OR IGNORE INTO optins (id, received_at, body) VALUES (?, ?, ?)"),
        begin(db, "BEGIN IMMEDIATE"),
        commit(db, "COMMIT"),
        rollback(db, "ROLLBACK") {}
  bool ok() const {
    return event.ok() && identity.ok() && optin.ok() && begin.ok() && commit.ok() && rollback.ok();
  }
  // Runs a statement without parameters; true when it succeeded.
  static bool run(Statement& statement) {
    int rc = statement.step();
    statement.reset();
    return rc == SQLITE_DONE;
  }
  Statement event;
  Statement identity;
  Statement optin;
  Statement begin;
  Statement commit;
  Statement rollback;
};

namespace {
// SQLite counts the memory it allocates, behind a global mutex taken on every
// allocation (14 locks per single-event request, callgrind); the collector
// never reads those counts. Only possible before SQLite's first use in the
// process: later (a test that used SQLite first) the call fails and nothing
// changes. Then the VFS of wal_write_buffer.h is registered (registering
// initializes SQLite, hence the order).
void setUpSqlite() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    registerWalWriteBufferVfs();
  });
}

// The store's connections write their log through wal_write_buffer.h's VFS
// when it could be registered (there is always a default VFS to wrap).
const char* storeVfs() { return registerWalWriteBufferVfs() == SQLITE_OK ? kWalWriteBufferVfs : nullptr; }
}  // namespace

EventStore::EventStore(StoreOptions options) : options_(std::move(options)) { setUpSqlite(); }

EventStore::~EventStore() { stop(); }

void EventStore::closeDatabase() {
  statements_.reset();  // finalized before the connection closes
  if (db_) {
    sqlite3_close(db_);
    db_ = nullptr;
  }
}

void EventStore::start(CommitObserver observer, Dispatcher dispatcher) {
  observer_ = std::move(observer);
  dispatcher_ = std::move(dispatcher);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_) return;
    started_ = true;
  }
  openIfNeeded();
  writer_ = std::thread([this] { run(); });
  checkpointer_ = std::thread([this] { runCheckpointer(); });
}

bool EventStore::openIfNeeded() {
  if (db_) return true;
  if (moved_) return false;  // the problem stays kMovedProblem (see commit())
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(options_.path.c_str(), &db, flags, storeVfs()) != SQLITE_OK) {
    setProblem(describe(db, "cannot open the database"));
    sqlite3_close(db);
    return false;
  }
  sqlite3_busy_timeout(db, 5000);
  std::string pragmas = "PRAGMA journal_mode=WAL;";
  pragmas += options_.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  if (options_.max_pages > 0) pragmas += "PRAGMA max_page_count=" + std::to_string(options_.max_pages) + ";";
  if (!exec(db, pragmas.c_str()) || !exec(db, kSchema)) {
    setProblem(describe(db, "cannot prepare the database"));
    sqlite3_close(db);
    return false;
  }
  // journal_mode=WAL silently stays "delete" on some read-only files: a write
  // test makes the problem visible now rather than at the first event.
  if (sqlite3_db_readonly(db, "main") == 1) {
    setProblem("database is read-only: opened without write access");
    sqlite3_close(db);
    return false;
  }
  auto statements = std::make_unique<Statements>(db);
  if (!statements->ok()) {
    setProblem(describe(db, "cannot prepare a statement"));
    statements.reset();
    sqlite3_close(db);
    return false;
  }
  statements_ = std::move(statements);
  // Replaces SQLite's automatic checkpoint (which is itself a WAL hook):
  // checkpoints run on the checkpointer thread instead of inside a commit.
  sqlite3_wal_hook(db, &EventStore::onWal, this);
  db_ = db;
  setProblem("");
  return true;
}

bool EventStore::submit(WriteBatch batch, WriteCallback done) {
  std::size_t rows = batch.rows();
  bool notify = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || !started_) return false;
    if (queued_rows_ > 0 && queued_rows_ + rows > options_.queue_limit) return false;
    queued_rows_ += rows;
    if (queue_.empty()) oldest_waiting_ = std::chrono::steady_clock::now();
    queue_.push_back(Pending{std::move(batch), std::move(done)});
    waiting_rows_ += rows;
    // The writer waits for the first request of a group, then for the group
    // to fill (see run()): only those two moments need to wake it.
    notify = queue_.size() == 1 || (waiting_rows_ >= options_.group_rows && waiting_rows_ - rows < options_.group_rows);
  }
  if (notify) wake_.notify_one();
  return true;
}

void EventStore::run() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // A log at its bound is restarted by the writer's own checkpoint, which
      // holds the commits behind it. When no request came for
      // kIdleBeforeCheckpoint, and the checkpointer has copied nearly all of
      // the log (so that this one is short), the writer does it now, while
      // nothing waits, rather than after the next request's commit. (Made
      // whatever was left to copy, right after a burst, it copied the burst's
      // backlog itself, and the requests that came meanwhile waited up to
      // 174 ms.) Until then, the checkpointer copies: after a burst, the
      // commits that would wake it have stopped, and what its last passes
      // left (thousands of frames) fell to the next request's commit (a
      // 20 ms checkpoint at the first request). Checked again at least every
      // second (the wait below).
      IdleLogWork idle_work = IdleLogWork::kNone;
      bool copying = false;
      if (queue_.empty() && !stopping_) {
        idle_work = idleLogWork();
        if (idle_work == IdleLogWork::kCopy) copying = askCheckpointerToCopy();
      }
      if (idle_work == IdleLogWork::kRestart &&
          !wake_.wait_for(lock, kIdleBeforeCheckpoint, [this] { return stopping_ || !queue_.empty(); })) {
        lock.unlock();
        checkpointIfTooLarge(/*idle=*/true);
        continue;
      }
      // Wake up now and then while the database is unusable, to retry opening
      // it; and soon while the checkpointer copies, to restart the log then.
      auto poll = copying ? std::chrono::milliseconds(kIdleBeforeCheckpoint) : std::chrono::milliseconds(1000);
      wake_.wait_for(lock, poll, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        if (stopping_) break;
        lock.unlock();
        if (!db_) openIfNeeded();
        continue;
      }
      // A small group waits for more, at most group_window after its first
      // request arrived: every commit rewrites a few pages whatever its size
      // (the last page of each table and index, the tree above them, the
      // header), so at moderate load commits of a few requests each wrote
      // several times the events' own size to the log and the disk.
      wake_.wait_until(lock, oldest_waiting_ + options_.group_window,
                       [this] { return stopping_ || waiting_rows_ >= options_.group_rows; });
      group.reserve(queue_.size());
      for (auto& pending : queue_) group.push_back(std::move(pending));
      queue_.clear();
      waiting_rows_ = 0;
      // Rows stay counted until the commit is done: the queue bound covers them.
    }
    std::size_t rows = 0;
    for (const auto& pending : group) rows += pending.batch.rows();
    commit(group);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queued_rows_ -= rows;
    }
    checkpointIfTooLarge();  // after the answers of this commit are on their way
  }
}

int EventStore::onWal(void* self, sqlite3*, const char*, int frames) {
  auto* store = static_cast<EventStore*>(self);
  {
    std::lock_guard<std::mutex> lock(store->checkpoint_mutex_);
    store->wal_frames_ = frames;
    if (frames < store->backfilled_frames_) store->backfilled_frames_ = 0;  // the log restarted
    if (frames - store->backfilled_frames_ < store->options_.checkpoint_frames || store->checkpoint_wanted_) {
      return SQLITE_OK;
    }
    store->checkpoint_wanted_ = true;
  }
  store->checkpoint_wake_.notify_one();
  return SQLITE_OK;
}

void EventStore::runCheckpointer() {
  sqlite3* db = nullptr;  // its own connection: a checkpoint needs no transaction of the writer's
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(checkpoint_mutex_);
      // No pass while the writer's checkpoint is due: the writer would wait for it.
      checkpoint_wake_.wait(lock, [this] {
        return (checkpoint_wanted_ && !writer_checkpoint_wanted_) || checkpoint_stopping_;
      });
      if (checkpoint_stopping_) break;
    }
    if (!db) {
      // A new connection learns that the database is in WAL mode when it
      // first reads it (until then a checkpoint does nothing); it syncs as
      // the writer's does.
      std::string pragmas = "PRAGMA journal_mode=WAL;";
      pragmas += options_.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
      if (sqlite3_open_v2(options_.path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                          storeVfs()) != SQLITE_OK ||
          !exec(db, pragmas.c_str())) {
        sqlite3_close(db);  // the writer reports the problem; try again at the next request
        db = nullptr;
      } else if (db_file_fd_ < 0) {
        // Our own descriptor of the database file, for startWriteback. Closed
        // only after every connection of ours (stop()): closing a descriptor
        // of a file drops the process's POSIX locks on it, SQLite's included.
        const char* name = sqlite3_db_filename(db, "main");
        if (name && *name) db_file_fd_ = ::open(name, O_RDONLY | O_CLOEXEC);
      }
    }
    // PASSIVE: copies what it can without waiting for the writer, which goes
    // on committing meanwhile. Near the bound, a few passes in a row bring
    // what is left to copy down to kFinalCheckpointFrames, so that the
    // writer's own checkpoint (the only one that lets the log restart, and
    // which stops commits) has little to copy and little to sync.
    bool near_bound = false;
    for (int pass = 0; db && pass < kCheckpointPassesNearBound; ++pass) {
      int log = 0, copied = 0;
      bool done = false;
      {
        std::lock_guard<std::mutex> running(checkpoint_running_);
        done = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK;
        // Counted before the writer's checkpoint can run and restart the log:
        // after it, `copied` would describe a log that no longer is.
        std::lock_guard<std::mutex> lock(checkpoint_mutex_);
        if (done && copied >= 0) backfilled_frames_ = copied;
      }
      if (done) {
        ++checkpoints_;
        startWriteback(db_file_fd_);
      }
      std::lock_guard<std::mutex> lock(checkpoint_mutex_);
      near_bound = wal_frames_ >= logBound();
      if (!done || !near_bound || wal_frames_ - backfilled_frames_ <= kFinalCheckpointFrames) break;
    }
    std::lock_guard<std::mutex> lock(checkpoint_mutex_);
    checkpoint_wanted_ = false;
    if (near_bound) writer_checkpoint_wanted_ = true;  // after the writer's next commit
  }
  sqlite3_close(db);
}

EventStore::IdleLogWork EventStore::idleLogWork() {
  std::lock_guard<std::mutex> lock(checkpoint_mutex_);
  if (!db_ || wal_frames_ < logBound()) return IdleLogWork::kNone;
  return wal_frames_ - backfilled_frames_ <= kFinalCheckpointFrames ? IdleLogWork::kRestart : IdleLogWork::kCopy;
}

bool EventStore::askCheckpointerToCopy() {
  {
    std::lock_guard<std::mutex> lock(checkpoint_mutex_);
    if (checkpoint_wanted_ && !writer_checkpoint_wanted_) return true;  // it is at work, or about to be
    // Its passes since the last time copied nothing (a reader, such as an
    // export, holds the frames): again in a second, or at the next commit.
    auto now = std::chrono::steady_clock::now();
    if (idle_copy_asked_at_ == backfilled_frames_ && now - idle_copy_asked_when_ < std::chrono::seconds(1)) return false;
    idle_copy_asked_at_ = backfilled_frames_;
    idle_copy_asked_when_ = now;
    checkpoint_wanted_ = true;
    writer_checkpoint_wanted_ = false;  // it was waiting for the writer: not now
  }
  checkpoint_wake_.notify_one();
  return true;
}

std::int64_t EventStore::logFrames() {
  std::lock_guard<std::mutex> lock(checkpoint_mutex_);
  return wal_frames_;
}

std::int64_t EventStore::uncopiedFrames() {
  std::lock_guard<std::mutex> lock(checkpoint_mutex_);
  return wal_frames_ - backfilled_frames_;
}

void EventStore::checkpointIfTooLarge(bool idle) {
  {
    std::lock_guard<std::mutex> lock(checkpoint_mutex_);
    if (!db_) return;
    // Asked for by the checkpointer once it copied nearly everything; or,
    // should it fall far behind, past twice the bound whatever it did; or
    // at the bound when idle and nearly all copied (see run()).
    bool asked = writer_checkpoint_wanted_;
    bool far_past = wal_frames_ >= 2 * logBound();
    bool idle_at_bound = idle && wal_frames_ >= logBound();
    if (!asked && !far_past && !idle_at_bound) return;
    writer_checkpoint_wanted_ = false;
    if (!far_past && wal_frames_ - backfilled_frames_ > kWriterCheckpointMostFrames) {
      checkpoint_wanted_ = true;  // the checkpointer's passes first; it asks again after them
      checkpoint_wake_.notify_one();
      return;
    }
  }
  // Between two commits nothing else writes, so this checkpoint copies the
  // whole log, and the next commit starts the log again from its beginning.
  // That restart needs no checkpoint running at that moment, hence the wait
  // for the checkpointer's current one (if any: it runs none while it waits
  // for this one).
  int log = 0, copied = 0;
  bool done = false;
  auto started = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> running(checkpoint_running_);
    done = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK;
    // Counted before another checkpoint can run (as the checkpointer does).
    std::lock_guard<std::mutex> lock(checkpoint_mutex_);
    if (done && copied >= 0 && copied == log) {
      // All copied: the next commit starts the log from its beginning.
      wal_frames_ = 0;
      backfilled_frames_ = 0;
    } else if (done && copied >= 0) {
      backfilled_frames_ = copied;
    }
  }
  ++writer_checkpoints_;
  writer_checkpoint_micros_ += static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  if (done) ++checkpoints_;
  checkpoint_wake_.notify_one();  // passes may resume
}

void EventStore::commit(std::vector<Pending>& group) {
  auto started = std::chrono::steady_clock::now();
  std::vector<WriteResult> results(group.size());
  std::string failure;
  if (!openIfNeeded()) {
    failure = readyProblem();
  } else if (!Statements::run(statements_->begin)) {
    failure = describe(db_, "cannot begin a transaction");
  } else {
    Statement& event = statements_->event;
    Statement& identity = statements_->identity;
    Statement& optin = statements_->optin;
    for (std::size_t i = 0; failure.empty() && i < group.size(); ++i) {
      const WriteBatch& batch = group[i].batch;
      WriteResult& result = results[i];
      for (const auto& e : batch.events) {
        event.text(1, e.id);
        event.text(2, e.type);
        event.integer(3, e.ts);
        event.integer(4, batch.received_at);
        event.text(5, e.body);
        int rc = event.step();
        event.reset();
        if (rc != SQLITE_DONE) { failure = describe(db_, "cannot insert an event"); break; }
        if (sqlite3_changes(db_) == 1) ++result.inserted; else ++result.duplicates;
      }
      for (const auto& [anonymous_id, rl_id] : batch.identities) {
        if (!failure.empty()) break;
        auto recent = recent_identities_.find(anonymous_id + '\n' + rl_id);
        if (recent != recent_identities_.end() && batch.received_at >= recent->second &&
            batch.received_at - recent->second < options_.identity_refresh_ms) {
          continue;
        }
        identity.text(1, anonymous_id);
        identity.text(2, rl_id);
        identity.integer(3, batch.received_at);
        identity.integer(4, batch.received_at);
        int rc = identity.step();
        identity.reset();
        if (rc != SQLITE_DONE) failure = describe(db_, "cannot link an identity");
      }
      for (const auto& o : batch.optins) {
        if (!failure.empty()) break;
        optin.text(1, o.id);
        optin.integer(2, batch.received_at);
        optin.text(3, o.body);
        int rc = optin.step();
        optin.reset();
        if (rc != SQLITE_DONE) { failure = describe(db_, "cannot insert an opt-in"); break; }
        if (sqlite3_changes(db_) == 1) ++result.inserted; else ++result.duplicates;
      }
    }
    if (failure.empty() && !Statements::run(statements_->commit)) failure = describe(db_, "cannot commit");
    if (!failure.empty()) Statements::run(statements_->rollback);
    // Checked after the commit, so that no answer says 200 for rows written
    // to a file that is gone: those requests get 503, and so does every
    // later one. The store does not open the file now at the path itself:
    // a log left there by the old file (only the database deleted, or a
    // backup renamed over it) would be replayed into the new one, and this
    // process's other connection still maps the old file's shared memory.
    // A restart opens it cleanly.
    if (failure.empty() && databaseMoved(db_)) {
      moved_ = true;
      failure = kMovedProblem;
      closeDatabase();
    }
  }
  setProblem(failure);
  if (failure.empty()) {
    // Remembered only once committed: after a rollback the next request writes the pair.
    for (const auto& pending : group) {
      for (const auto& [anonymous_id, rl_id] : pending.batch.identities) {
        if (recent_identities_.size() >= kRecentIdentities) recent_identities_.clear();
        auto [it, added] = recent_identities_.try_emplace(anonymous_id + '\n' + rl_id, pending.batch.received_at);
        // A pair skipped above keeps the time it was last written.
        if (!added && pending.batch.received_at - it->second >= options_.identity_refresh_ms) {
          it->second = pending.batch.received_at;
        }
      }
    }
  }
  std::vector<WriteCallback> callbacks;
  callbacks.reserve(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    WriteResult& result = results[i];
    result.ok = failure.empty();
    if (!result.ok) {
      result = WriteResult{};
      result.error = failure;
    }
    callbacks.push_back(std::move(group[i].done));
  }
  if (observer_) {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    observer_(took.count(), group.size());
  }
  auto answer = [callbacks = std::move(callbacks), results = std::move(results)] {
    for (std::size_t i = 0; i < callbacks.size(); ++i) {
      if (callbacks[i]) callbacks[i](results[i]);
    }
  };
  if (dispatcher_) {
    dispatcher_(std::move(answer));
  } else {
    answer();
  }
}

void EventStore::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard<std::mutex> lock(checkpoint_mutex_);
    checkpoint_stopping_ = true;
  }
  checkpoint_wake_.notify_one();
  if (checkpointer_.joinable()) checkpointer_.join();
  closeDatabase();  // the last connection: SQLite checkpoints and removes the WAL
  if (db_file_fd_ >= 0) {
    ::close(db_file_fd_);
    db_file_fd_ = -1;
  }
}

void EventStore::setProblem(std::string problem) {
  std::lock_guard<std::mutex> lock(mutex_);
  problem_ = std::move(problem);
}

std::string EventStore::readyProblem() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return "shutting down";
  return problem_;
}

std::size_t EventStore::queueDepth() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queued_rows_;
}

std::string exportRows(const std::string& path, const std::string& table, std::int64_t since_ms,
                       const std::string& type, std::ostream& out) {
  if (table != "events" && table != "optins") return "unknown table " + table;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) {
    std::string reason = describe(db, "cannot open the database");
    sqlite3_close(db);
    return reason;
  }
  sqlite3_busy_timeout(db, 5000);
  std::string sql = "SELECT body FROM " + table + " WHERE received_at >= ?";
  if (table == "events" && !type.empty()) sql += " AND type = ?";
  sql += " ORDER BY seq";
  std::string error;
  {
    Statement select(db, sql.c_str());
    if (!select.ok()) {
      error = describe(db, "cannot read " + table);
    } else {
      select.integer(1, since_ms);
      if (table == "events" && !type.empty()) select.text(2, type);
      int rc;
      while ((rc = select.step()) == SQLITE_ROW) {
        const unsigned char* body = sqlite3_column_text(select.get(), 0);
        int size = sqlite3_column_bytes(select.get(), 0);
        out.write(reinterpret_cast<const char*>(body), size);
        out.put('\n');
      }
      if (rc != SQLITE_DONE) error = describe(db, "cannot read " + table);
    }
  }
  sqlite3_close(db);
  return error;
}

}  // namespace relance::collector

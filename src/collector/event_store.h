// The durable store: SQLite in write-ahead-log mode, written by one thread.
//
// Requests hand their rows to submit(); the writer thread takes everything
// queued, writes it in one transaction (group commit: one fsync for many
// requests) and only then calls each request's callback. So an acknowledged
// event is committed, and throughput does not die on fsync. The queue is
// bounded (in rows): when it is full submit() refuses at once and the caller
// answers 503. A failing database (read-only, full disk) fails the batches
// with a reason and leaves the process alive; readyProblem() says why.
//
// WAL checkpoints (copying the log back into the database file, with an
// fsync) run on a checkpointer thread with its own connection, not inside a
// commit: SQLite's automatic checkpoint ran in the COMMIT that crossed 1000
// frames and held that commit's answers (and every request queued behind it)
// for 5 to 25 ms.
#ifndef RELANCE_COLLECTOR_EVENT_STORE_H_
#define RELANCE_COLLECTOR_EVENT_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

struct sqlite3;

namespace relance::collector {

struct StoreOptions {
  std::string path;                  // file name or SQLite URI ("file:x.db?mode=ro")
  bool synchronous_full = false;     // PRAGMA synchronous=FULL, else NORMAL (see docs/collector.md, "Durability")
  std::size_t queue_limit = 50000;   // rows waiting for the writer, at most
  std::int64_t max_pages = 0;        // PRAGMA max_page_count when > 0 (caps the file size)
  // WAL frames not yet copied into the database that wake the checkpointer
  // thread (SQLite's own default threshold). A checkpoint running beside
  // the writer cannot restart the log while commits keep coming, so past
  // kWriterCheckpointFactor times this the writer checkpoints itself,
  // between two commits, which bounds the WAL file.
  std::int64_t checkpoint_frames = 1000;
  // A visitor's (anonymous_id, rl_id) pair written less than this long ago
  // (by received_at) is not written again: last_seen is exact to this much.
  // Every event request carries the pair, and each write dirties a random
  // page of the identities table.
  std::int64_t identity_refresh_ms = 60 * 1000;
  // Group commit: a commit waits until group_rows rows are queued, or until
  // group_window passed since the first of them arrived (see run()). Under
  // heavy load groups fill at once and nothing waits.
  std::size_t group_rows = 32;
  std::chrono::microseconds group_window{1000};
};

// One event as it will be stored: `body` is the JSON text written to the
// table and printed by export.
struct StoredEvent {
  std::string id;
  std::string type;
  std::int64_t ts = 0;
  std::string body;
};

// One opt-in (POST /v1/optin), kept once per id.
struct StoredOptin {
  std::string id;
  std::string body;
};

// What one request asks the store to keep, written in a single transaction.
struct WriteBatch {
  std::int64_t received_at = 0;
  std::vector<StoredEvent> events;
  std::vector<std::pair<std::string, std::string>> identities;  // (anonymous_id, rl_id)
  std::vector<StoredOptin> optins;
  std::size_t rows() const { return events.size() + identities.size() + optins.size(); }
};

struct WriteResult {
  bool ok = false;
  std::string error;            // why the commit failed, when !ok
  std::size_t inserted = 0;     // new events (or opt-ins)
  std::size_t duplicates = 0;   // ids already stored (or repeated in the batch)
};

using WriteCallback = std::function<void(const WriteResult&)>;

// Figures about each commit, for /metrics.
using CommitObserver = std::function<void(double seconds, std::size_t batches)>;

// Runs a task on another thread, soon (the HTTP server's threads): see start().
using Dispatcher = std::function<void(std::function<void()> task)>;

// The writer's own checkpoint stops commits (it copies what is left and
// syncs): at 8 x 1000 frames it came every ~3,000 single-event requests and
// set the p99 at half the peak rate (16 ms); at 32 x 1000 frames (a WAL file
// of about 130 MB) 6 to 9 ms in the same runs.
constexpr std::int64_t kWriterCheckpointFactor = 32;
// Near that bound the checkpointer makes up to kCheckpointPassesNearBound
// passes in a row, until at most kFinalCheckpointFrames are left to copy,
// then asks the writer for its checkpoint; past twice the bound the writer
// checkpoints whatever is left.
constexpr int kCheckpointPassesNearBound = 4;
constexpr int kFinalCheckpointFrames = 256;
// The most a writer's checkpoint copies itself, short of twice the bound:
// when the commits since the checkpointer asked for it left more, the
// checkpointer copies them first. (Right after a burst, a writer's
// checkpoint that copied the burst's backlog held requests for 20 to 70 ms.)
constexpr int kWriterCheckpointMostFrames = 4 * kFinalCheckpointFrames;
// A writer with no request for this long, at the bound, checkpoints at once.
constexpr std::chrono::milliseconds kIdleBeforeCheckpoint{10};

class EventStore {
 public:
  explicit EventStore(StoreOptions options);
  ~EventStore();  // calls stop()
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Opens the database and starts the writer thread. A database that cannot be
  // opened is not fatal: readyProblem() says why and the writer retries.
  // With a dispatcher, the callbacks of each commit are handed to it in one
  // task, so the writer thread (the one serial step) only writes; without
  // one they run on the writer thread.
  void start(CommitObserver observer = nullptr, Dispatcher dispatcher = nullptr);

  // Queues `batch`; `done` runs after the commit (or its failure), on the
  // writer thread or through the dispatcher. Returns false, without calling
  // `done`, when the queue is full or the store is stopping.
  bool submit(WriteBatch batch, WriteCallback done);

  // Refuses new batches, commits everything queued, closes the database.
  void stop();

  // "" when the last open/commit succeeded, else the reason
  // ("database is read-only: attempt to write a readonly database"; once the
  // file was deleted or replaced underneath, that, for good).
  std::string readyProblem() const;

  std::size_t queueDepth() const;  // rows waiting

  // Checkpoints done so far (by the checkpointer thread or, past the bound,
  // by the writer), for tests and /metrics.
  std::uint64_t checkpoints() const { return checkpoints_.load(); }

  // The writer's own checkpoints (the ones that let the WAL restart, during
  // which no commit runs): how many, and the seconds they held commits in all.
  std::uint64_t writerCheckpoints() const { return writer_checkpoints_.load(); }
  double writerCheckpointSeconds() const { return writer_checkpoint_micros_.load() / 1e6; }

  // Frames in the log (after the last commit or restart), and of those the
  // ones not yet copied into the database file: how far the checkpoints are
  // behind. For tests and /metrics.
  std::int64_t logFrames();
  std::int64_t uncopiedFrames();

 private:
  struct Pending {
    WriteBatch batch;
    WriteCallback done;
  };
  void run();
  bool openIfNeeded();
  void commit(std::vector<Pending>& group);
  void setProblem(std::string problem);
  void closeDatabase();
  // The WAL hook of the writer's connection: runs after each commit with the
  // number of frames in the log, and wakes the checkpointer when enough are
  // waiting.
  static int onWal(void* self, sqlite3* db, const char* name, int frames);
  void runCheckpointer();
  // The writer's bound on the WAL; `idle`: no request is waiting (see run()).
  void checkpointIfTooLarge(bool idle = false);
  // What an idle writer does about the log (see run()): nothing while it is
  // under its bound; at the bound, its own checkpoint once at most
  // kFinalCheckpointFrames are left to copy, and until then it hands the
  // copying back to the checkpointer.
  enum class IdleLogWork { kNone, kCopy, kRestart };
  IdleLogWork idleLogWork();
  // Wakes the checkpointer for its passes, even though no commit asked for
  // them (see run()). False when it is idle and its passes since such a
  // call less than a second ago copied nothing.
  bool askCheckpointerToCopy();
  // The log's frames past which the writer restarts it.
  std::int64_t logBound() const { return kWriterCheckpointFactor * options_.checkpoint_frames; }

  // The insert statements, prepared once per open database (preparing them
  // for every commit cost more than the inserts of a small commit).
  struct Statements;

  // Pairs (anonymous_id + '\n' + rl_id) committed lately, with their
  // received_at; used by the writer thread only. Emptied when it holds
  // kRecentIdentities pairs.
  static constexpr std::size_t kRecentIdentities = 10000;
  std::unordered_map<std::string, std::int64_t> recent_identities_;

  // Set by the writer when its database file was deleted or replaced while
  // open (see commit()): from then on every batch fails with kMovedProblem.
  static constexpr const char* kMovedProblem =
      "the database file was deleted or replaced while open: restart the collector to open the one at --db";
  bool moved_ = false;

  StoreOptions options_;
  CommitObserver observer_;
  Dispatcher dispatcher_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> statements_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  std::size_t queued_rows_ = 0;   // queued or being committed (the bound)
  std::size_t waiting_rows_ = 0;  // queued, not yet taken by the writer
  std::chrono::steady_clock::time_point oldest_waiting_;  // arrival of queue_.front()
  bool stopping_ = false;
  bool started_ = false;
  std::string problem_;
  std::thread writer_;

  // The checkpointer thread and what it shares with the writer.
  std::mutex checkpoint_mutex_;
  std::mutex checkpoint_running_;  // held during a checkpoint (one at a time)
  std::condition_variable checkpoint_wake_;
  int wal_frames_ = 0;        // frames in the log after the last commit
  int backfilled_frames_ = 0; // of those, copied into the database by the last checkpoint
  bool checkpoint_wanted_ = false;
  bool writer_checkpoint_wanted_ = false;  // the checkpointer copied nearly all: the writer may restart the log
  bool checkpoint_stopping_ = false;
  // backfilled_frames_ when an idle writer last asked for passes, and when.
  int idle_copy_asked_at_ = -1;
  std::chrono::steady_clock::time_point idle_copy_asked_when_;
  std::atomic<std::uint64_t> checkpoints_{0};
  std::atomic<std::uint64_t> writer_checkpoints_{0};
  std::atomic<std::uint64_t> writer_checkpoint_micros_{0};
  std::thread checkpointer_;
  int db_file_fd_ = -1;  // the checkpointer's read-only descriptor of the database file (see startWriteback)
};

// Prints the stored rows of `table` ("events" or "optins") as NDJSON, one
// JSON text per line in insertion order, keeping those with
// received_at >= since_ms and, for events, of type `type` when not empty.
// Returns "" or the reason it could not read the database.
std::string exportRows(const std::string& path, const std::string& table, std::int64_t since_ms,
                       const std::string& type, std::ostream& out);

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_EVENT_STORE_H_

// The feed of stored rows to a destination, and its durable state, in the
// collector's database (docs/design/destinations.md says why this shape):
//  - a destination forwards two streams, each its own feed: the `events`
//    table and the `optins` table (the contacts, POST /v1/optin);
//  - rows are read from the stream's table in commit order (its `seq`,
//    which the single writer assigns in commit order), after a cursor;
//  - `destination_cursors` keeps, per destination, the last seq delivered
//    and the failing batch's attempts, updated after each delivery;
//  - `destination_dead_letters` keeps the events of batches given up on,
//    listable and re-sendable (`relance-collector destinations`).
// The event store's writer never touches these tables and nothing is added
// to its commits: the feed costs the acknowledged path nothing.
//
// One DestinationFeed is one SQLite connection, for one thread.
#ifndef RELANCE_COLLECTOR_DESTINATION_FEED_H_
#define RELANCE_COLLECTOR_DESTINATION_FEED_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

struct sqlite3;

namespace relance::collector {

// The stored streams a destination forwards, each with its own cursor, so
// that a failing batch of one holds back nothing of the other.
enum class Stream { kEvents, kOptins };

// "events" or "optins": the table, the delivery body's top-level key, the
// metrics label and the CLI's column.
const char* streamName(Stream stream);

// The key of a stream's cursor and dead letters: the destination's id for
// the events (as before opt-ins were forwarded, so existing cursors hold),
// "<id>:optins" for the opt-ins (':' is not allowed in an id).
std::string cursorKey(const std::string& destination, Stream stream);

// A stored row of a stream: an event or an opt-in.
struct FeedEvent {
  std::int64_t seq = 0;
  std::string id;
  std::int64_t received_at = 0;  // ms since the epoch
  std::string body;              // the stored JSON text
};

// A destination's durable state.
struct CursorState {
  std::int64_t delivered_seq = 0;  // every event up to this seq was delivered or dead-lettered
  int attempts = 0;                // failed attempts of the batch after it (0: not failing)
  std::int64_t failing_since = 0;  // ms since the epoch of its first failure (0: not failing)
  std::string last_error;          // "HTTP 503", "connecting: Connection refused" (no personal data)

  // The batch after the cursor is no longer failing (delivered, or given up on).
  void clearFailure() {
    attempts = 0;
    failing_since = 0;
    last_error.clear();
  }
};

struct FeedLag {
  std::int64_t events = 0;              // events waiting for this destination
  std::int64_t oldest_received_at = 0;  // received_at of the oldest of them; 0 when none
};

class DestinationFeed {
 public:
  DestinationFeed() = default;
  ~DestinationFeed();
  DestinationFeed(const DestinationFeed&) = delete;
  DestinationFeed& operator=(const DestinationFeed&) = delete;

  // Opens the database (which must hold the stream's table: the store
  // creates it) and creates the feed's tables; the feed then reads `stream`.
  // "" or the reason it failed.
  std::string open(const std::string& path, Stream stream = Stream::kEvents);
  bool isOpen() const { return db_ != nullptr; }

  // The state of `destination` (a cursorKey()). A destination seen for the first time
  // starts at the end of the feed (the events stored from now on): old
  // abandoned carts must not start follow-ups today. Its row is written at
  // once, so a restart does not move that start. Also repairs a cursor past
  // the last stored seq (see docs/design/destinations.md, "Erasure").
  // False on a database error (`error` says which).
  bool load(const std::string& destination, CursorState& state, std::string& error);
  bool save(const std::string& destination, const CursorState& state);

  // The next batch after `after_seq`: up to `limit` events of `types`
  // ({"*"}: any; opt-ins have no type, pass {"*"}), in seq order, looking at `scan_limit` stored events at
  // most. `through_seq` is the last seq the batch covers: its last event's
  // when it is full, else the last seq looked at, so that the events a
  // destination does not want (most are page views) are passed over once
  // rather than read again at every poll. through_seq == after_seq when
  // nothing was stored after it.
  struct Batch {
    std::vector<FeedEvent> events;
    std::int64_t through_seq = 0;
    bool scan_full = false;  // scan_limit events were looked at: more may wait
  };
  Batch next(std::int64_t after_seq, const std::vector<std::string>& types, std::size_t limit,
             std::size_t scan_limit, std::string& error);

  // Up to `limit` dead letters of `destination` asked to be sent again, in seq order.
  std::vector<FeedEvent> requeued(const std::string& destination, std::size_t limit, std::string& error);

  // The largest seq stored (0 when none; -1 on an error).
  std::int64_t lastSeq();

  // What waits after `after_seq` (for the lag metrics).
  FeedLag lag(std::int64_t after_seq, const std::vector<std::string>& types);

  // Gives up on `events`: writes them as dead letters with the HTTP status
  // (0: none) and the reason, and saves `state` (the cursor past them for a
  // batch of the feed), in one transaction.
  bool deadLetter(const std::string& destination, const std::vector<FeedEvent>& events, int attempts, int status,
                  const std::string& reason, std::int64_t now_ms, const CursorState& state);

  // Requeued dead letters that were delivered: removed.
  bool forget(const std::string& destination, const std::vector<FeedEvent>& events);

 private:
  bool exec(const std::string& sql);
  sqlite3* db_ = nullptr;
  std::string table_ = "events";  // streamName() of the stream read
};

// The `relance-collector destinations` command's work, on the database file
// (safe while `serve` runs). Each returns "" or the reason it failed.
// Prints one line per destination and stream: its cursor, what waits, failing state, dead letters.
std::string printDestinationStates(const std::string& path, std::ostream& out);
// Prints the dead letters of `destination` (both streams; of every one when empty).
std::string printDeadLetters(const std::string& path, const std::string& destination, std::ostream& out);
// Marks the dead letters of `destination` (both streams) to be sent again; `count` gets how many.
std::string requeueDeadLetters(const std::string& path, const std::string& destination, std::int64_t& count);

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_DESTINATION_FEED_H_

// The event store: deduplication, group commit, failures that answer rather
// than crash, bounded queue, export filters.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "collector/event_store.h"

namespace relance::collector {
namespace {

namespace fs = std::filesystem;

class CollectorStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("relance-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "events.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static StoredEvent event(const std::string& id, const std::string& type = "page_view") {
    return StoredEvent{id, type, 1700000000000, "{\"id\":\"" + id + "\",\"type\":\"" + type + "\"}"};
  }

  // Submits and waits for the commit.
  static WriteResult write(EventStore& store, WriteBatch batch) {
    std::promise<WriteResult> done;
    auto future = done.get_future();
    bool queued = store.submit(std::move(batch), [&done](const WriteResult& r) { done.set_value(r); });
    EXPECT_TRUE(queued);
    if (!queued) return WriteResult{};
    return future.get();
  }

  std::string exported(std::int64_t since, const std::string& type, const std::string& table = "events") {
    std::ostringstream out;
    EXPECT_EQ(exportRows(path_, table, since, type, out), "");
    return out.str();
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(CollectorStoreTest, DeduplicatesByIdAcrossAndWithinBatches) {
  EventStore store({path_});
  store.start();
  WriteBatch first;
  first.received_at = 10;
  first.events = {event("a"), event("b"), event("a")};
  WriteResult r1 = write(store, first);
  ASSERT_TRUE(r1.ok) << r1.error;
  EXPECT_EQ(r1.inserted, 2u);
  EXPECT_EQ(r1.duplicates, 1u);
  WriteBatch retry;
  retry.received_at = 20;
  retry.events = {event("b"), event("c")};
  WriteResult r2 = write(store, retry);
  EXPECT_EQ(r2.inserted, 1u);
  EXPECT_EQ(r2.duplicates, 1u);
  store.stop();
  EXPECT_EQ(exported(0, ""),
            "{\"id\":\"a\",\"type\":\"page_view\"}\n{\"id\":\"b\",\"type\":\"page_view\"}\n"
            "{\"id\":\"c\",\"type\":\"page_view\"}\n");
}

TEST_F(CollectorStoreTest, ConcurrentRequestsShareCommits) {
  EventStore store({path_});
  std::atomic<std::size_t> commits{0}, carried{0};
  store.start([&](double, std::size_t batches) {
    ++commits;
    carried += batches;
  });
  constexpr int kRequests = 400;
  std::vector<std::promise<WriteResult>> done(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    WriteBatch batch;
    batch.received_at = i;
    batch.events = {event("g" + std::to_string(i))};
    ASSERT_TRUE(store.submit(std::move(batch), [&done, i](const WriteResult& r) { done[i].set_value(r); }));
  }
  for (auto& d : done) EXPECT_TRUE(d.get_future().get().ok);
  store.stop();
  EXPECT_EQ(carried.load(), static_cast<std::size_t>(kRequests));
  EXPECT_LT(commits.load(), static_cast<std::size_t>(kRequests)) << "every request had its own commit";
}

// The group-commit window: a small group waits (here up to a minute) until
// group_rows rows are queued, then goes at once, in one commit; stop() does
// not wait for the window either.
TEST_F(CollectorStoreTest, ASmallGroupWaitsUntilItFillsOrTheStoreStops) {
  StoreOptions options;
  options.path = path_;
  options.group_rows = 3;  // one event and one identity pair per batch: 2 rows
  options.group_window = std::chrono::minutes(1);
  EventStore store(options);
  std::atomic<std::size_t> commits{0};
  std::vector<std::size_t> sizes;
  std::mutex sizes_mutex;
  store.start([&](double, std::size_t batches) {
    ++commits;
    std::lock_guard<std::mutex> lock(sizes_mutex);
    sizes.push_back(batches);
  });
  std::atomic<int> answered{0};
  auto submit = [&](const std::string& id, bool with_identity) {
    WriteBatch batch;
    batch.events = {event(id)};
    if (with_identity) batch.identities = {{"anon-" + id, "rl"}};
    ASSERT_TRUE(store.submit(std::move(batch), [&answered](const WriteResult& r) { answered += r.ok ? 1 : 0; }));
  };
  submit("w1", false);  // 1 row: the group waits
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(answered.load(), 0) << "a group of 1 row went before the window";
  submit("w2", true);  // 3 rows: the group is full and goes
  for (int i = 0; i < 500 && answered.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(answered.load(), 2);
  submit("w3", false);  // waits again, until stop()
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(answered.load(), 2);
  store.stop();
  EXPECT_EQ(answered.load(), 3);
  EXPECT_EQ(commits.load(), 2u);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 1}));
}

TEST_F(CollectorStoreTest, ADispatcherRunsTheCallbacksOfACommitAfterIt) {
  EventStore store({path_});
  std::mutex mutex;
  std::condition_variable posted;
  std::vector<std::function<void()>> tasks;
  store.start(nullptr, [&](std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mutex);
    tasks.push_back(std::move(task));
    posted.notify_one();
  });
  std::atomic<int> answered{0};
  WriteBatch batch;
  batch.events = {event("d1")};
  ASSERT_TRUE(store.submit(std::move(batch), [&](const WriteResult& r) { answered += r.ok && r.inserted == 1 ? 1 : 0; }));
  std::function<void()> task;
  {
    std::unique_lock<std::mutex> lock(mutex);
    ASSERT_TRUE(posted.wait_for(lock, std::chrono::seconds(10), [&] { return !tasks.empty(); }));
    task = std::move(tasks.front());
  }
  EXPECT_EQ(answered.load(), 0) << "the writer thread answered by itself";
  // The commit is done before the task exists: another reader sees the row.
  EXPECT_NE(exported(0, "").find("\"d1\""), std::string::npos);
  task();
  EXPECT_EQ(answered.load(), 1);
  store.stop();
}

TEST_F(CollectorStoreTest, CheckpointsRunOffTheCommitsAndKeepTheLogBounded) {
  StoreOptions options;
  options.path = path_;
  options.checkpoint_frames = 8;
  EventStore store(options);
  store.start();
  constexpr int kCommits = 1500;  // 2 or 3 WAL frames each: about 15 MB of log without checkpoints
  for (int i = 0; i < kCommits; ++i) {
    WriteBatch batch;
    batch.received_at = i;
    batch.events = {event("w" + std::to_string(i))};
    batch.identities = {{"anon-" + std::to_string(i), "rl-" + std::to_string(i)}};
    ASSERT_TRUE(write(store, batch).ok);
  }
  EXPECT_GT(store.checkpoints(), 0u);
  // The log started again from its beginning: its file never held more than
  // twice the bound (kWriterCheckpointFactor x 8 frames: the writer restarts
  // it when the checkpointer asks, near the bound, or past twice the bound
  // whatever) and a few commits.
  EXPECT_LT(fs::file_size(path_ + "-wal"), (2 * kWriterCheckpointFactor * 8 + 100) * (4096 + 24));
  store.stop();
  EXPECT_FALSE(fs::exists(path_ + "-wal")) << "closing the last connection checkpoints and removes the log";
  std::string all = exported(0, "");
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), kCommits);
}

// Events of about 1 KB, `count` of them, ids prefix-0, prefix-1...
WriteBatch paddedBatch(const std::string& prefix, int count) {
  WriteBatch batch;
  for (int i = 0; i < count; ++i) {
    std::string id = prefix + "-" + std::to_string(i);
    batch.events.push_back(
        StoredEvent{id, "page_view", 1700000000000, "{\"id\":\"" + id + "\",\"pad\":\"" + std::string(1000, 'x') + "\"}"});
  }
  return batch;
}

// Waits (at most `limit`) until the store's log has restarted: 0 frames.
void waitForLogRestart(EventStore& store, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (store.logFrames() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST_F(CollectorStoreTest, AnIdleWriterRestartsTheLogWithoutWaitingForACommit) {
  StoreOptions options;
  options.path = path_;
  options.checkpoint_frames = 8;
  EventStore store(options);
  store.start();
  // One commit (a burst) takes the log past the bound (kWriterCheckpointFactor
  // x 8 frames) but not past twice the bound: about 300 frames of 1 KB events.
  const std::int64_t bound = kWriterCheckpointFactor * options.checkpoint_frames;
  ASSERT_TRUE(write(store, paddedBatch("burst", 1100)).ok);
  ASSERT_GE(store.logFrames(), bound);
  ASSERT_LT(store.logFrames(), 2 * bound);
  // Then nothing. The idle writer makes the checkpoint that restarts the log
  // (0 frames) on its own. Before, it waited for the next commit, and the
  // first requests after a burst waited for it (64 ms in bench:collector).
  waitForLogRestart(store, std::chrono::seconds(5));
  EXPECT_EQ(store.logFrames(), 0);
  EXPECT_EQ(store.uncopiedFrames(), 0);
  EXPECT_EQ(store.writerCheckpoints(), 1u);
  store.stop();
  std::string all = exported(0, "");
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 1100);
}

TEST_F(CollectorStoreTest, AWriterLeavesABacklogToTheCheckpointerThenRestartsTheLogWhenIdle) {
  StoreOptions options;
  options.path = path_;
  options.checkpoint_frames = 64;  // the bound: 2,048 frames; twice it, 4,096
  EventStore store(options);
  store.start();
  const std::int64_t bound = kWriterCheckpointFactor * options.checkpoint_frames;
  ASSERT_GT(bound, kWriterCheckpointMostFrames);
  ASSERT_TRUE(write(store, paddedBatch("before", 1)).ok);
  // A reader (an export, a backup) holds its snapshot: no checkpoint can
  // copy the frames committed after it.
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM events;", nullptr, nullptr, nullptr), SQLITE_OK);
  // A burst takes the log past the bound (not past twice it), all of it
  // uncopied; the checkpointer's passes copy nothing and hand over to the
  // writer.
  ASSERT_TRUE(write(store, paddedBatch("burst", 7000)).ok);
  ASSERT_GE(store.logFrames(), bound);
  ASSERT_LT(store.logFrames(), 2 * bound - 64);
  auto passes = store.checkpoints();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (store.checkpoints() < passes + kCheckpointPassesNearBound && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // The next request's commit: the writer does not copy the backlog itself,
  // between two commits (it held requests for 20 to 70 ms after bursts).
  ASSERT_TRUE(write(store, paddedBatch("next", 1)).ok);
  EXPECT_EQ(store.writerCheckpoints(), 0u);
  EXPECT_GT(store.uncopiedFrames(), kWriterCheckpointMostFrames);
  // The reader goes; nothing else is committed. The idle writer has the
  // checkpointer copy the backlog, then restarts the log (0 frames) itself.
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  waitForLogRestart(store, std::chrono::seconds(10));
  EXPECT_EQ(store.logFrames(), 0);
  EXPECT_EQ(store.uncopiedFrames(), 0);
  EXPECT_EQ(store.writerCheckpoints(), 1u);
  store.stop();
  std::string all = exported(0, "");
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 7002);
}

TEST_F(CollectorStoreTest, ReadOnlyDatabaseFailsBatchesWithAReason) {
  {
    EventStore store({path_});
    store.start();
    WriteBatch batch;
    batch.events = {event("x")};
    ASSERT_TRUE(write(store, batch).ok);
  }
  EventStore store({"file:" + path_ + "?mode=ro"});
  store.start();
  EXPECT_NE(store.readyProblem().find("read-only"), std::string::npos) << store.readyProblem();
  WriteBatch batch;
  batch.events = {event("y")};
  WriteResult result = write(store, batch);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("read-only"), std::string::npos) << result.error;
  store.stop();
  EXPECT_EQ(exported(0, "").find("\"y\""), std::string::npos);
}

// SQLite keeps writing to a database file deleted (or renamed over) while
// open, and the rows die with the process: the store must not acknowledge
// them. (Before the fix both writes below answered ok.)
TEST_F(CollectorStoreTest, ADatabaseDeletedUnderneathFailsBatchesInsteadOfAcknowledgingThem) {
  EventStore store({path_});
  store.start();
  WriteBatch before;
  before.events = {event("before")};
  ASSERT_TRUE(write(store, before).ok);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  for (const char* id : {"after-1", "after-2"}) {
    WriteBatch batch;
    batch.events = {event(id)};
    WriteResult result = write(store, batch);
    EXPECT_FALSE(result.ok) << id << " acknowledged, written to a deleted file";
    EXPECT_NE(result.error.find("deleted or replaced"), std::string::npos) << result.error;
  }
  EXPECT_NE(store.readyProblem().find("deleted or replaced"), std::string::npos) << store.readyProblem();
  store.stop();
}

TEST_F(CollectorStoreTest, ADatabaseReplacedUnderneathFailsBatchesInsteadOfAcknowledgingThem) {
  std::string other = (dir_ / "restored.db").string();
  {
    EventStore restored({other});
    restored.start();
    WriteBatch batch;
    batch.events = {event("restored")};
    ASSERT_TRUE(write(restored, batch).ok);
  }  // closed: a clean file without a log, as a backup is
  EventStore store({path_});
  store.start();
  WriteBatch before;
  before.events = {event("before")};
  ASSERT_TRUE(write(store, before).ok);
  fs::rename(other, path_);
  WriteBatch after;
  after.events = {event("after")};
  WriteResult result = write(store, after);
  EXPECT_FALSE(result.ok) << "acknowledged, written to the file that was replaced";
  EXPECT_NE(result.error.find("deleted or replaced"), std::string::npos) << result.error;
  store.stop();
}

TEST_F(CollectorStoreTest, FullDatabaseFailsThenRecoversForSmallerWrites) {
  StoreOptions options{path_};
  options.max_pages = 8;  // a few pages: a large batch cannot fit
  EventStore store(options);
  store.start();
  WriteBatch big;
  for (int i = 0; i < 200; ++i) {
    StoredEvent e = event("big" + std::to_string(i));
    e.body = std::string(1000, 'x');
    big.events.push_back(e);
  }
  big.identities = {{"anon", "rl"}};
  WriteResult result = write(store, big);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("full"), std::string::npos) << result.error;
  EXPECT_NE(store.readyProblem().find("full"), std::string::npos);
  WriteBatch small;
  small.events = {event("small")};
  small.identities = {{"anon", "rl"}};  // the same pair, just after: written, since the failed commit did not write it
  WriteResult after = write(store, small);
  EXPECT_TRUE(after.ok) << after.error;
  EXPECT_EQ(store.readyProblem(), "");
  store.stop();
  EXPECT_EQ(exported(0, ""), "{\"id\":\"small\",\"type\":\"page_view\"}\n") << "the failed batch left nothing";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM identities", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(CollectorStoreTest, BoundedQueueRefusesWhenTheWriterIsStuck) {
  StoreOptions options{path_};
  options.queue_limit = 3;
  EventStore store(options);
  store.start();
  // Another connection holds the write lock: the writer waits on it.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::promise<WriteResult> first_done;
  WriteBatch first;
  first.events = {event("q1"), event("q2")};
  ASSERT_TRUE(store.submit(std::move(first), [&](const WriteResult& r) { first_done.set_value(r); }));
  WriteBatch second;
  second.events = {event("q3"), event("q4")};
  EXPECT_FALSE(store.submit(std::move(second), [](const WriteResult&) { ADD_FAILURE() << "refused batch answered"; }));
  EXPECT_EQ(store.queueDepth(), 2u);
  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE(first_done.get_future().get().ok);
  store.stop();
}

TEST_F(CollectorStoreTest, ExportFiltersBySinceAndType) {
  EventStore store({path_});
  store.start();
  WriteBatch early;
  early.received_at = 1000;
  early.events = {event("e1", "page_view"), event("e2", "purchase")};
  WriteBatch late;
  late.received_at = 2000;
  late.events = {event("e3", "purchase")};
  ASSERT_TRUE(write(store, early).ok);
  ASSERT_TRUE(write(store, late).ok);
  store.stop();
  EXPECT_EQ(exported(1500, ""), "{\"id\":\"e3\",\"type\":\"purchase\"}\n");
  EXPECT_EQ(exported(0, "purchase"),
            "{\"id\":\"e2\",\"type\":\"purchase\"}\n{\"id\":\"e3\",\"type\":\"purchase\"}\n");
  EXPECT_EQ(exported(0, "identify"), "");
  std::ostringstream out;
  EXPECT_NE(exportRows((dir_ / "missing" / "x.db").string(), "events", 0, "", out), "");
}

TEST_F(CollectorStoreTest, OptinsAreKeptOncePerId) {
  EventStore store({path_});
  store.start();
  WriteBatch batch;
  batch.optins = {StoredOptin{"o1", "{\"id\":\"o1\"}"}};
  batch.identities = {{"anon", "0123456789abcdef0123456789abcdef"}};
  WriteResult first = write(store, batch);
  EXPECT_EQ(first.inserted, 1u);
  WriteResult again = write(store, batch);
  EXPECT_EQ(again.inserted, 0u);
  EXPECT_EQ(again.duplicates, 1u);
  store.stop();
  EXPECT_EQ(exported(0, "", "optins"), "{\"id\":\"o1\"}\n");
}

TEST_F(CollectorStoreTest, AVisitorsPairIsWrittenAgainOnlyAfterTheRefreshTime) {
  StoreOptions options;
  options.path = path_;
  options.identity_refresh_ms = 60000;
  EventStore store(options);
  store.start();
  auto visit = [&](std::int64_t at, const std::string& rl_id) {
    WriteBatch batch;
    batch.received_at = at;
    batch.events = {event("v" + std::to_string(at) + rl_id)};
    batch.identities = {{"anon", rl_id}};
    EXPECT_TRUE(write(store, batch).ok);
  };
  // first_seen|last_seen of a pair, read by another connection.
  auto seen = [&](const std::string& rl_id) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT first_seen, last_seen FROM identities WHERE anonymous_id = 'anon' AND rl_id = ?",
                       -1, &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, rl_id.c_str(), -1, SQLITE_TRANSIENT);
    std::string row = sqlite3_step(stmt) == SQLITE_ROW
                          ? std::to_string(sqlite3_column_int64(stmt, 0)) + "|" + std::to_string(sqlite3_column_int64(stmt, 1))
                          : "none";
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return row;
  };
  visit(1000, "rl-a");
  EXPECT_EQ(seen("rl-a"), "1000|1000");
  visit(31000, "rl-a");  // within a minute: not written again
  EXPECT_EQ(seen("rl-a"), "1000|1000");
  visit(31000, "rl-b");  // another pair is
  EXPECT_EQ(seen("rl-b"), "31000|31000");
  visit(61000, "rl-a");  // a minute after the last write
  EXPECT_EQ(seen("rl-a"), "1000|61000");
  visit(62000, "rl-a");
  EXPECT_EQ(seen("rl-a"), "1000|61000");
  visit(121500, "rl-a");
  EXPECT_EQ(seen("rl-a"), "1000|121500");
  store.stop();
}

TEST_F(CollectorStoreTest, StopCommitsWhatIsQueued) {
  EventStore store({path_});
  store.start();
  std::atomic<int> answered{0};
  for (int i = 0; i < 50; ++i) {
    WriteBatch batch;
    batch.events = {event("s" + std::to_string(i))};
    ASSERT_TRUE(store.submit(std::move(batch), [&](const WriteResult& r) { answered += r.ok ? 1 : 0; }));
  }
  store.stop();
  EXPECT_EQ(answered.load(), 50);
  WriteBatch late;
  late.events = {event("late")};
  EXPECT_FALSE(store.submit(std::move(late), [](const WriteResult&) {}));
  std::string all = exported(0, "");
  EXPECT_EQ(static_cast<int>(std::count(all.begin(), all.end(), '\n')), 50);
}

}  // namespace
}  // namespace relance::collector

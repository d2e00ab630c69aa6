// The VFS that gathers a transaction's log writes (collector/wal_write_buffer.h):
// what a commit wrote is in the file when the commit returns, whatever its size,
// and a write that fails fails the commit.
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "collector/wal_write_buffer.h"

namespace relance::collector {
namespace {

namespace fs = std::filesystem;

class WalWriteBufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(registerWalWriteBufferVfs(), SQLITE_OK);
    dir_ = fs::temp_directory_path() / ("relance-wal-buffer-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "t.db").string();
    // The writer goes through the VFS; the reader is a plain connection, which
    // sees only what is in the files.
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &writer_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kWalWriteBufferVfs),
              SQLITE_OK);
    exec(writer_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;"
                  "CREATE TABLE t (n INTEGER, payload BLOB);");
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &reader_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  void TearDown() override {
    sqlite3_close(reader_);
    sqlite3_close(writer_);
    fs::remove_all(dir_);
  }

  static int exec(sqlite3* db, const std::string& sql) {
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << sqlite3_errmsg(db);
    return rc;
  }

  // Rows the plain connection sees, and the sum of their n.
  std::pair<long long, long long> seen() {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(reader_, "SELECT count(*), coalesce(sum(n), 0) FROM t", -1, &stmt, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    std::pair<long long, long long> result{sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1)};
    sqlite3_finalize(stmt);
    return result;
  }

  // Inserts rows n = first .. first+count-1 with `bytes` of payload each, in
  // the transaction the caller opened. Returns the last step's result.
  int insert(int first, int count, int bytes) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(writer_, "INSERT INTO t VALUES (?, zeroblob(?))", -1, &stmt, nullptr), SQLITE_OK);
    int rc = SQLITE_DONE;
    for (int n = first; n < first + count && rc == SQLITE_DONE; ++n) {
      sqlite3_bind_int(stmt, 1, n);
      sqlite3_bind_int(stmt, 2, bytes);
      rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return rc;
  }

  fs::path dir_;
  std::string path_;
  sqlite3* writer_ = nullptr;
  sqlite3* reader_ = nullptr;
};

TEST_F(WalWriteBufferTest, EachCommitIsInTheFileWhenItReturns) {
  long long rows = 0, sum = 0;
  for (int round = 0; round < 40; ++round) {
    // From one small row (a frame or two) to many pages per commit.
    int count = 1 + round * 3;
    exec(writer_, "BEGIN");
    ASSERT_EQ(insert(1000 * round, count, 300), SQLITE_DONE);
    exec(writer_, "COMMIT");
    rows += count;
    for (int n = 1000 * round; n < 1000 * round + count; ++n) sum += n;
    ASSERT_EQ(seen(), std::make_pair(rows, sum)) << "after commit " << round;
  }
}

TEST_F(WalWriteBufferTest, ALargeTransactionSpillsAndCommitsOrRollsBack) {
  // A tiny page cache makes SQLite write pages to the log before the commit,
  // and 6 MiB in one transaction passes the gathering bound many times. (A
  // first version gathered up to 1 MiB, which the default VFS cannot write in
  // one call: this test failed with SQLITE_FULL.)
  exec(writer_, "PRAGMA cache_size=8");
  exec(writer_, "BEGIN");
  ASSERT_EQ(insert(1, 1500, 4000), SQLITE_DONE);
  exec(writer_, "COMMIT");
  EXPECT_EQ(seen(), std::make_pair(1500LL, 1500LL * 1501 / 2));

  exec(writer_, "BEGIN");
  ASSERT_EQ(insert(5000, 1500, 4000), SQLITE_DONE);
  exec(writer_, "ROLLBACK");
  EXPECT_EQ(seen(), std::make_pair(1500LL, 1500LL * 1501 / 2));

  exec(writer_, "BEGIN");
  ASSERT_EQ(insert(9000, 2, 10), SQLITE_DONE);
  exec(writer_, "COMMIT");
  EXPECT_EQ(seen(), std::make_pair(1502LL, 1500LL * 1501 / 2 + 9000 + 9001));
  // A checkpoint reads the log back through the VFS: the database file then
  // holds every row.
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(writer_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(fs::file_size(path_ + "-wal"), 0u);
  EXPECT_EQ(seen(), std::make_pair(1502LL, 1500LL * 1501 / 2 + 9000 + 9001));
}

TEST_F(WalWriteBufferTest, LogsOfTheLargestPagesAreWrittenWhole) {
  // 64 KiB pages, SQLite's largest: each frame reaches the gathering bound
  // alone, and what is gathered before one stays within what the default VFS
  // writes in one call (the static_assert in wal_write_buffer.cc).
  std::string path = (dir_ / "large-pages.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kWalWriteBufferVfs), SQLITE_OK);
  exec(db, "PRAGMA page_size=65536; PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER, payload BLOB);"
           "BEGIN; INSERT INTO t VALUES (1, zeroblob(300000)); INSERT INTO t VALUES (2, zeroblob(300000)); COMMIT;");
  sqlite3* plain = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &plain, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(plain, "SELECT sum(length(payload)) FROM t", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), 600000);
  sqlite3_finalize(stmt);
  sqlite3_close(plain);
  sqlite3_close(db);
}

TEST_F(WalWriteBufferTest, AWriteThatFailsFailsTheCommit) {
  exec(writer_, "BEGIN");
  ASSERT_EQ(insert(1, 3, 100), SQLITE_DONE);
  exec(writer_, "COMMIT");
  ASSERT_EQ(seen(), std::make_pair(3LL, 6LL));

  // The log may not grow past 16 KiB more than it is: a commit of 200 KiB
  // fails when its gathered frames are written (EFBIG, as a full disk gives
  // ENOSPC), not later and not silently.
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto previous_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = fs::file_size(path_ + "-wal") + 16384;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  exec(writer_, "BEGIN");
  int inserted = insert(10, 50, 4000);
  int committed = inserted == SQLITE_DONE ? sqlite3_exec(writer_, "COMMIT", nullptr, nullptr, nullptr) : inserted;
  std::string message = sqlite3_errmsg(writer_);
  if (sqlite3_get_autocommit(writer_) == 0) sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
  signal(SIGXFSZ, previous_handler);

  EXPECT_NE(committed, SQLITE_OK) << "the commit succeeded although its frames could not be written";
  EXPECT_TRUE((committed & 0xff) == SQLITE_FULL || (committed & 0xff) == SQLITE_IOERR) << committed << " " << message;
  EXPECT_EQ(seen(), std::make_pair(3LL, 6LL));

  // With room again, the next commit goes through.
  exec(writer_, "BEGIN");
  ASSERT_EQ(insert(100, 2, 4000), SQLITE_DONE);
  exec(writer_, "COMMIT");
  EXPECT_EQ(seen(), std::make_pair(5LL, 6LL + 100 + 101));
}

}  // namespace
}  // namespace relance::collector

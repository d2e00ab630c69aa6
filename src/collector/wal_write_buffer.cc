#include "collector/wal_write_buffer.h"

#include <sqlite3.h>

#include <new>
#include <vector>

namespace relance::collector {
namespace {

// The WAL format's frame header: page number, then the database size in
// pages after the commit for a transaction's last frame (0 for the others),
// then salts and checksums. https://www.sqlite.org/fileformat2.html#walformat
constexpr int kFrameHeaderBytes = 24;

// The longest write the default VFS makes in one call (see kWalWriteBufferBytes).
// Gathered writes are written once they reach kWalWriteBufferBytes, so before
// a write less than that is gathered, and SQLite writes at most one page (64
// KiB at the largest page size) at a time: what is written stays within it.
constexpr std::size_t kLongestWrite = 0x1ffff;
constexpr std::size_t kLargestPage = 65536;
static_assert((kWalWriteBufferBytes - 1) + kLargestPage <= kLongestWrite,
              "a gathered write could pass what the default VFS writes in one call");

sqlite3_vfs* realVfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

// A write-ahead log opened through this VFS. The default VFS's own file
// object follows it in the memory SQLite gives xOpen (szOsFile covers both).
struct WalFile {
  sqlite3_file base;                // first: SQLite sees a WalFile as a sqlite3_file
  sqlite3_file* real = nullptr;     // the default VFS's file
  std::vector<char> gathered;       // contiguous writes not yet in the file
  sqlite3_int64 gathered_at = 0;    // their offset in the file
  bool commit_page_next = false;    // the last write was a commit frame's header
};

WalFile* walFile(sqlite3_file* file) { return reinterpret_cast<WalFile*>(file); }

// Writes what was gathered, as one call. Nothing is gathered afterwards, even
// when the write failed: SQLite then rolls the transaction back, and frames
// past the last commit are never read.
int writeGathered(WalFile* wal) {
  if (wal->gathered.empty()) return SQLITE_OK;
  int rc = wal->real->pMethods->xWrite(wal->real, wal->gathered.data(), static_cast<int>(wal->gathered.size()),
                                       wal->gathered_at);
  wal->gathered.clear();
  return rc;
}

int walWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* wal = walFile(file);
  bool follows = offset == wal->gathered_at + static_cast<sqlite3_int64>(wal->gathered.size());
  if (!wal->gathered.empty() && !follows) {
    if (int rc = writeGathered(wal); rc != SQLITE_OK) return rc;
  }
  if (wal->gathered.empty()) wal->gathered_at = offset;
  const char* bytes = static_cast<const char*>(data);
  wal->gathered.insert(wal->gathered.end(), bytes, bytes + amount);
  // SQLite writes a frame as its header then its page: after a commit frame's
  // header comes the transaction's last write.
  bool ends_commit = wal->commit_page_next;
  wal->commit_page_next = amount == kFrameHeaderBytes && (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
  if (ends_commit || wal->gathered.size() >= kWalWriteBufferBytes) return writeGathered(wal);
  return SQLITE_OK;
}

int walClose(sqlite3_file* file) {
  WalFile* wal = walFile(file);
  int rc = writeGathered(wal);
  int closed = wal->real->pMethods->xClose(wal->real);
  wal->~WalFile();
  return rc != SQLITE_OK ? rc : closed;
}

// Every other operation sees the file with all its writes: gathered writes go
// first, and a failure to write them is that operation's failure.
template <typename Method, typename... Args>
int afterGathered(sqlite3_file* file, Method sqlite3_io_methods::*method, Args... args) {
  WalFile* wal = walFile(file);
  if (int rc = writeGathered(wal); rc != SQLITE_OK) return rc;
  return (wal->real->pMethods->*method)(wal->real, args...);
}

int walRead(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  return afterGathered(file, &sqlite3_io_methods::xRead, data, amount, offset);
}
int walTruncate(sqlite3_file* file, sqlite3_int64 size) {
  return afterGathered(file, &sqlite3_io_methods::xTruncate, size);
}
int walSync(sqlite3_file* file, int flags) { return afterGathered(file, &sqlite3_io_methods::xSync, flags); }
int walFileSize(sqlite3_file* file, sqlite3_int64* size) {
  return afterGathered(file, &sqlite3_io_methods::xFileSize, size);
}
int walLock(sqlite3_file* file, int level) { return afterGathered(file, &sqlite3_io_methods::xLock, level); }
int walUnlock(sqlite3_file* file, int level) { return afterGathered(file, &sqlite3_io_methods::xUnlock, level); }
int walCheckReservedLock(sqlite3_file* file, int* out) {
  return afterGathered(file, &sqlite3_io_methods::xCheckReservedLock, out);
}
int walFileControl(sqlite3_file* file, int op, void* arg) {
  return afterGathered(file, &sqlite3_io_methods::xFileControl, op, arg);
}

// Questions about the device, not the file's content: no write needed.
int walSectorSize(sqlite3_file* file) { return walFile(file)->real->pMethods->xSectorSize(walFile(file)->real); }
int walDeviceCharacteristics(sqlite3_file* file) {
  return walFile(file)->real->pMethods->xDeviceCharacteristics(walFile(file)->real);
}

// Version 1: a log file has no shared memory and is never memory-mapped.
sqlite3_io_methods makeWalMethods() {
  sqlite3_io_methods methods{};
  methods.iVersion = 1;
  methods.xClose = walClose;
  methods.xRead = walRead;
  methods.xWrite = walWrite;
  methods.xTruncate = walTruncate;
  methods.xSync = walSync;
  methods.xFileSize = walFileSize;
  methods.xLock = walLock;
  methods.xUnlock = walUnlock;
  methods.xCheckReservedLock = walCheckReservedLock;
  methods.xFileControl = walFileControl;
  methods.xSectorSize = walSectorSize;
  methods.xDeviceCharacteristics = walDeviceCharacteristics;
  return methods;
}
const sqlite3_io_methods kWalMethods = makeWalMethods();

int vfsOpen(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* real = realVfs(vfs);
  // Every other file is the default VFS's own, with its own methods.
  if ((flags & SQLITE_OPEN_WAL) == 0) return real->xOpen(real, name, file, flags, out_flags);
  WalFile* wal = new (file) WalFile;
  wal->base.pMethods = nullptr;  // until the log is open: SQLite closes only files with methods
  wal->real = reinterpret_cast<sqlite3_file*>(wal + 1);
  int rc = real->xOpen(real, name, wal->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (wal->real->pMethods) wal->real->pMethods->xClose(wal->real);
    wal->~WalFile();
    file->pMethods = nullptr;
    return rc;
  }
  wal->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

// The rest of the VFS is the default one's, called with the default VFS
// (its methods read their own pAppData).
int vfsDelete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return realVfs(vfs)->xDelete(realVfs(vfs), name, sync_dir);
}
int vfsAccess(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return realVfs(vfs)->xAccess(realVfs(vfs), name, flags, out);
}
int vfsFullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return realVfs(vfs)->xFullPathname(realVfs(vfs), name, size, out);
}
void* vfsDlOpen(sqlite3_vfs* vfs, const char* name) { return realVfs(vfs)->xDlOpen(realVfs(vfs), name); }
void vfsDlError(sqlite3_vfs* vfs, int size, char* out) { realVfs(vfs)->xDlError(realVfs(vfs), size, out); }
void (*vfsDlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return realVfs(vfs)->xDlSym(realVfs(vfs), handle, symbol);
}
void vfsDlClose(sqlite3_vfs* vfs, void* handle) { realVfs(vfs)->xDlClose(realVfs(vfs), handle); }
int vfsRandomness(sqlite3_vfs* vfs, int size, char* out) { return realVfs(vfs)->xRandomness(realVfs(vfs), size, out); }
int vfsSleep(sqlite3_vfs* vfs, int microseconds) { return realVfs(vfs)->xSleep(realVfs(vfs), microseconds); }
int vfsCurrentTime(sqlite3_vfs* vfs, double* out) { return realVfs(vfs)->xCurrentTime(realVfs(vfs), out); }
int vfsGetLastError(sqlite3_vfs* vfs, int size, char* out) {
  return realVfs(vfs)->xGetLastError(realVfs(vfs), size, out);
}
int vfsCurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return realVfs(vfs)->xCurrentTimeInt64(realVfs(vfs), out);
}

int registerOnce() {
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (!real || real->iVersion < 2) return SQLITE_ERROR;
  static sqlite3_vfs vfs{};
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + real->szOsFile;
  vfs.mxPathname = real->mxPathname;
  vfs.zName = kWalWriteBufferVfs;
  vfs.pAppData = real;
  vfs.xOpen = vfsOpen;
  vfs.xDelete = vfsDelete;
  vfs.xAccess = vfsAccess;
  vfs.xFullPathname = vfsFullPathname;
  vfs.xDlOpen = vfsDlOpen;
  vfs.xDlError = vfsDlError;
  vfs.xDlSym = vfsDlSym;
  vfs.xDlClose = vfsDlClose;
  vfs.xRandomness = vfsRandomness;
  vfs.xSleep = vfsSleep;
  vfs.xCurrentTime = vfsCurrentTime;
  vfs.xGetLastError = vfsGetLastError;
  vfs.xCurrentTimeInt64 = vfsCurrentTimeInt64;
  return sqlite3_vfs_register(&vfs, 0);
}

}  // namespace

int registerWalWriteBufferVfs() {
  static const int rc = registerOnce();
  return rc;
}

}  // namespace relance::collector

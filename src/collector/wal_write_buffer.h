#pragma once

// A SQLite VFS that writes each transaction's write-ahead-log frames with one
// pwrite instead of two per page.
//
// Why: SQLite writes every WAL frame as two calls, its 24-byte header then the
// page. In the collector each write is a trip through the kernel's page-cache
// write path (ext4: write_begin, copy, write_end, mark dirty), and the 24-byte
// headers cost nearly as much as the pages: pwrite was about 37% of the store
// writer's CPU, a tenth of the whole collector's (perf, session 6).
//
// How: the VFS wraps the default one. Files other than write-ahead logs are
// the default VFS's own. A log's contiguous writes are gathered in memory and
// written as one call:
//  - at the end of a transaction's commit frame (a frame header whose "database
//    size after commit" field is not zero, as the WAL format defines): the
//    commit returns only once its frames are in the file, and a failed write
//    (a full disk, a file size limit) fails the commit, as it would without
//    this VFS;
//  - before any other operation on the log (read, sync, size, truncate, close,
//    lock, file control), so SQLite never sees the file without its writes;
//  - when a write is not contiguous with the gathered ones, or when they reach
//    kWalWriteBufferBytes (a large commit, or a transaction spilling pages).
// Nothing stays gathered once a commit has returned, so a killed process loses
// nothing it acknowledged, and other connections (another thread's, export's)
// read committed frames only, which are in the file.

#include <cstddef>

namespace relance::collector {

// The VFS's name, for sqlite3_open_v2's zVfs argument.
inline constexpr const char* kWalWriteBufferVfs = "relance-wal-buffer";

// Bytes a log's gathered writes may reach before they are written anyway.
// Gathered writes also stay under 128 KiB: the default VFS writes at most
// 128 KiB - 1 bytes per call (its seekAndWriteFd masks the length with
// 0x1ffff), and reports a longer write as a full disk.
inline constexpr std::size_t kWalWriteBufferBytes = 64 * 1024;

// Registers the VFS (once; later calls do nothing). Returns SQLite's result
// code: SQLITE_OK, or an error when there is no default VFS to wrap.
int registerWalWriteBufferVfs();

}  // namespace relance::collector

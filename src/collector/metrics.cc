#include "collector/metrics.h"

#include <charconv>
#include <sstream>

namespace relance::collector {
namespace {

// A sum of seconds, with every digit it has: the stream's default (six
// significant digits) printed 123456.789 as 123457, so past about a day of
// commit time rate() of the sum moved in whole seconds, then tens.
std::string seconds(double value) {
  char text[32];
  auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

}  // namespace

void Metrics::countRequest(const std::string& route, int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
}

void Metrics::countEvents(std::size_t accepted, std::size_t duplicates, std::size_t rejected, std::size_t dropped) {
  accepted_ += accepted;
  duplicates_ += duplicates;
  rejected_ += rejected;
  dropped_ += dropped;
}

void Metrics::observeCommit(double seconds, std::size_t batches) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::size_t i = 0; i < kCommitBuckets.size(); ++i) {
    if (seconds <= kCommitBuckets[i]) ++commit_buckets_[i];
  }
  ++commit_count_;
  commit_sum_ += seconds;
  commit_batches_ += batches;
}

std::string Metrics::render(const StoreFigures& store) const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mutex_);
  out << "# HELP relance_http_requests_total HTTP requests answered, by route and status.\n"
      << "# TYPE relance_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out << "relance_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << count
        << "\n";
  }
  out << "# HELP relance_events_total Events received, by outcome.\n"
      << "# TYPE relance_events_total counter\n"
      << "relance_events_total{outcome=\"accepted\"} " << accepted_.load() << "\n"
      << "relance_events_total{outcome=\"duplicate\"} " << duplicates_.load() << "\n"
      << "relance_events_total{outcome=\"rejected\"} " << rejected_.load() << "\n"
      << "relance_events_total{outcome=\"dropped_bot\"} " << dropped_.load() << "\n";
  out << "# HELP relance_store_commit_seconds Duration of one group commit.\n"
      << "# TYPE relance_store_commit_seconds histogram\n";
  for (std::size_t i = 0; i < kCommitBuckets.size(); ++i) {
    out << "relance_store_commit_seconds_bucket{le=\"" << kCommitBuckets[i] << "\"} " << commit_buckets_[i] << "\n";
  }
  out << "relance_store_commit_seconds_bucket{le=\"+Inf\"} " << commit_count_ << "\n"
      << "relance_store_commit_seconds_sum " << seconds(commit_sum_) << "\n"
      << "relance_store_commit_seconds_count " << commit_count_ << "\n";
  out << "# HELP relance_store_commit_requests_total Requests carried by group commits.\n"
      << "# TYPE relance_store_commit_requests_total counter\n"
      << "relance_store_commit_requests_total " << commit_batches_ << "\n";
  out << "# HELP relance_store_queue_rows Rows waiting for the store writer.\n"
      << "# TYPE relance_store_queue_rows gauge\n"
      << "relance_store_queue_rows " << store.queue_rows << "\n";
  out << "# HELP relance_store_checkpoints_total WAL checkpoints done (copies of the log into the database file).\n"
      << "# TYPE relance_store_checkpoints_total counter\n"
      << "relance_store_checkpoints_total " << store.checkpoints << "\n";
  out << "# HELP relance_store_wal_restart_pause_seconds Time the writer spent in its own checkpoints, which let"
         " the WAL start again from its beginning (requests queued meanwhile wait; idle ones hold none).\n"
      << "# TYPE relance_store_wal_restart_pause_seconds summary\n"
      << "relance_store_wal_restart_pause_seconds_sum " << seconds(store.writer_checkpoint_seconds) << "\n"
      << "relance_store_wal_restart_pause_seconds_count " << store.writer_checkpoints << "\n";
  out << "# HELP relance_store_wal_frames Frames in the WAL since it last started from its beginning.\n"
      << "# TYPE relance_store_wal_frames gauge\n"
      << "relance_store_wal_frames " << store.log_frames << "\n";
  out << "# HELP relance_store_wal_uncopied_frames Frames of the WAL not yet copied into the database file.\n"
      << "# TYPE relance_store_wal_uncopied_frames gauge\n"
      << "relance_store_wal_uncopied_frames " << store.uncopied_frames << "\n";
  out << "# HELP relance_ready 1 when the store is writable.\n"
      << "# TYPE relance_ready gauge\n"
      << "relance_ready " << (store.ready ? 1 : 0) << "\n";
  for (const auto& section : sections_) out << section();
  return out.str();
}

}  // namespace relance::collector

#include "collector/forwarder.h"

#include <pthread.h>

#include <random>
#include <sstream>

#include "collector/clock.h"
#include "collector/delivery_policy.h"
#include "collector/destination_feed.h"
#include "collector/log.h"
#include "collector/webhook_client.h"
#include "collector/webhook_signature.h"

namespace relance::collector {
namespace {

// Stored events a lane looks at per read, at most (see DestinationFeed::next).
constexpr std::size_t kScanLimit = 2000;
// The least time between two looks at the feed of an idle lane.
constexpr std::chrono::milliseconds kIdlePollGap{50};

// The delivery body: {"events": [...]} or {"optins": [...]}, each row the
// JSON text stored. Receivers tell the two streams apart by the key.
std::string batchBody(Stream stream, const std::vector<FeedEvent>& events) {
  std::size_t size = 16;
  for (const auto& event : events) size += event.body.size() + 1;
  std::string body;
  body.reserve(size);
  body += "{\"";
  body += streamName(stream);
  body += "\":[";
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i) body += ',';
    body += events[i].body;
  }
  body += "]}";
  return body;
}

}  // namespace

// One stream of one destination: its own thread, connection, client and
// cursor, so that a failing stream holds back no other.
struct Forwarder::Lane {
  Lane(Destination d, Stream s, const std::string& ca_file)
      : destination(std::move(d)),
        stream(s),
        key(cursorKey(destination.id, s)),
        types(s == Stream::kEvents ? destination.events : std::vector<std::string>{"*"}),
        client(ca_file) {}
  Destination destination;
  Stream stream;
  std::string key;                 // of its cursor and dead letters
  std::vector<std::string> types;  // the event types read; every opt-in
  // What log lines and metrics say of the lane: never a row's content.
  Json fields(Json more = Json::object()) const {
    more["destination"] = destination.id;
    more["stream"] = streamName(stream);
    return more;
  }
  std::string labels() const {
    return "destination=\"" + destination.id + "\",stream=\"" + streamName(stream) + "\"";
  }

  WebhookClient client;
  DestinationFeed feed;  // the lane's connection (opened by start(), then the lane's thread's)
  CursorState state;
  std::thread thread;
  // For /metrics, written by the lane's thread.
  std::atomic<std::uint64_t> delivered{0}, dead{0}, retries{0};
  std::atomic<std::int64_t> lag_events{0}, oldest_waiting_ms{0};
  std::atomic<bool> failing{false};
};

Forwarder::Forwarder(ForwarderOptions options, std::vector<Destination> destinations) : options_(std::move(options)) {
  for (auto& destination : destinations) {
    bool optins = destination.optins;
    lanes_.push_back(std::make_unique<Lane>(destination, Stream::kEvents, options_.ca_file));
    if (optins) lanes_.push_back(std::make_unique<Lane>(std::move(destination), Stream::kOptins, options_.ca_file));
  }
}

Forwarder::~Forwarder() { stop(); }

// Opens the lane's feed and loads its cursor; "" or why not.
std::string Forwarder::open(Lane& lane) {
  std::string error = lane.feed.open(options_.db_path, lane.stream);
  if (error.empty() && !lane.feed.load(lane.key, lane.state, error)) error = "cannot load the cursor: " + error;
  if (!error.empty()) return error;
  lane.failing = lane.state.attempts > 0;
  logLine("info", "destination started",
          lane.fields({{"delivered_seq", lane.state.delivered_seq}, {"failing_attempts", lane.state.attempts}}));
  return "";
}

void Forwarder::start() {
  // The cursors are loaded here, before the caller listens: a destination
  // seen for the first time starts at the end of the feed, and an event
  // acknowledged before that start would never be forwarded.
  for (auto& lane : lanes_) {
    if (std::string error = open(*lane); !error.empty()) {
      logLine("error", "destination feed unavailable", lane->fields({{"reason", error}}));
    }
  }
  for (auto& lane : lanes_) {
    Lane* raw = lane.get();
    raw->thread = std::thread([this, raw] { run(*raw); });
    // "dest:<id>" (events) or "optin:<id>" in top -H and /proc/<pid>/task/*/comm (15 bytes at most).
    std::string name = (raw->stream == Stream::kEvents ? "dest:" : "optin:") + raw->destination.id;
    pthread_setname_np(raw->thread.native_handle(), name.substr(0, 15).c_str());
  }
}

void Forwarder::notify() {
  ++generation_;
  if (commit_waiters_.load() == 0) return;
  // A lane that counted itself a waiter before the increment above either
  // saw the new generation or is waiting: the lock is free only once it waits.
  { std::lock_guard<std::mutex> lock(mutex_); }
  committed_.notify_all();
}

void Forwarder::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  committed_.notify_all();
  stopped_.notify_all();
  for (auto& lane : lanes_) lane->client.cancel();
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
  }
}

void Forwarder::run(Lane& lane) {
  const Destination& destination = lane.destination;
  const std::string& key = lane.key;
  auto fields = [&lane](Json more) { return lane.fields(std::move(more)); };
  DestinationFeed& feed = lane.feed;
  CursorState& state = lane.state;
  std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::string last_problem;  // logged once until it changes
  auto problem = [&](const std::string& text) {
    if (text == last_problem) return;
    last_problem = text;
    logLine("error", "destination feed unavailable", fields({{"reason", text}}));
  };
  // Waits `delay`, or until stop(). False when stopping.
  auto wait = [&](std::chrono::milliseconds delay) {
    std::unique_lock<std::mutex> lock(mutex_);
    stopped_.wait_for(lock, delay, [&] { return stopping_; });
    return !stopping_;
  };
  // Waits until a notify() after `seen` (a generation), `delay`, or stop().
  auto waitForCommit = [&](std::uint64_t seen, std::chrono::milliseconds delay) {
    std::unique_lock<std::mutex> lock(mutex_);
    ++commit_waiters_;
    committed_.wait_for(lock, delay, [&] { return stopping_ || generation_.load() != seen; });
    --commit_waiters_;
    return !stopping_;
  };
  auto stopping = [&] {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
  };
  std::int64_t lag_measured_at = 0;
  std::int64_t skipped_saved_at = 0;
  auto measureLag = [&](std::int64_t now) {
    FeedLag lag = feed.lag(state.delivered_seq, lane.types);
    lane.lag_events = lag.events;
    lane.oldest_waiting_ms = lag.oldest_received_at;
    lag_measured_at = now;
  };

  while (!stopping()) {
    if (!feed.isOpen()) {
      if (std::string error = open(lane); !error.empty()) {
        problem(error);
        if (!wait(std::chrono::seconds(1))) break;
        continue;
      }
      last_problem.clear();
    }

    std::uint64_t seen = generation_.load();  // commits notified before this look at the feed
    // The requeued dead letters first (`relance-collector destinations retry`), then the feed.
    std::string error;
    std::vector<FeedEvent> batch = feed.requeued(key, destination.batch_size, error);
    bool from_dead_letters = !batch.empty();
    // The seq the cursor moves to once `batch` is delivered (or dead-lettered).
    std::int64_t through_seq = state.delivered_seq;
    bool more_waiting = false;
    if (!from_dead_letters && error.empty()) {
      DestinationFeed::Batch next =
          feed.next(state.delivered_seq, lane.types, destination.batch_size, kScanLimit, error);
      batch = std::move(next.events);
      through_seq = next.through_seq;
      more_waiting = next.scan_full;
    }

    // The lag, at most once a second while delivering (counting waiting
    // events is a scan), and at each attempt of a failing batch.
    std::int64_t now = wallClockMs();
    if (error.empty() && !batch.empty() && (now - lag_measured_at >= 1000 || state.attempts > 0)) measureLag(now);
    if (!error.empty()) {
      problem(error);
      if (!wait(std::chrono::seconds(1))) break;
      continue;
    }
    if (batch.empty()) {
      // Nothing this destination wants waits, as far as the lane looked.
      if (!more_waiting) {
        lane.lag_events = 0;
        lane.oldest_waiting_ms = 0;
      }
      if (through_seq > state.delivered_seq) {
        // Only events this destination does not want: passed over. Saved
        // at most once a second (a crash only makes the lane look at them
        // again).
        state.delivered_seq = through_seq;
        if (now - skipped_saved_at >= 1000 && feed.save(key, state)) skipped_saved_at = now;
        if (more_waiting) continue;
      } else {
        // Events erased at the end of the table while running: their seqs
        // would be reused by the next events (see load()).
        std::int64_t last = feed.lastSeq();
        if (last >= 0 && last < state.delivered_seq) {
          state.delivered_seq = last;
          feed.save(key, state);
        }
      }
      // Idle: woken by the next commit (or one since the look above), but
      // at most every kIdlePollGap, so that a busy store (thousands of
      // commits a second) does not make the lane query the database as
      // often.
      if (!wait(kIdlePollGap)) break;
      if (!waitForCommit(seen, options_.poll)) break;
      continue;
    }

    std::string body = batchBody(lane.stream, batch);
    std::int64_t sent_at = wallClockMs();
    Headers headers = {{"User-Agent", options_.user_agent},
                       {"Relance-Signature", webhookSignature(destination.secret, sent_at / 1000, body)},
                       {"Relance-Destination", destination.id}};
    WebhookResult answer =
        lane.client.post(destination.parsed, headers, body, destination.connect_timeout, destination.timeout);
    if (stopping()) break;  // a cut post changes nothing: it is sent again after a restart
    DeliveryOutcome outcome = classifyAnswer(answer);
    now = wallClockMs();

    if (outcome == DeliveryOutcome::kDelivered) {
      bool was_failing = state.attempts > 0;
      if (!from_dead_letters) state.delivered_seq = through_seq;
      state.clearFailure();
      // A failed write here sends the batch again: at least once.
      bool saved = from_dead_letters ? feed.forget(key, batch) && feed.save(key, state)
                                     : feed.save(key, state);
      if (!saved) problem("cannot save the cursor");
      lane.delivered += batch.size();
      lane.failing = false;
      if (was_failing) logLine("info", "destination recovered", lane.fields());
      continue;
    }

    ++state.attempts;
    if (state.failing_since == 0) state.failing_since = sent_at;
    state.last_error = describeFailure(answer);
    lane.failing = true;
    if (outcome == DeliveryOutcome::kRefused ||
        shouldGiveUp(destination.retry, state.attempts, state.failing_since, now)) {
      CursorState after = state;
      if (!from_dead_letters) after.delivered_seq = through_seq;
      after.clearFailure();
      std::string reason = state.last_error;
      if (!answer.body_start.empty()) reason += ": " + answer.body_start;
      if (feed.deadLetter(key, batch, state.attempts, answer.status, reason, now, after)) {
        logLine("warn", "destination batch dead-lettered",
                fields({{"events", batch.size()}, {"attempts", state.attempts}, {"status", answer.status},
                        {"refused", outcome == DeliveryOutcome::kRefused}}));
        lane.dead += batch.size();
        lane.failing = false;
        state = after;
      } else {
        problem("cannot write the dead letters");
        if (!wait(std::chrono::seconds(1))) break;
      }
      continue;
    }
    feed.save(key, state);
    measureLag(now);  // it grows during the backoff: shown as it is now
    ++lane.retries;
    auto delay = retryDelay(destination.retry, state.attempts, unit(random), answer.retry_after_seconds);
    logLine("warn", "destination delivery failed",
            fields({{"events", batch.size()}, {"attempt", state.attempts}, {"reason", state.last_error},
                    {"retry_in_ms", delay.count()}}));
    if (!wait(delay)) break;
  }
}

std::string Forwarder::renderMetrics() const {
  if (lanes_.empty()) return "";
  std::ostringstream out;
  std::int64_t now = wallClockMs();
  // Every series is labelled with the destination and the stream ("events" or "optins").
  auto series = [&out, this](const char* name, const char* type, const char* help, auto value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
    for (const auto& lane : lanes_) value(name, lane->labels(), *lane);
  };
  series("relance_destination_events_total", "counter",
         "Rows (events, or opt-ins for stream=\"optins\") forwarded to a destination, by outcome (delivered: a 2xx"
         " answer; dead: given up, kept as dead letters).",
         [&out](const char* name, const std::string& labels, const Lane& lane) {
           out << name << "{" << labels << ",outcome=\"delivered\"} " << lane.delivered.load() << "\n"
               << name << "{" << labels << ",outcome=\"dead\"} " << lane.dead.load() << "\n";
         });
  series("relance_destination_retries_total", "counter",
         "Failed deliveries that will be tried again after a backoff.",
         [&out](const char* name, const std::string& labels, const Lane& lane) {
           out << name << "{" << labels << "} " << lane.retries.load() << "\n";
         });
  series("relance_destination_lag_events", "gauge", "Stored rows not yet delivered to a destination.",
         [&out](const char* name, const std::string& labels, const Lane& lane) {
           out << name << "{" << labels << "} " << lane.lag_events.load() << "\n";
         });
  series("relance_destination_lag_seconds", "gauge",
         "Age of the oldest stored row not yet delivered (0 when none).",
         [&out, now](const char* name, const std::string& labels, const Lane& lane) {
           std::int64_t oldest = lane.oldest_waiting_ms.load();
           double lag = lane.lag_events.load() > 0 && oldest > 0 ? static_cast<double>(now - oldest) / 1000.0 : 0.0;
           out << name << "{" << labels << "} " << lag << "\n";
         });
  series("relance_destination_failing", "gauge", "1 while a destination's current batch is failing.",
         [&out](const char* name, const std::string& labels, const Lane& lane) {
           out << name << "{" << labels << "} " << (lane.failing.load() ? 1 : 0) << "\n";
         });
  return out.str();
}

}  // namespace relance::collector

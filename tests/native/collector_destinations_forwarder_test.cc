// The forwarder against a receiver on 127.0.0.1 that answers as told: order,
// signature, cursor resumption, retries, dead letters, isolation of a
// destination that is down, prompt stop. Every wait is bounded.
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "collector/destination_feed.h"
#include "collector/event_store.h"
#include "collector/forwarder.h"
#include "collector/webhook_signature.h"
#include "core/json.h"

namespace relance::collector {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* kSecret = "whsec_test_0123456789abcdef";

// A webhook receiver: answers each POST with the next status of its script
// (then `fallback`), records what it received.
class Receiver {
 public:
  struct Delivery {
    std::string body;
    std::string signature;
    std::string user_agent;
    std::chrono::steady_clock::time_point at;
  };

  Receiver() : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Receiver() {
    io_.stop();
    thread_.join();
  }

  unsigned short port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  // The status of every opt-in delivery ({"optins": ...}; 0: as scripted).
  void optinStatus(int status) {
    std::lock_guard<std::mutex> lock(mutex_);
    optin_status_ = status;
  }
  void script(std::deque<int> statuses, int fallback = 200, std::string retry_after = "") {
    std::lock_guard<std::mutex> lock(mutex_);
    statuses_ = std::move(statuses);
    fallback_ = fallback;
    retry_after_ = std::move(retry_after);
  }
  std::vector<Delivery> deliveries() {
    std::lock_guard<std::mutex> lock(mutex_);
    return deliveries_;
  }
  // The ids of the events received, in order, from answered deliveries (2xx) only.
  std::vector<std::string> acceptedIds() {
    std::lock_guard<std::mutex> lock(mutex_);
    return accepted_ids_;
  }
  // The same for the opt-ins.
  std::vector<std::string> acceptedOptinIds() {
    std::lock_guard<std::mutex> lock(mutex_);
    return accepted_optin_ids_;
  }

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
      if (error) return;
      serve(std::move(socket));
      accept();
    });
  }
  // Synchronous, on the receiver's thread, with a receive timeout on the socket.
  void serve(tcp::socket socket) {
    timeval timeout{5, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::error_code error;
    http::read(socket, buffer, request, error);
    if (error) return;
    int status;
    std::string retry_after;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status = fallback_;
      bool optins = request.body().rfind("{\"optins\":", 0) == 0;
      if (optins && optin_status_ != 0) {
        status = optin_status_;
      } else if (!statuses_.empty()) {
        status = statuses_.front();
        statuses_.pop_front();
      }
      retry_after = retry_after_;
      deliveries_.push_back({request.body(), std::string(request["Relance-Signature"]),
                             std::string(request[http::field::user_agent]), std::chrono::steady_clock::now()});
      if (status >= 200 && status < 300) {
        ParsedJson parsed = parseJson(request.body());
        if (parsed.ok) {
          auto& ids = optins ? accepted_optin_ids_ : accepted_ids_;
          for (const auto& row : parsed.value[optins ? "optins" : "events"]) ids.push_back(row["id"].get<std::string>());
        }
      }
    }
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, "application/json");
    if (!retry_after.empty()) response.set(http::field::retry_after, retry_after);
    response.body() = status >= 400 ? "{\"error\":\"refused by the test\"}" : "{\"ok\":true}";
    response.prepare_payload();
    http::write(socket, response, error);
    socket.shutdown(tcp::socket::shutdown_both, error);
  }

  net::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::deque<int> statuses_;
  int fallback_ = 200;
  std::string retry_after_;
  std::vector<Delivery> deliveries_;
  std::vector<std::string> accepted_ids_;
  std::vector<std::string> accepted_optin_ids_;
  int optin_status_ = 0;
};

// Polls `condition` every 10 ms for at most `limit`.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

class ForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("relance-forwarder-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "events.db").string();
    StoreOptions options;
    options.path = path_;
    store_ = std::make_unique<EventStore>(options);
    store_->start();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  Destination destination(const std::string& id, const std::string& url) {
    Destination d;
    d.id = id;
    d.url = url;
    parseWebhookUrl(url, d.parsed);
    d.events = defaultDestinationEvents();
    d.secret = kSecret;
    d.batch_size = 10;
    d.connect_timeout = 2s;
    d.timeout = 5s;
    d.retry.min_delay = 20ms;
    d.retry.max_delay = 80ms;
    return d;
  }

  std::unique_ptr<Forwarder> forwarder(std::vector<Destination> destinations) {
    ForwarderOptions options;
    options.db_path = path_;
    options.user_agent = "relance-collector/test";
    options.poll = 20ms;
    auto f = std::make_unique<Forwarder>(options, std::move(destinations));
    f->start();
    return f;
  }

  // Stores `count` rows with ids prefix-0.. (`add` puts each in the batch), committed when it returns.
  std::vector<std::string> commitRows(const std::string& prefix, int count,
                                      const std::function<void(WriteBatch&, const std::string&)>& add) {
    WriteBatch batch;
    batch.received_at = 1700000000000;
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      ids.push_back(prefix + "-" + std::to_string(i));
      add(batch, ids.back());
    }
    std::promise<bool> done;
    auto future = done.get_future();
    EXPECT_TRUE(store_->submit(std::move(batch), [&done](const WriteResult& r) { done.set_value(r.ok); }));
    EXPECT_EQ(future.wait_for(10s), std::future_status::ready);
    EXPECT_TRUE(future.get());
    return ids;
  }

  // Stores events of `type`.
  std::vector<std::string> store(const std::string& prefix, int count, const std::string& type = "purchase") {
    return commitRows(prefix, count, [&type](WriteBatch& batch, const std::string& id) {
      batch.events.push_back(
          StoredEvent{id, type, 1700000000000, "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"ts\":1700000000000}"});
    });
  }

  // Stores opt-ins, each with a contact.
  std::vector<std::string> storeOptins(const std::string& prefix, int count) {
    return commitRows(prefix, count, [](WriteBatch& batch, const std::string& id) {
      batch.optins.push_back(StoredOptin{id, "{\"id\":\"" + id + "\",\"offer_id\":\"welcome\",\"email\":\"" + id +
                                                 "@example.com\",\"consent\":{\"checked\":true}}"});
    });
  }

  std::string deadLetters(const std::string& id = "") {
    std::ostringstream out;
    EXPECT_EQ(printDeadLetters(path_, id, out), "");
    return out.str();
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(ForwarderTest, DeliversTheWantedEventsOnceInOrderSigned) {
  Receiver receiver;
  auto f = forwarder({destination("crm", receiver.url())});
  // The destination starts at the end of the feed, set by start(): what is stored from now on goes.
  std::vector<std::string> expected = store("a", 4);
  store("views", 3, "page_view");  // not a marketing event: not forwarded
  auto more = store("b", 12, "cart_abandoned");
  expected.insert(expected.end(), more.begin(), more.end());
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() >= expected.size(); }));
  EXPECT_EQ(receiver.acceptedIds(), expected);
  for (const auto& delivery : receiver.deliveries()) {
    // t=<seconds>,v1=<hmac of "t.body">
    std::string t = delivery.signature.substr(2, delivery.signature.find(',') - 2);
    EXPECT_EQ(delivery.signature, webhookSignature(kSecret, std::stoll(t), delivery.body));
    EXPECT_EQ(delivery.user_agent, "relance-collector/test");
    ParsedJson parsed = parseJson(delivery.body);
    ASSERT_TRUE(parsed.ok);
    EXPECT_LE(parsed.value["events"].size(), 10u);  // batch_size
  }
  // The receiver has the events before the forwarder has its answer: the counters follow.
  EXPECT_TRUE(eventually([&] {
    return f->renderMetrics().find("relance_destination_events_total{destination=\"crm\",stream=\"events\",outcome=\"delivered\"} 16") !=
           std::string::npos;
  })) << f->renderMetrics();
}

TEST_F(ForwarderTest, EventsNotWantedArePassedOver) {
  Receiver receiver;
  auto f = forwarder({destination("crm", receiver.url())});
  store("views", 2500, "page_view");  // more than a lane looks at per read
  auto wanted = store("a", 1);
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 1; }));
  EXPECT_EQ(receiver.acceptedIds(), wanted);
  // Stopped once the forwarder has the answer (a post cut by stop() leaves the cursor before it).
  ASSERT_TRUE(eventually([&] { return f->renderMetrics().find("outcome=\"delivered\"} 1") != std::string::npos; }));
  f.reset();
  // The cursor is past every event: a restart sends nothing again.
  std::ostringstream states;
  ASSERT_EQ(printDestinationStates(path_, states), "");
  EXPECT_NE(states.str().find("crm                 events  2501          0 "), std::string::npos) << states.str();
}

TEST_F(ForwarderTest, ARestartResumesAfterTheLastDelivery) {
  Receiver receiver;
  {
    auto f = forwarder({destination("crm", receiver.url())});
    store("first", 3);
    f->notify();
    ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 3; }));
    ASSERT_TRUE(eventually([&] { return f->renderMetrics().find("outcome=\"delivered\"} 3") != std::string::npos; }));
  }
  auto later = store("second", 2);  // stored while the forwarder was stopped
  auto f = forwarder({destination("crm", receiver.url())});
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 5; }));
  std::vector<std::string> ids = receiver.acceptedIds();
  EXPECT_EQ(std::vector<std::string>(ids.begin() + 3, ids.end()), later);
  // A destination added now starts at the end: it gets nothing of the past.
  Receiver other;
  auto g = forwarder({destination("mail", other.url())});
  auto newest = store("third", 1);
  g->notify();
  ASSERT_TRUE(eventually([&] { return other.acceptedIds().size() == 1; }));
  EXPECT_EQ(other.acceptedIds(), newest);
}

TEST_F(ForwarderTest, ServerErrorsAreRetriedThenDelivered) {
  Receiver receiver;
  receiver.script({500, 503, 429});
  auto f = forwarder({destination("crm", receiver.url())});
  auto ids = store("a", 2);
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 2; }));
  EXPECT_EQ(receiver.acceptedIds(), ids);
  EXPECT_EQ(receiver.deliveries().size(), 4u);
  EXPECT_NE(f->renderMetrics().find("relance_destination_retries_total{destination=\"crm\",stream=\"events\"} 3"), std::string::npos);
  EXPECT_EQ(deadLetters(), "");
}

TEST_F(ForwarderTest, RetryAfterIsHonoured) {
  Receiver receiver;
  receiver.script({429}, 200, "1");
  auto f = forwarder({destination("crm", receiver.url())});
  store("a", 1);
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 1; }));
  auto deliveries = receiver.deliveries();
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_GE(deliveries[1].at - deliveries[0].at, 900ms);  // the backoff alone is 20 ms
}

TEST_F(ForwarderTest, ARefusedBatchIsDeadLetteredAtOnceAndCanBeSentAgain) {
  Receiver receiver;
  receiver.script({400});
  auto f = forwarder({destination("crm", receiver.url())});
  auto refused = store("refused", 2);
  f->notify();
  ASSERT_TRUE(eventually([&] { return !deadLetters().empty(); }));
  auto next = store("next", 1);
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 1; }));
  EXPECT_EQ(receiver.acceptedIds(), next);  // the refused batch does not block the feed
  std::string letters = deadLetters("crm");
  EXPECT_NE(letters.find("\"event_id\":\"refused-0\""), std::string::npos) << letters;
  EXPECT_NE(letters.find("\"status\":400"), std::string::npos);
  EXPECT_NE(letters.find("refused by the test"), std::string::npos);  // the answer's first bytes
  EXPECT_NE(letters.find("\"attempts\":1"), std::string::npos);

  std::int64_t count = 0;
  ASSERT_EQ(requeueDeadLetters(path_, "crm", count), "");
  EXPECT_EQ(count, 2);
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 3; }));
  auto ids = receiver.acceptedIds();
  EXPECT_EQ(std::vector<std::string>(ids.begin() + 1, ids.end()), refused);
  ASSERT_TRUE(eventually([&] { return deadLetters().empty(); }));
}

TEST_F(ForwarderTest, AFailingBatchIsGivenUpAfterItsAttemptsAndTime) {
  Receiver receiver;
  receiver.script({}, 503);
  Destination crm = destination("crm", receiver.url());
  crm.retry.give_up_after = 100ms;
  crm.retry.min_attempts = 4;
  auto f = forwarder({crm});
  store("doomed", 1);
  f->notify();
  ASSERT_TRUE(eventually([&] { return !deadLetters().empty(); }));
  std::string letters = deadLetters();
  EXPECT_NE(letters.find("\"status\":503"), std::string::npos) << letters;
  std::size_t attempts = receiver.deliveries().size();
  EXPECT_GE(attempts, 4u);
  EXPECT_TRUE(eventually([&] { return f->renderMetrics().find("outcome=\"dead\"} 1") != std::string::npos; }));
  std::ostringstream states;
  ASSERT_EQ(printDestinationStates(path_, states), "");
  EXPECT_NE(states.str().find("crm"), std::string::npos);
}

TEST_F(ForwarderTest, ADestinationThatIsDownHoldsBackNoOther) {
  Receiver receiver;
  // A port where nothing listens: a closed receiver's.
  std::string down_url;
  {
    Receiver gone;
    down_url = gone.url();
  }
  Destination down = destination("down", down_url);
  down.retry.min_delay = 60s;  // the lane then sleeps through the test
  down.retry.max_delay = 60s;
  auto f = forwarder({down, destination("crm", receiver.url())});
  auto ids = store("a", 3);
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 3; }));
  ASSERT_TRUE(eventually([&] { return f->renderMetrics().find("failing{destination=\"down\",stream=\"events\"} 1") != std::string::npos; }));
  // Stopping does not wait out the 60 s backoff.
  auto started = std::chrono::steady_clock::now();
  f->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  // The failed attempt is remembered, the cursor is not moved.
  std::ostringstream states;
  ASSERT_EQ(printDestinationStates(path_, states), "");
  EXPECT_NE(states.str().find("failing: 1 attempts"), std::string::npos) << states.str();
}

TEST_F(ForwarderTest, TheOptinFeedReadsOptinsAfterItsOwnCursor) {
  store("a", 5);  // the events' seqs run ahead of the opt-ins'
  auto ids = storeOptins("o", 3);
  DestinationFeed feed;
  ASSERT_EQ(feed.open(path_, Stream::kOptins), "");
  // A new destination starts at the end of the opt-in stream, not of the events.
  CursorState state;
  std::string error;
  ASSERT_TRUE(feed.load(cursorKey("crm", Stream::kOptins), state, error)) << error;
  EXPECT_EQ(state.delivered_seq, 3);
  DestinationFeed::Batch batch = feed.next(1, {"*"}, 10, 2000, error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.events[0].id, ids[1]);
  EXPECT_EQ(batch.events[1].id, ids[2]);
  EXPECT_NE(batch.events[1].body.find("\"email\":\"o-2@example.com\""), std::string::npos);
  EXPECT_EQ(batch.through_seq, 3);
  EXPECT_EQ(feed.lag(1, {"*"}).events, 2);
}

TEST_F(ForwarderTest, AFailingOptinBatchIsRetriedAndDeadLetteredWhileEventsFlow) {
  Receiver receiver;
  receiver.optinStatus(503);
  Destination crm = destination("crm", receiver.url());
  crm.retry.give_up_after = 100ms;
  crm.retry.min_attempts = 3;
  auto f = forwarder({crm});
  auto optins = storeOptins("o", 2);
  auto events = store("a", 3);
  f->notify();
  // The events go while the opt-ins fail: each stream has its own lane and cursor.
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 3; }));
  EXPECT_EQ(receiver.acceptedIds(), events);
  ASSERT_TRUE(eventually([&] { return !deadLetters().empty(); }));
  std::string letters = deadLetters("crm");
  EXPECT_NE(letters.find("\"stream\":\"optins\""), std::string::npos) << letters;
  EXPECT_NE(letters.find("\"event_id\":\"o-1\""), std::string::npos) << letters;
  EXPECT_NE(letters.find("\"status\":503"), std::string::npos);
  std::size_t optin_posts = 0;
  for (const auto& delivery : receiver.deliveries()) {
    if (delivery.body.rfind("{\"optins\":", 0) != 0) continue;
    ++optin_posts;
    std::string t = delivery.signature.substr(2, delivery.signature.find(',') - 2);
    EXPECT_EQ(delivery.signature, webhookSignature(kSecret, std::stoll(t), delivery.body));  // signed the same way
    EXPECT_NE(delivery.body.find("o-0@example.com"), std::string::npos);  // the contact, as stored
  }
  EXPECT_GE(optin_posts, 3u);  // retried before it was given up
  EXPECT_TRUE(eventually([&] {
    return f->renderMetrics().find("events_total{destination=\"crm\",stream=\"optins\",outcome=\"dead\"} 2") !=
           std::string::npos;
  })) << f->renderMetrics();
  std::ostringstream states;
  ASSERT_EQ(printDestinationStates(path_, states), "");
  EXPECT_NE(states.str().find("crm                 optins  2             0             2 "), std::string::npos)
      << states.str();

  // Sent again from the dead letters once the receiver takes them.
  receiver.optinStatus(200);
  std::int64_t count = 0;
  ASSERT_EQ(requeueDeadLetters(path_, "crm", count), "");
  EXPECT_EQ(count, 2);
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedOptinIds() == optins; }));
  ASSERT_TRUE(eventually([&] { return deadLetters().empty(); }));
}

TEST_F(ForwarderTest, ADestinationWithoutOptinsGetsNone) {
  Receiver receiver;
  Destination crm = destination("crm", receiver.url());
  crm.optins = false;
  auto f = forwarder({crm});
  storeOptins("o", 2);
  auto events = store("a", 1);
  f->notify();
  ASSERT_TRUE(eventually([&] { return receiver.acceptedIds().size() == 1; }));
  std::this_thread::sleep_for(100ms);  // five polls: an opt-in lane would have sent by now
  EXPECT_TRUE(receiver.acceptedOptinIds().empty());
  EXPECT_EQ(f->renderMetrics().find("{destination=\"crm\",stream=\"optins\""), std::string::npos);
}

}  // namespace
}  // namespace relance::collector

// The HTTP handlers without sockets: a request in, the response out.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "collector/identity.h"
#include "collector/privacy.h"
#include "collector/service.h"

namespace relance::collector {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

constexpr std::int64_t kNow = 1700000000000;

class CollectorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("relance-service-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "site");
    std::ofstream(dir_ / "site" / "index.html") << "<h1>shop</h1>";
    std::ofstream(dir_ / "secret.txt") << "SECRET";
    store_ = std::make_unique<EventStore>(StoreOptions{(dir_ / "events.db").string()});
    store_->start();
    files_ = std::make_unique<StaticFiles>((dir_ / "site").string());
    ServiceOptions options;
    options.allowed_origins = {"https://shop.example"};
    service_ = std::make_unique<Service>(options, loadSite(""), *store_, limiter_, metrics_, *files_,
                                         [] { return kNow; });
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Response call(http::verb method, const std::string& target, const std::string& body = "",
                const std::string& type = "application/json") {
    Request request{method, target, 11};
    if (!type.empty()) request.set(http::field::content_type, type);
    request.set(http::field::host, "collector.test");
    request.body() = body;
    request.prepare_payload();
    std::promise<Response> answer;
    service_->handle(std::move(request), Peer{"198.51.100.23"}, [&](Response&& r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  }

  // A request with the fixture's host and the given headers (name, value).
  Request make(http::verb method, const std::string& target, const std::string& body,
               std::initializer_list<std::pair<const char*, std::string>> headers) {
    Request request{method, target, 11};
    request.set(http::field::host, "collector.test");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    return request;
  }

  Response send(Request request) {
    std::promise<Response> answer;
    service_->handle(std::move(request), Peer{"198.51.100.23"}, [&](Response&& r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  }

  // Rows of the identities table (the store stopped first, so all is committed).
  int identityRows() {
    store_->stop();
    sqlite3* db = nullptr;
    int rows = -1;
    if (sqlite3_open_v2((dir_ / "events.db").string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* count = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM identities", -1, &count, nullptr) == SQLITE_OK &&
          sqlite3_step(count) == SQLITE_ROW)
        rows = sqlite3_column_int(count, 0);
      sqlite3_finalize(count);
    }
    sqlite3_close(db);
    return rows;
  }

  static Json bodyOf(const Response& response) { return parseJson(response.body()).value; }

  static std::string event(const std::string& id) {
    return "{\"id\":\"" + id + "\",\"type\":\"page_view\",\"ts\":" + std::to_string(kNow) +
           ",\"anonymous_id\":\"anon\"}";
  }

  fs::path dir_;
  std::unique_ptr<EventStore> store_;
  RateLimiter limiter_{0, 1};
  Metrics metrics_;
  std::unique_ptr<StaticFiles> files_;
  std::unique_ptr<Service> service_;
};

TEST_F(CollectorServiceTest, KeepsValidEventsAndRejectsOthersWithPaths) {
  Response r = call(http::verb::post, "/v1/events",
                    "{\"events\":[" + event("a") + ",{\"id\":\"b\",\"type\":\"page_view\"}]}");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  Json body = bodyOf(r);
  EXPECT_EQ(body["accepted"].get<int>(), 1);
  ASSERT_EQ(body["rejected"].size(), 1u);
  EXPECT_EQ(body["rejected"][0]["index"].get<int>(), 1);
  EXPECT_EQ(body["rejected"][0]["id"].get<std::string>(), "b");
  EXPECT_FALSE(body["rejected"][0]["errors"].empty());
  EXPECT_EQ(r[http::field::set_cookie].substr(0, 6), "rl_id=");
  Response again = call(http::verb::post, "/v1/events", "{\"events\":[" + event("a") + "]}");
  EXPECT_EQ(bodyOf(again)["duplicates"].get<int>(), 1);
}

TEST_F(CollectorServiceTest, ErrorStatuses) {
  Response malformed = call(http::verb::post, "/v1/events", "{\"events\": [}");
  EXPECT_EQ(malformed.result_int(), 400);
  EXPECT_EQ(bodyOf(malformed)["offset"].get<int>(), 12);
  EXPECT_EQ(call(http::verb::get, "/v1/events").result_int(), 405);
  EXPECT_EQ(call(http::verb::post, "/v1/events", "{\"events\":[]}", "application/xml").result_int(), 415);
  EXPECT_EQ(call(http::verb::post, "/v1/events", std::string(kMaxBodyBytes + 1, ' ')).result_int(), 413);
  std::string many = "{\"events\":[";
  for (std::size_t i = 0; i <= kMaxEventsPerRequest; ++i) many += (i ? "," : "") + event("m" + std::to_string(i));
  EXPECT_EQ(call(http::verb::post, "/v1/events", many + "]}").result_int(), 413);
  EXPECT_EQ(call(http::verb::post, "/v1/events", "[]").result_int(), 400);
}

TEST_F(CollectorServiceTest, StoreUnavailableAnswers503WithRetryAfter) {
  store_->stop();  // refuses every batch from now on
  Response r = call(http::verb::post, "/v1/events", "{\"events\":[" + event("z") + "]}");
  EXPECT_EQ(r.result_int(), 503);
  EXPECT_EQ(r[http::field::retry_after], "1");
  EXPECT_EQ(bodyOf(r)["error"].get<std::string>(),
            "store unavailable: shutting down; the events were not stored, send again later");
  // An opt-in says the same (it used to say "queue full" whatever the cause).
  std::string ts = std::to_string(kNow);
  Response optin = call(http::verb::post, "/v1/optin",
                        "{\"id\":\"o1\",\"ts\":" + ts + ",\"anonymous_id\":\"anon\",\"offer_id\":\"welcome\","
                        "\"email\":\"ada@example.com\",\"consent\":{\"text\":\"I agree\",\"checked\":true,"
                        "\"ts\":" + ts + ",\"page\":\"https://shop.example/\"}}");
  EXPECT_EQ(optin.result_int(), 503) << optin.body();
  EXPECT_EQ(optin[http::field::retry_after], "1");
  EXPECT_EQ(bodyOf(optin)["error"].get<std::string>(),
            "store unavailable: shutting down; the opt-in was not stored, send again later");
  EXPECT_EQ(call(http::verb::get, "/readyz").result_int(), 503);
  EXPECT_EQ(call(http::verb::get, "/healthz").result_int(), 200);
}

// Consent withdrawn: POST /v1/forget removes the HttpOnly cookie (which the
// page cannot), with the attributes of the cookie it replaces, behind the
// same origin check, and stores nothing.
TEST_F(CollectorServiceTest, ForgetClearsTheVisitorCookieAndStoresNothing) {
  auto forget = [&](const std::string& origin, http::verb method = http::verb::post) {
    Request request{method, "/v1/forget", 11};
    request.set(http::field::content_type, "text/plain;charset=UTF-8");
    request.set(http::field::host, "collector.test");
    request.set(http::field::cookie, "other=1; rl_id=0123456789abcdef0123456789abcdef");
    if (!origin.empty()) request.set(http::field::origin, origin);
    request.body() = method == http::verb::post ? "{}" : "";
    request.prepare_payload();
    std::promise<Response> answer;
    service_->handle(std::move(request), Peer{"198.51.100.23"}, [&](Response&& r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  };
  Response r = forget("https://shop.example");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(bodyOf(r), Json({{"ok", true}}));
  EXPECT_EQ(r[http::field::set_cookie], "rl_id=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  EXPECT_EQ(r[http::field::access_control_allow_origin], "https://shop.example");
  EXPECT_EQ(r[http::field::access_control_allow_credentials], "true");
  EXPECT_EQ(r[http::field::cache_control], "no-store");
  EXPECT_EQ(r.body().find("0123456789abcdef"), std::string::npos);

  // The attributes are those of the cookie being cleared, value and lifetime aside.
  auto attributes = [](std::string cookie) {
    cookie.erase(0, cookie.find(';'));
    auto age = cookie.find("; Max-Age=");
    cookie.erase(age, cookie.find(';', age + 1) - age);
    return cookie;
  };
  Response set = call(http::verb::post, "/v1/events", "{\"events\":[" + event("f1") + "]}");
  ASSERT_EQ(set.result_int(), 200);
  EXPECT_EQ(attributes(std::string(set[http::field::set_cookie])), attributes(std::string(r[http::field::set_cookie])));
  EXPECT_EQ(attributes(identityClearCookie(true)), attributes(identitySetCookie(std::string(32, 'a'), true)));

  Response foreign = forget("https://evil.example");
  EXPECT_EQ(foreign.result_int(), 403);
  EXPECT_EQ(foreign.find(http::field::set_cookie), foreign.end());
  EXPECT_EQ(forget("https://shop.example", http::verb::get).result_int(), 405);
  EXPECT_EQ(call(http::verb::post, "/v1/forget", "{}", "application/xml").result_int(), 415);

  // Only the one event above is stored: the forget requests left no row.
  store_->stop();
  std::ostringstream events, optins;
  ASSERT_EQ(exportRows((dir_ / "events.db").string(), "events", 0, "", events), "");
  ASSERT_EQ(exportRows((dir_ / "events.db").string(), "optins", 0, "", optins), "");
  std::string stored = events.str();
  EXPECT_EQ(std::count(stored.begin(), stored.end(), '\n'), 1) << stored;
  EXPECT_EQ(stored.find("0123456789abcdef"), std::string::npos) << stored;
  EXPECT_EQ(optins.str(), "");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "events.db").string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM identities WHERE rl_id = '0123456789abcdef0123456789abcdef'",
                               -1, &count, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 0);
  sqlite3_finalize(count);
  sqlite3_close(db);
}

// A refusal must carry the CORS headers a 200 would, or the browser reports a
// CORS failure instead of the status (and a shared cache may mix answers up).
TEST_F(CollectorServiceTest, RefusalsCarryTheCorsHeadersOfTheirOrigin) {
  auto cors = [](const Response& r, const char* origin) {
    EXPECT_EQ(r[http::field::access_control_allow_origin], origin) << r.result_int();
    EXPECT_EQ(r[http::field::access_control_allow_credentials], "true") << r.result_int();
    EXPECT_EQ(r[http::field::vary], "Origin") << r.result_int();
  };
  const std::string origin = "https://shop.example";
  // A Content-Length over 1 MiB: the transport refuses it from the header.
  Request big = make(http::verb::post, "/v1/events", "", {{"Origin", origin}, {"Content-Type", "application/json"}});
  big.content_length(2 * kMaxBodyBytes);
  std::promise<Response> answer;
  service_->refuseUnread(std::move(big), Peer{"198.51.100.23"}, 413, "body larger than 1 MiB",
                         [&](Response&& r) { answer.set_value(std::move(r)); });
  Response unread = answer.get_future().get();
  EXPECT_EQ(unread.result_int(), 413);
  EXPECT_EQ(bodyOf(unread)["error"].get<std::string>(), "body larger than 1 MiB");
  EXPECT_FALSE(unread.keep_alive()) << "the body was not read: the connection cannot go on";
  cors(unread, "https://shop.example");
  // The refusals the service makes itself.
  cors(send(make(http::verb::post, "/v1/events", "{}", {{"Origin", origin}, {"Content-Type", "application/xml"}})),
       "https://shop.example");
  cors(send(make(http::verb::post, "/v1/events", std::string(kMaxBodyBytes + 1, ' '),
                 {{"Origin", origin}, {"Content-Type", "application/json"}})),
       "https://shop.example");
  cors(send(make(http::verb::post, "/v1/events", "{", {{"Origin", origin}, {"Content-Type", "text/plain"}})),
       "https://shop.example");
  // A header the transport could not read has no known origin: Vary at least.
  Response header = Service::transportError(431, "request header larger than 16 KiB", 11);
  EXPECT_EQ(header[http::field::vary], "Origin");
  // A foreign origin gets no CORS header, and Vary still.
  Request foreign = make(http::verb::post, "/v1/events", "", {{"Origin", "https://evil.example"}});
  std::promise<Response> refused;
  service_->refuseUnread(std::move(foreign), Peer{"198.51.100.23"}, 413, "body larger than 1 MiB",
                         [&](Response&& r) { refused.set_value(std::move(r)); });
  Response f = refused.get_future().get();
  EXPECT_EQ(f.find(http::field::access_control_allow_origin), f.end());
  EXPECT_EQ(f[http::field::vary], "Origin");
}

// A client that sent Expect: 100-continue waits for our word before sending
// its body: a request refused on its header is answered at once.
TEST_F(CollectorServiceTest, RefusesOnTheHeaderWhatTheBodyCannotChange) {
  auto screen = [&](Request header, int* status) {
    *status = 0;
    return service_->refuseOnHeader(header, Peer{"198.51.100.23"}, [&](Response&& r) { *status = r.result_int(); });
  };
  int status = 0;
  EXPECT_TRUE(screen(make(http::verb::post, "/v1/events", "", {{"Origin", "https://evil.example"},
                                                               {"Content-Type", "application/json"}}), &status));
  EXPECT_EQ(status, 403);
  EXPECT_TRUE(screen(make(http::verb::post, "/v1/optin", "", {{"Content-Type", "application/xml"}}), &status));
  EXPECT_EQ(status, 415);
  EXPECT_TRUE(screen(make(http::verb::put, "/v1/forget", "", {{"Content-Type", "text/plain"}}), &status));
  EXPECT_EQ(status, 405);
  // Worth its body: nothing answered, handle() does the rest.
  EXPECT_FALSE(screen(make(http::verb::post, "/v1/events", "", {{"Origin", "https://shop.example"},
                                                                {"Content-Type", "application/json"}}), &status));
  EXPECT_EQ(status, 0);
  EXPECT_FALSE(screen(make(http::verb::post, "/somewhere", "", {{"Content-Type", "application/xml"}}), &status));
  EXPECT_EQ(status, 0);
}

TEST(CollectorRateLimiter, WaitLooksWithoutTakingATokenAndAgreesWithTake) {
  RateLimiter limiter(1, 2);
  EXPECT_EQ(limiter.wait("a", 0), 0);
  EXPECT_EQ(limiter.take("a", 0), 0);
  EXPECT_EQ(limiter.wait("a", 0), 0);
  EXPECT_EQ(limiter.wait("a", 0), 0) << "looking takes nothing";
  EXPECT_EQ(limiter.take("a", 0), 0);
  EXPECT_EQ(limiter.wait("a", 0), 1);
  EXPECT_EQ(limiter.take("a", 0), 1);
  EXPECT_EQ(limiter.wait("a", 1000), 0);
}

// A full disk: one message, saying what is wrong and that nothing was stored
// (it said "store unavailable: database or disk is full: database or disk is full").
TEST_F(CollectorServiceTest, FullDiskAnswersOneClearMessage) {
  service_.reset();
  store_.reset();
  StoreOptions options{(dir_ / "full.db").string()};
  options.max_pages = 8;  // a few pages: the batch below cannot fit
  store_ = std::make_unique<EventStore>(options);
  store_->start();
  service_ = std::make_unique<Service>(ServiceOptions{}, loadSite(""), *store_, limiter_, metrics_, *files_,
                                       [] { return kNow; });
  std::string batch = "{\"events\":[";
  for (int i = 0; i < 100; ++i) {
    std::string e = event("full" + std::to_string(i));
    e.pop_back();
    batch += (i ? "," : "") + e + ",\"properties\":{\"pad\":\"" + std::string(1000, 'x') + "\"}}";
  }
  Response r = call(http::verb::post, "/v1/events", batch + "]}");
  ASSERT_EQ(r.result_int(), 503) << r.body();
  EXPECT_EQ(r[http::field::retry_after], "1");
  EXPECT_EQ(bodyOf(r)["error"].get<std::string>(),
            "store unavailable: database or disk is full; the events were not stored, send again later");
  EXPECT_EQ(bodyOf(call(http::verb::get, "/readyz"))["reason"].get<std::string>(), "database or disk is full");
}

// A browser that sends no cookie (credentials 'omit', cookies blocked) got a
// new rl_id, and a new identities row, with every request: rows that no later
// request can match. The link is written once the cookie comes back.
TEST_F(CollectorServiceTest, LinksAnIdentityOnlyForABrowserThatSentItsCookie) {
  auto post = [&](const std::string& id, const std::string& cookie) {
    Request request = make(http::verb::post, "/v1/events", "{\"events\":[" + event(id) + "]}",
                           {{"Content-Type", "application/json"}});
    if (!cookie.empty()) request.set(http::field::cookie, "rl_id=" + cookie);
    return send(std::move(request));
  };
  Response first = post("c1", "");
  ASSERT_EQ(first.result_int(), 200);
  std::string cookie = readIdentityCookie(std::string(first[http::field::set_cookie]));
  ASSERT_EQ(cookie.size(), 32u) << "a new visitor still gets the cookie";
  EXPECT_EQ(post("c2", "").result_int(), 200);
  EXPECT_EQ(post("c3", "").result_int(), 200);
  // Nothing stored, nothing consented: no fresh cookie either.
  Response empty = call(http::verb::post, "/v1/events", "{\"events\":[]}");
  EXPECT_EQ(empty.find(http::field::set_cookie), empty.end());
  Response refused = call(http::verb::post, "/v1/events",
                          "{\"events\":[{\"id\":\"c4\",\"type\":\"page_view\",\"ts\":" + std::to_string(kNow) +
                              ",\"anonymous_id\":\"anon\",\"consent\":{\"analytics\":false}}]}");
  EXPECT_EQ(bodyOf(refused)["rejected"].size(), 1u);
  EXPECT_EQ(refused.find(http::field::set_cookie), refused.end()) << "no cookie for a refusal of analytics";
  // The cookie comes back: now the link is worth a row.
  Response back = post("c5", cookie);
  EXPECT_EQ(readIdentityCookie(std::string(back[http::field::set_cookie])), cookie);
  EXPECT_EQ(identityRows(), 1);
}

// The collector knows the site's offers: an opt-in for another is refused,
// naming the field.
TEST_F(CollectorServiceTest, RefusesAnOptinForAnOfferTheConfigurationDoesNotDefine) {
  std::ofstream(dir_ / "site.json") << R"({"version": 1, "site": {"id": "s"}, "offers": [{"id": "welcome",
    "triggers": [{"type": "manual"}], "content": {"title": "Hi", "fields": [{"name": "email", "required": true}],
    "button": "Go", "success": "Done"}}]})";
  LoadedSite site = loadSite((dir_ / "site.json").string());
  ASSERT_TRUE(site.config) << (site.errors.empty() ? site.problem : site.errors[0].path + ": " + site.errors[0].message);
  service_ = std::make_unique<Service>(ServiceOptions{}, site, *store_, limiter_, metrics_, *files_, [] { return kNow; });
  auto optin = [&](const std::string& id, const std::string& offer) {
    std::string ts = std::to_string(kNow);
    return call(http::verb::post, "/v1/optin",
                "{\"id\":\"" + id + "\",\"ts\":" + ts + ",\"anonymous_id\":\"anon\",\"offer_id\":\"" + offer +
                    "\",\"email\":\"ada@example.com\",\"consent\":{\"text\":\"I agree\",\"checked\":true,\"ts\":" +
                    ts + ",\"page\":\"https://shop.example/\"}}");
  };
  Response unknown = optin("o1", "nope");
  ASSERT_EQ(unknown.result_int(), 400) << unknown.body();
  Json errors = bodyOf(unknown)["errors"];
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["path"].get<std::string>(), "/offer_id");
  EXPECT_EQ(errors[0]["message"].get<std::string>(),
            "unknown offer \"nope\": the site configuration defines no offer with this id");
  Response known = optin("o2", "welcome");
  EXPECT_EQ(known.result_int(), 200) << known.body();
  // A plain collector (no --config) does not know the site's offers: it keeps any.
  service_ = std::make_unique<Service>(ServiceOptions{}, loadSite(""), *store_, limiter_, metrics_, *files_,
                                       [] { return kNow; });
  EXPECT_EQ(optin("o3", "nope").result_int(), 200);
}

TEST_F(CollectorServiceTest, StaticFilesStayInsideTheRoot) {
  Response home = call(http::verb::get, "/", "", "");
  EXPECT_EQ(home.result_int(), 200);
  EXPECT_EQ(home.body(), "<h1>shop</h1>");
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2Fsecret.txt", "/%2e%2E%2fsecret.txt"}) {
    Response r = call(http::verb::get, target, "", "");
    EXPECT_TRUE(r.result_int() == 403 || r.result_int() == 400 || r.result_int() == 404) << target;
    EXPECT_EQ(r.body().find("SECRET"), std::string::npos) << target;
  }
  EXPECT_TRUE(StaticFiles::isContentHashed("relance.3f9a1c2b.js"));
  EXPECT_FALSE(StaticFiles::isContentHashed("relance.js"));
  EXPECT_FALSE(StaticFiles::isContentHashed("relance.3f9a1c.js"));
  EXPECT_EQ(StaticFiles::contentType("a/b.wasm"), "application/wasm");
}

}  // namespace
}  // namespace relance::collector

// The webhook client over HTTPS: a receiver on 127.0.0.1 with a certificate
// made for the test. Delivered when the client trusts that certificate;
// refused when it trusts only the system's store, or when the certificate
// names another host. Every socket has a timeout.
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "collector/webhook_client.h"

namespace relance::collector {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// Writes a self-signed certificate for `names` ("DNS:localhost,IP:127.0.0.1")
// and its key as PEM files.
void makeCertificate(const std::string& names, const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("relance test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, names.c_str());
  X509_add_ext(cert, san, -1);
  X509_EXTENSION_free(san);
  X509_EXTENSION* ca = X509V3_EXT_conf_nid(nullptr, &context, NID_basic_constraints, "critical,CA:TRUE");
  X509_add_ext(cert, ca, -1);
  X509_EXTENSION_free(ca);
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* out = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(out, cert);
  std::fclose(out);
  out = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(cert);
  EVP_PKEY_free(key);
}

// Answers 200 to every HTTPS POST, one connection at a time.
class TlsReceiver {
 public:
  TlsReceiver(const std::string& cert_path, const std::string& key_path)
      : tls_(ssl::context::tls_server), acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    tls_.use_certificate_chain_file(cert_path);
    tls_.use_private_key_file(key_path, ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsReceiver() {
    io_.stop();
    thread_.join();
  }
  unsigned short port() const { return port_; }
  int received() const { return received_; }

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
      if (error) return;
      timeval timeout{5, 0};
      setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      ssl::stream<tcp::socket> stream(std::move(socket), tls_);
      beast::error_code e;
      stream.handshake(ssl::stream_base::server, e);
      if (!e) {
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        http::read(stream, buffer, request, e);
        if (!e) {
          ++received_;
          http::response<http::string_body> response{http::status::ok, 11};
          response.body() = "{}";
          response.prepare_payload();
          http::write(stream, response, e);
        }
      }
      accept();
    });
  }
  net::io_context io_;
  ssl::context tls_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
  std::atomic<int> received_{0};
};

class WebhookTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("relance-tls-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  WebhookResult post(WebhookClient& client, const std::string& host, unsigned short port) {
    WebhookUrl url{true, host, std::to_string(port), "/hook"};
    return client.post(url, {{"User-Agent", "relance-collector/test"}}, "{\"events\":[]}", 2s, 5s);
  }

  std::string path(const char* name) { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(WebhookTlsTest, DeliversToATrustedCertificateForTheHost) {
  makeCertificate("DNS:localhost,IP:127.0.0.1", path("cert.pem"), path("key.pem"));
  TlsReceiver receiver(path("cert.pem"), path("key.pem"));
  WebhookClient client(path("cert.pem"));
  WebhookResult result = post(client, "127.0.0.1", receiver.port());
  EXPECT_EQ(result.status, 200) << result.error;
  result = post(client, "localhost", receiver.port());
  EXPECT_EQ(result.status, 200) << result.error;
  EXPECT_EQ(receiver.received(), 2);
}

TEST_F(WebhookTlsTest, RefusesACertificateTheSystemDoesNotTrust) {
  makeCertificate("DNS:localhost,IP:127.0.0.1", path("cert.pem"), path("key.pem"));
  TlsReceiver receiver(path("cert.pem"), path("key.pem"));
  WebhookClient client;  // the system's store
  WebhookResult result = post(client, "127.0.0.1", receiver.port());
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.error.find("TLS handshake"), std::string::npos) << result.error;
  EXPECT_EQ(receiver.received(), 0);
}

TEST_F(WebhookTlsTest, RefusesACertificateForAnotherHost) {
  makeCertificate("DNS:crm.example", path("cert.pem"), path("key.pem"));
  TlsReceiver receiver(path("cert.pem"), path("key.pem"));
  WebhookClient client(path("cert.pem"));  // trusted, but not for 127.0.0.1
  WebhookResult result = post(client, "127.0.0.1", receiver.port());
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.error.find("TLS handshake"), std::string::npos) << result.error;
  EXPECT_EQ(receiver.received(), 0);
}

TEST_F(WebhookTlsTest, ANonRespondingReceiverTimesOutAndCancelIsPrompt) {
  // A listener that never accepts nor answers: the TLS handshake waits.
  net::io_context io;
  tcp::acceptor silent(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  WebhookClient client;
  auto started = std::chrono::steady_clock::now();
  WebhookUrl url{true, "127.0.0.1", std::to_string(silent.local_endpoint().port()), "/"};
  WebhookResult result = client.post(url, {}, "{}", 1s, 300ms);
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.error.find("timed out"), std::string::npos) << result.error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);

  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    client.cancel();
  });
  started = std::chrono::steady_clock::now();
  result = client.post(url, {}, "{}", 10s, 10s);
  canceller.join();
  EXPECT_EQ(result.error, "cancelled");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

}  // namespace
}  // namespace relance::collector

#include <gtest/gtest.h>

#include "core/contact.h"

namespace relance {
namespace {

TEST(DecisionsContact, Emails) {
  for (const char* ok : {"ana@example.com", "a.b+tag@sub.example.co.uk", "x@xn--bcher-kva.example", "élise@exemple.fr"})
    EXPECT_EQ(checkEmail(ok), "") << ok;
  for (const char* bad : {"", "ana", "ana@", "@example.com", "ana@example", "ana@@example.com", "ana@exa mple.com",
                          "ana@example.c", "ana@-example.com", "ana@example..com", ".ana@example.com",
                          "ana..b@example.com", "ana@example.com\n", "<ana@example.com>", "a,b@example.com"})
    EXPECT_EQ(checkEmail(bad), "enter an e-mail address like name@example.com") << bad;
  EXPECT_NE(checkEmail(std::string(250, 'a') + "@example.com"), "");
  EXPECT_NE(checkEmail("ana@exa\xff" "mple.com"), "");
}

TEST(DecisionsContact, Phones) {
  for (const char* ok : {"+33 6 12 34 56 78", "+33612345678", "+1 (415) 555-0100", "+44.20.7946.0958"})
    EXPECT_EQ(checkPhone(ok), "") << ok;
  for (const char* bad : {"", "06 12 34 56 78", "+0612345678", "+33 6 12", "+33 6 12 34 56 78 90 12 34",
                          "+33 6x12345678", "++33612345678", "+33+612345678"})
    EXPECT_NE(checkPhone(bad), "") << bad;
}

Json goodOptin() {
  return {{"id", "0b7c6f1e-1"}, {"ts", 1767225600000LL}, {"anonymous_id", "anon-1"}, {"user_id", nullptr},
          {"offer_id", "welcome"}, {"variant", "a"}, {"email", "ana@example.com"},
          {"consent", {{"text", "I agree"}, {"checked", true}, {"ts", 1767225600000LL}, {"page", "https://shop.example/"}}}};
}

TEST(DecisionsContact, ValidOptin) { EXPECT_TRUE(validateOptin(goodOptin()).empty()); }

TEST(DecisionsContact, OptinErrorsSayWhere) {
  Json o = goodOptin();
  o["email"] = "nope";
  o.erase("id");
  o["consent"].erase("text");
  o["extra"] = 1;
  auto errors = validateOptin(o);
  std::vector<std::string> paths;
  for (const auto& e : errors) paths.push_back(e.path);
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/email"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/id"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/consent/text"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/extra"), paths.end());
  EXPECT_EQ(errors.size(), 4u);
  Json none = goodOptin();
  none.erase("email");
  ASSERT_EQ(validateOptin(none).size(), 1u);
  EXPECT_EQ(validateOptin(none)[0].path, "/email");
  EXPECT_EQ(validateOptin(Json::array()).size(), 1u);
}

}  // namespace
}  // namespace relance

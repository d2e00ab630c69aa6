#include <gtest/gtest.h>

#include "core/html_sanitizer.h"

namespace relance {
namespace {

// Nothing that can run script may survive, whatever the spelling.
void expectInert(const std::string& out) {
  std::string lower;
  for (char c : out) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  EXPECT_EQ(lower.find("<script"), std::string::npos) << out;
  EXPECT_EQ(lower.find("<style"), std::string::npos) << out;
  EXPECT_EQ(lower.find("<iframe"), std::string::npos) << out;
  EXPECT_EQ(lower.find("<svg"), std::string::npos) << out;
  EXPECT_EQ(lower.find("<object"), std::string::npos) << out;
  EXPECT_EQ(lower.find("javascript:"), std::string::npos) << out;
  EXPECT_EQ(lower.find(" on"), std::string::npos) << out;  // no on* attribute (every attribute follows a space)
}

TEST(DecisionsSanitizer, KeepsFormatting) {
  EXPECT_EQ(sanitizeHtml("<p>Hello <strong>VIP</strong> <em>friend</em></p>"),
            "<p>Hello <strong>VIP</strong> <em>friend</em></p>");
  EXPECT_EQ(sanitizeHtml("<A HREF='/sale' class=cta>Sale</A>"), "<a href=\"/sale\" class=\"cta\">Sale</a>");
  EXPECT_EQ(sanitizeHtml("line<br/>two"), "line<br>two");
}

TEST(DecisionsSanitizer, DropsScriptsWithTheirContent) {
  EXPECT_EQ(sanitizeHtml("a<script>alert(1)</script>b"), "ab");
  EXPECT_EQ(sanitizeHtml("a<SCRIPT type=x>alert('</p>')</ScRiPt >b"), "ab");
  EXPECT_EQ(sanitizeHtml("a<style>body{display:none}</style>b"), "ab");
  EXPECT_EQ(sanitizeHtml("<iframe src=//evil></iframe>x"), "x");
  EXPECT_EQ(sanitizeHtml("<svg><script>alert(1)</script></svg>y"), "y");
  EXPECT_EQ(sanitizeHtml("<script>never closed"), "");
}

TEST(DecisionsSanitizer, DropsEventHandlersAndStyles) {
  EXPECT_EQ(sanitizeHtml("<img src=x onerror=alert(1)>"), "<img src=\"x\">");
  EXPECT_EQ(sanitizeHtml("<p onclick=\"go()\" style=\"position:fixed\">t</p>"), "<p>t</p>");
  EXPECT_EQ(sanitizeHtml("<div/onmouseover='x()'>t</div>"), "<div>t</div>");
}

TEST(DecisionsSanitizer, DropsDangerousUrls) {
  EXPECT_EQ(sanitizeHtml("<a href=\"javascript:alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(sanitizeHtml("<a href=\"JaVaScRiPt:alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(sanitizeHtml("<a href=\"jav&#x61;script:alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(sanitizeHtml("<a href=\"jav&#9;ascript:alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(sanitizeHtml("<a href=\" \x01javascript:alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(sanitizeHtml("<a href=\"javascript&colon;alert(1)\">x</a>"), "<a>x</a>");
  EXPECT_EQ(sanitizeHtml("<a href=\"data:text/html,<script>alert(1)</script>\">x</a>"), "<a>x</a>");
  EXPECT_EQ(sanitizeHtml("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">"), "<img>");
  EXPECT_EQ(sanitizeHtml("<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"dot\">"),
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"dot\">");
  EXPECT_EQ(sanitizeHtml("<a href=\"https://shop.example/a?b=1&amp;c=2\">x</a>"),
            "<a href=\"https://shop.example/a?b=1&amp;c=2\">x</a>");
  EXPECT_EQ(sanitizeHtml("<a href=\"mailto:hi@shop.example\" target=_blank>x</a>"),
            "<a href=\"mailto:hi@shop.example\" target=\"_blank\" rel=\"noopener noreferrer\">x</a>");
}

TEST(DecisionsSanitizer, AttributeValuesCannotBreakOut) {
  std::string out = sanitizeHtml("<span title='a\"><script>alert(1)</script>'>t</span>");
  EXPECT_EQ(out, "<span title=\"a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">t</span>");
  expectInert(out);
}

TEST(DecisionsSanitizer, CommentsAndDoctypesAreDropped) {
  EXPECT_EQ(sanitizeHtml("a<!-- <script>alert(1)</script> -->b"), "ab");
  EXPECT_EQ(sanitizeHtml("<!DOCTYPE html>a<?xml x?>b<![CDATA[<script>]]>c"), "ab]]&gt;c");
  EXPECT_EQ(sanitizeHtml("a<!-- never closed <img src=x onerror=alert(1)>"), "a");
}

TEST(DecisionsSanitizer, UnknownTagsLoseTheirTagButKeepText) {
  EXPECT_EQ(sanitizeHtml("<form action=/x><input value=1><button>Buy</button></form>"), "Buy");
  EXPECT_EQ(sanitizeHtml("<base href=//evil><link rel=stylesheet href=//evil>t"), "t");
  EXPECT_EQ(sanitizeHtml("<meta http-equiv=refresh content='0;url=//evil'>t"), "t");
}

TEST(DecisionsSanitizer, BalancesTags) {
  EXPECT_EQ(sanitizeHtml("<div><p>open"), "<div><p>open</p></div>");
  EXPECT_EQ(sanitizeHtml("</div></div>text</p>"), "text");
  EXPECT_EQ(sanitizeHtml("<b><i>x</b>y"), "<b><i>x</i></b>y");
}

TEST(DecisionsSanitizer, EscapesLooseBrackets) {
  EXPECT_EQ(sanitizeHtml("1 < 2 > 0 & done &amp; ok"), "1 &lt; 2 &gt; 0 &amp; done &amp; ok");
  EXPECT_EQ(sanitizeHtml("<<script>alert(1)//<</script>"), "&lt;");
  EXPECT_EQ(sanitizeHtml("< script>alert(1)</script>"), "&lt; script&gt;alert(1)");
}

TEST(DecisionsSanitizer, HostileCorpusStaysInert) {
  const char* hostile[] = {
      "<img src=x:alert(alt) onerror=eval(src) alt=0>",
      "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
      "<a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)\">x</a>",
      "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
      "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
      "<template><script>alert(1)</script></template>",
      "<object data=\"javascript:alert(1)\"></object>",
      "<embed src=javascript:alert(1)>",
      "<details open ontoggle=alert(1)>",
      "<p style=\"background:url(javascript:alert(1))\">x</p>",
      "<a href=javascript:alert(1)//>x</a>",
      "<img/src=x/onerror=alert(1)>",
      "<textarea><script>alert(1)</script></textarea>",
      "<scr<script>ipt>alert(1)</script>",
      "<a\thref=\"java\nscript:alert(1)\">x</a>",
  };
  for (const char* h : hostile) expectInert(sanitizeHtml(h));
}

TEST(DecisionsSanitizer, UrlChecks) {
  EXPECT_TRUE(isSafeUrl("/cart", UrlUse::kLink));
  EXPECT_TRUE(isSafeUrl("page?x=a:b", UrlUse::kLink));
  EXPECT_TRUE(isSafeUrl("https://cdn.example/a.png", UrlUse::kImage));
  EXPECT_TRUE(isSafeUrl("tel:+33612345678", UrlUse::kLink));
  EXPECT_FALSE(isSafeUrl("tel:+33612345678", UrlUse::kImage));
  EXPECT_FALSE(isSafeUrl("vbscript:msgbox(1)", UrlUse::kLink));
  EXPECT_FALSE(isSafeUrl("data:image/png;base64,AAAA", UrlUse::kLink));
  EXPECT_TRUE(isSafeUrl("data:image/png;base64,AAAA", UrlUse::kImage));
  EXPECT_FALSE(isSafeUrl("data:image/png,AAAA", UrlUse::kImage));
}

}  // namespace
}  // namespace relance

// SerializeResponseHead: the exact head the server sends, and that no header value (or name) that
// code hands it can end a line early and so inject a header or split the response.
#include "http/http_message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace finserve::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Head(const HttpResponse& r, std::string_view connection = "", std::string_view reason = "OK") {
  std::string out;
  SerializeResponseHead(r, reason, "req-1", connection, &out);
  return out;
}

// The head's lines (without the final blank line); fails the test if the head is not well framed.
std::vector<std::string> Lines(const std::string& head) {
  std::vector<std::string> lines;
  EXPECT_GE(head.size(), 4u);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
  size_t start = 0;
  for (;;) {
    const size_t end = head.find("\r\n", start);
    if (end == std::string::npos || end == start) break;
    lines.push_back(head.substr(start, end - start));
    start = end + 2;
  }
  EXPECT_EQ(start + 2, head.size()) << "a blank line before the end of the head";
  for (const auto& line : lines) {
    EXPECT_EQ(line.find_first_of(std::string("\r\n\0", 3)), std::string::npos) << line;
  }
  return lines;
}

TEST(SerializeResponseHeadTest, WritesStatusLineOurHeadersExtrasAndLength) {
  HttpResponse r = JsonResponse(201, "{\"a\":1}");
  r.headers.emplace_back("Retry-After", "1");
  EXPECT_EQ(Head(r, "", "Created"),
            "HTTP/1.1 201 Created\r\nServer: finserve\r\nContent-Type: application/json\r\nX-Request-Id: req-1\r\n"
            "Retry-After: 1\r\nContent-Length: 7\r\n\r\n");
}

TEST(SerializeResponseHeadTest, ConnectionHeaderOnlyWhenAsked) {
  const HttpResponse r = JsonResponse(200, "");
  EXPECT_THAT(Head(r, "close"), HasSubstr("\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_THAT(Head(r, "keep-alive"), HasSubstr("\r\nConnection: keep-alive\r\n"));
  EXPECT_THAT(Head(r), Not(HasSubstr("Connection")));
}

TEST(SerializeResponseHeadTest, CrLfInValuesCannotInjectAHeaderOrSplitTheResponse) {
  HttpResponse r = JsonResponse(200, "{}");
  r.content_type = "text/plain\r\nSet-Cookie: a=b";
  r.headers.emplace_back("X-Note", "one\r\nX-Injected: yes\r\n\r\nHTTP/1.1 200 OK");
  r.headers.emplace_back("X-Lf", std::string("a\nb\rc\0d", 7));
  std::string head;
  SerializeResponseHead(r, "OK\r\nX-Reason: injected", "id\r\nX-Id: injected", "", &head);
  const auto lines = Lines(head);
  ASSERT_EQ(lines.size(), 7u) << head;
  EXPECT_EQ(lines[0], "HTTP/1.1 200 OK  X-Reason: injected");
  EXPECT_EQ(lines[2], "Content-Type: text/plain  Set-Cookie: a=b");
  EXPECT_EQ(lines[3], "X-Request-Id: id  X-Id: injected");
  EXPECT_EQ(lines[4], "X-Note: one  X-Injected: yes    HTTP/1.1 200 OK");
  EXPECT_EQ(lines[5], "X-Lf: a b c d");
  EXPECT_EQ(lines[6], "Content-Length: 2");
}

TEST(SerializeResponseHeadTest, NamesThatAreNotTokensAreDropped) {
  HttpResponse r = JsonResponse(200, "{}");
  r.headers.emplace_back("X-Evil\r\nSet-Cookie", "a=b");
  r.headers.emplace_back("", "empty name");
  r.headers.emplace_back("Bad Name", "space");
  r.headers.emplace_back("X-Good", "kept");
  const std::string head = Head(r);
  EXPECT_THAT(head, Not(HasSubstr("Set-Cookie")));
  EXPECT_THAT(head, Not(HasSubstr("empty name")));
  EXPECT_THAT(head, Not(HasSubstr("Bad Name")));
  EXPECT_THAT(head, HasSubstr("\r\nX-Good: kept\r\n"));
}

TEST(SerializeResponseHeadTest, TheServerOwnsTheFramingExtrasReplaceItsOtherHeaders) {
  HttpResponse r = JsonResponse(200, "12345");
  r.headers.emplace_back("content-length", "999");
  r.headers.emplace_back("Transfer-Encoding", "chunked");
  r.headers.emplace_back("CONNECTION", "upgrade");
  r.headers.emplace_back("Content-Type", "text/csv");
  r.headers.emplace_back("X-Request-ID", "from-handler");
  const std::string head = Head(r);
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK\r\nServer: finserve\r\nContent-Type: text/csv\r\nX-Request-Id: from-handler\r\n"
            "Content-Length: 5\r\n\r\n");
}

TEST(SerializeResponseHeadTest, AStatusOutsideThreeDigitsIsSentAs500) {
  HttpResponse r = JsonResponse(1000, "{}");
  EXPECT_THAT(Head(r, "", "whatever"), ::testing::StartsWith("HTTP/1.1 500 Internal Server Error\r\n"));
  r.status = 99;
  EXPECT_THAT(Head(r, "", "whatever"), ::testing::StartsWith("HTTP/1.1 500 Internal Server Error\r\n"));
}

TEST(SerializeResponseHeadTest, AppendsToWhatIsThere) {
  std::string out = "previous";
  SerializeResponseHead(JsonResponse(202, ""), "Accepted", "r", "", &out);
  EXPECT_THAT(out, ::testing::StartsWith("previousHTTP/1.1 202 Accepted\r\n"));
}

TEST(SerializeResponseHeadTest, NoContentLengthWhereTheStatusForbidsABody) {
  for (int status : {100, 204, 304}) {
    EXPECT_TRUE(StatusForbidsBody(status)) << status;
    EXPECT_THAT(Head(JsonResponse(status, ""), "", "x"), Not(HasSubstr("Content-Length"))) << status;
  }
  for (int status : {200, 205, 404, 500}) {
    EXPECT_FALSE(StatusForbidsBody(status)) << status;
    EXPECT_THAT(Head(JsonResponse(status, ""), "", "x"), HasSubstr("\r\nContent-Length: 0\r\n")) << status;
  }
}

}  // namespace
}  // namespace finserve::http

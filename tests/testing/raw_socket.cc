#include "testing/raw_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace finserve::testing {
namespace {

using Clock = std::chrono::steady_clock;

int MillisLeft(Clock::time_point end) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

bool ParseHead(const std::string& head, RawAnswer* answer, size_t* content_length) {
  const size_t space = head.find(' ');
  if (head.rfind("HTTP/1.", 0) != 0 || space == std::string::npos) return false;
  answer->status = std::atoi(head.c_str() + space + 1);
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    const size_t end = head.find("\r\n", pos + 2);
    const std::string line = head.substr(pos + 2, end - pos - 2);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      answer->headers[name] = value;
    }
    pos = end;
  }
  auto it = answer->headers.find("content-length");
  *content_length = it == answer->headers.end() ? 0 : std::stoul(it->second);
  return true;
}

}  // namespace

int ConnectLoopback(int port, int receive_buffer) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (receive_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool SendBytes(int fd, const std::string& bytes, size_t chunk, std::chrono::milliseconds interval) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    pollfd p{fd, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, 10'000) <= 0) return false;
    if (p.revents & (POLLIN | POLLERR | POLLHUP)) return false;  // answered or closed early
    const size_t n = chunk > 0 ? std::min(chunk, bytes.size() - sent) : bytes.size() - sent;
    const ssize_t w = ::send(fd, bytes.data() + sent, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    sent += static_cast<size_t>(w);
    if (interval.count() > 0 && sent < bytes.size()) std::this_thread::sleep_for(interval);  // the pace under test
  }
  return true;
}

RawAnswer ReadAnswer(int fd, std::chrono::milliseconds deadline) {
  RawAnswer answer;
  const auto end = Clock::now() + deadline;
  std::string data;
  size_t head_end = std::string::npos, content_length = 0;
  for (;;) {
    if (head_end != std::string::npos && data.size() >= head_end + 4 + content_length) break;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, MillisLeft(end));
    if (ready <= 0) {
      answer.timed_out = true;
      break;
    }
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      answer.closed = true;
      break;
    }
    data.append(buf, static_cast<size_t>(n));
    if (head_end == std::string::npos) {
      head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos && !ParseHead(data.substr(0, head_end + 2), &answer, &content_length)) {
        answer.status = 0;
        break;
      }
    }
  }
  if (head_end == std::string::npos || data.size() < head_end + 4 + content_length) {
    answer.status = 0;  // no complete answer
    return answer;
  }
  answer.body = data.substr(head_end + 4, content_length);
  return answer;
}

}  // namespace finserve::testing

// Raw TCP for tests that must send what no HTTP library would (malformed framing, slow or idle
// clients): blocking POSIX sockets on loopback, with every wait bounded by a deadline.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace finserve::testing {

struct RawAnswer {
  int status = 0;        // 0 when no complete answer arrived
  bool closed = false;   // the server closed the connection (EOF or reset)
  bool timed_out = false;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// A connected socket to 127.0.0.1:port, or -1. `receive_buffer` > 0 shrinks the socket's receive
// buffer before connecting (a client that reads slowly).
int ConnectLoopback(int port, int receive_buffer = 0);
// Sends `bytes` (in `chunk`-byte pieces `interval` apart, when given). Stops early when the server
// answers or closes first (read the answer then). Returns whether every byte was sent.
bool SendBytes(int fd, const std::string& bytes, size_t chunk = 0,
               std::chrono::milliseconds interval = std::chrono::milliseconds(0));
// Reads one HTTP/1.1 answer (by Content-Length) or until the server closes, up to `deadline`.
RawAnswer ReadAnswer(int fd, std::chrono::milliseconds deadline);

}  // namespace finserve::testing

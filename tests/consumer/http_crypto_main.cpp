// Uses cue::http and cue::crypto through an installed cue found with COMPONENTS http crypto: a
// sink that posts (libcurl), DingTalk's signature (libcrypto), a file's SHA-256.
#include <cue/callbacks/alert.hpp>
#include <cue/crypto/sha256.hpp>
#include <cue/sinks/chat.hpp>

#include <cstdio>
#include <fstream>

int main() {
  // Nothing listens on port 1: the delivery fails with libcurl's reason, and says so.
  const std::string problem = cue::sinks::webhook{"http://127.0.0.1:1/hook"}.deliver(cue::alert_message{});
  const std::string sign = cue::sinks::dingtalk::signature(1700000000000, "SECret");
  { std::ofstream("consumer.txt") << "abc"; }
  const std::string digest = cue::crypto::sha256_of_file("consumer.txt");
  std::printf("post: %s\nsign: %s\nsha256: %s\n", problem.c_str(), sign.c_str(), digest.c_str());
  return !problem.empty() && sign.size() == 44 &&
                 digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
             ? 0
             : 1;
}

// cue::json, the one encoder of what cue writes as JSON, on random bytes: it never throws, and
// what it writes always parses. nlohmann-json's own strict and replacing modes are the reference.
#include <cue/json.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cue/utf8.hpp>

namespace {
std::string random_bytes(std::mt19937& rng) {
  std::uniform_int_distribution<int> length(0, 24), byte(0, 255), kind(0, 3);
  std::string s;
  for (int n = length(rng); n > 0; --n) {
    switch (kind(rng)) {  // mostly text, some UTF-8 sequences, some stray bytes
      case 0: s += static_cast<char>(byte(rng)); break;
      case 1: s += "\xc3\xa9"; break;       // é
      case 2: s += "\xf0\x9f\x98\x80"; break;  // U+1F600, past the BMP
      default: s += static_cast<char>('a' + byte(rng) % 26);
    }
  }
  return s;
}
}  // namespace

TEST_CASE("cue::json::dump never throws, and its text always parses, whatever the bytes") {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    const std::string s = random_bytes(rng);
    nlohmann::ordered_json j{{"message", s}, {s, 1}, {"list", {s, s}}};
    const std::string text = cue::json::dump(j);
    const auto back = nlohmann::json::parse(text);  // throws, and fails the test, if not JSON
    // The same as nlohmann's replacing mode; exact when the bytes were UTF-8.
    CHECK(back["message"] == cue::replaced_utf8(s));
    CHECK(cue::valid_utf8(s) == (back["message"] == s));
    CHECK(text == j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

TEST_CASE("valid_utf8 agrees with nlohmann-json's strict mode") {
  std::mt19937 rng(11);
  for (int i = 0; i < 5000; ++i) {
    const std::string s = random_bytes(rng);
    bool strict_ok = true;
    try {
      (void)nlohmann::json(s).dump();
    } catch (const nlohmann::json::type_error&) {
      strict_ok = false;
    }
    CHECK(cue::valid_utf8(s) == strict_ok);
  }
}

TEST_CASE("python_string is Python's json.dumps text, and reads back as the replaced text") {
  CHECK(cue::json::python_string("a\"b\\c\n\x01") == R"("a\"b\\c\n\u0001")");
  CHECK(cue::json::python_string("caf\xc3\xa9 \xf0\x9f\x98\x80") == R"("caf\u00e9 \ud83d\ude00")");
  CHECK(cue::json::python_string("\xff") == R"("\ufffd")");
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const std::string s = random_bytes(rng);
    CHECK(nlohmann::json::parse(cue::json::python_string(s)) == cue::replaced_utf8(s));
  }
}

TEST_CASE("put_path keeps a path that is not UTF-8 exactly, in hexadecimal beside it") {
  nlohmann::ordered_json j;
  cue::json::put_path(j, "path", "runs/r\xff/m.bin");
  CHECK(j["path"] == "runs/r\xef\xbf\xbd/m.bin");
  CHECK(j["path_hex"] == "72756e732f72ff2f6d2e62696e");
  nlohmann::ordered_json plain;
  cue::json::put_path(plain, "path", "runs/r1/m.bin");
  CHECK(plain == nlohmann::ordered_json{{"path", "runs/r1/m.bin"}});
}

TEST_CASE("python_object writes Keras's RemoteMonitor body: repr floats, NaN and Infinity, or null") {
  cue::json::python_object keras;
  keras.add("epoch", 0LL).add("loss", 0.1).add("val_loss", std::nan("")).add("lr", -std::numeric_limits<double>::infinity());
  CHECK(keras.str() == R"({"epoch": 0, "loss": 0.1, "val_loss": NaN, "lr": -Infinity})");
  cue::json::python_object strict(true);
  strict.add("loss", std::numeric_limits<double>::infinity());
  CHECK(strict.str() == R"({"loss": null})");
}

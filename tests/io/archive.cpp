#include <cue/io/archive.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace {
const fs::path file = fs::temp_directory_path() / "cue-archive-test.npz";


cue::io::archive sample() {
  return {"learner",
          {{"learning_rate", "0.001"}, {"note", "spaces and = signs"}},
          {{"a.bin", std::string("\0\x01\xff\n\t", 5)}, {"b.bin", "second"}}};
}

// A manifest text as cue writes it, from its lines (the CRC computed), for hand-made files.
std::string manifest(const std::string& body) {
  char crc[24];
  std::snprintf(crc, sizeof crc, "crc32\t%08x\n", static_cast<unsigned>(cue::io::crc32(body)));
  return body + crc;
}
}  // namespace

TEST_CASE("crc32 is zip's") {
  CHECK(cue::io::crc32("") == 0u);
  CHECK(cue::io::crc32("123456789") == 0xCBF43926u);  // the standard check value
}

TEST_CASE("an archive round trip keeps kind, values and entries byte for byte") {
  cue::io::save_archive(file, sample());
  const auto back = cue::io::load_archive(file, "learner");
  CHECK(back.kind == "learner");
  CHECK(back.values == sample().values);
  CHECK(back.entries == sample().entries);
  std::ifstream in(file, std::ios::binary);
  const std::string bytes(std::istreambuf_iterator<char>(in), {});
  CHECK(bytes.starts_with(std::string_view("PK\x03\x04", 4)));  // a zip, as numpy.savez writes
  CHECK(bytes.find("cue-format 1\nkind\tlearner\n") != std::string::npos);
  fs::remove(file);
}

TEST_CASE("saving replaces the file whole (a new file renamed over it), never rewrites it in place") {
  cue::io::save_archive(file, sample());
  const auto old_link = fs::temp_directory_path() / "cue-archive-test-old.npz";
  fs::remove(old_link);
  fs::create_hard_link(file, old_link);  // the old file's inode, under another name
  auto changed = sample();
  changed.values["learning_rate"] = "0.5";
  cue::io::save_archive(file, changed);
  CHECK(cue::io::load_archive(file).values.at("learning_rate") == "0.5");
  CHECK(cue::io::load_archive(old_link).values.at("learning_rate") == "0.001");  // untouched
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
    CHECK_FALSE(e.path().filename().string().starts_with(".cue-archive-test.npz.tmp"));
  fs::remove(old_link);
  fs::remove(file);
}

TEST_CASE("every truncation and every flipped byte of a file is refused with its name") {
  const std::string good = cue::io::serialize(sample());
  for (std::size_t n = 0; n < good.size(); ++n) {
    INFO("truncated to " << n << " bytes");
    CHECK_THROWS_WITH(cue::io::parse(good.substr(0, n), "f.npz"), Catch::StartsWith("cue: f.npz: "));
  }
  // Any byte of an entry's data or of the manifest: its checksum catches it.
  const std::size_t data_at = good.find("second");
  std::string flipped = good;
  flipped[data_at] ^= 0x20;
  CHECK_THROWS_WITH(cue::io::parse(flipped, "f.npz"), "cue: f.npz: checksum mismatch in entry 'b.bin' (the file is corrupt)");
  flipped = good;
  flipped[good.find("kind\tlearner") + 5] = 'L';
  CHECK_THROWS_WITH(cue::io::parse(flipped, "f.npz"), Catch::Contains("checksum mismatch in entry 'cue.txt'"));
}

TEST_CASE("checksums are skipped only while a fuzzer turns them off at run time") {
  std::string flipped = cue::io::serialize(sample());
  flipped[flipped.find("second")] ^= 0x20;
  cue::io::detail::verify_checksums = false;  // what the fuzzers do at start-up
  CHECK(cue::io::parse(flipped, "f.npz").entries.at("b.bin") != "second");
  cue::io::detail::verify_checksums = true;
  CHECK_THROWS_WITH(cue::io::parse(flipped, "f.npz"), Catch::Contains("checksum mismatch"));
}

TEST_CASE("a file of another version, kind or make is named as such") {
  using files = std::map<std::string, std::string_view>;
  const auto v2 = manifest("cue-format 2\nkind\tlearner\n");
  CHECK_THROWS_WITH(cue::io::parse(cue::io::detail::zip(files{{"cue.txt", v2}}), "f.npz"),
                    "cue: f.npz: written in cue file format 2; this cue reads format 1 only (use the "
                    "cue version that wrote it)");
  const auto ok = manifest("cue-format 1\nkind\tlearner\nentry\ta.bin\n");
  CHECK_THROWS_WITH(cue::io::parse(cue::io::detail::zip(files{{"cue.txt", ok}}), "f.npz"),
                    "cue: f.npz: entry 'a.bin' listed in the manifest is missing");
  CHECK_THROWS_WITH(cue::io::parse(cue::io::detail::zip(files{{"cue.txt", ok}, {"a.bin", "x"}, {"b.bin", "y"}}), "f.npz"),
                    "cue: f.npz: entry 'b.bin' is not in the manifest");
  CHECK_THROWS_WITH(cue::io::parse(cue::io::detail::zip(files{{"arr_0.npy", "x"}}), "f.npz"),
                    "cue: f.npz: not a cue file (a zip without the cue.txt manifest; written by another program?)");
  CHECK_THROWS_WITH(cue::io::parse("not a zip at all", "f.npz"), "cue: f.npz: not a cue file (not a zip archive)");
  const auto garbled = manifest("cue-format 1\nkind\tlearner\nsomething else\n");
  CHECK_THROWS_WITH(cue::io::parse(cue::io::detail::zip(files{{"cue.txt", garbled}}), "f.npz"),
                    "cue: f.npz: malformed manifest line 'something else'");

  cue::io::save_archive(file, sample());
  CHECK_THROWS_WITH(cue::io::load_archive(file, "backup"),
                    "cue: " + file.string() + " holds a learner file, not a backup file");
  fs::remove(file);
  CHECK_THROWS_WITH(cue::io::load_archive(file), "cue: cannot open " + file.string() + ": No such file or directory");
  CHECK_THROWS_WITH(cue::io::load_archive(fs::temp_directory_path()), Catch::Contains("is a directory"));
}

TEST_CASE("what the format cannot hold is refused when writing, not garbled") {
  auto a = sample();
  a.values["bad"] = "two\nlines";
  CHECK_THROWS_AS(cue::io::serialize(a), std::invalid_argument);
  a = sample();
  a.entries["cue.txt"] = "mine";
  CHECK_THROWS_AS(cue::io::serialize(a), std::invalid_argument);
}

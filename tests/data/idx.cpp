#include <cue/data/idx.hpp>

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/data/fashion_mnist.hpp>

namespace fs = std::filesystem;

namespace {
const fs::path dir = fs::temp_directory_path() / "cue-idx-test";

std::string idx_bytes(std::vector<std::uint32_t> shape, std::size_t values, unsigned char type = 0x08) {
  std::string s{'\0', '\0', static_cast<char>(type), static_cast<char>(shape.size())};
  for (auto d : shape)
    for (int i = 3; i >= 0; --i) s += static_cast<char>((d >> (8 * i)) & 0xff);
  for (std::size_t i = 0; i < values; ++i) s += static_cast<char>(i % 251);
  return s;
}
fs::path write_gz(const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  const auto p = dir / name;
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return p;
}
}  // namespace

TEST_CASE("read_idx reads gzip-compressed unsigned bytes with their shape") {
  const auto p = write_gz("ok.gz", idx_bytes({2, 3}, 6));
  const auto a = cue::data::read_idx(p);
  CHECK(a.shape() == std::vector<std::size_t>{2, 3});
  CHECK(a(1, 2) == 5);
}

TEST_CASE("read_idx names the file and the problem") {
  const auto missing = dir / "missing.gz";
  CHECK_THROWS_WITH(cue::data::read_idx(missing), "cue: " + missing.string() + ": no such file");
  auto p = write_gz("truncated.gz", idx_bytes({2, 3}, 5));
  CHECK_THROWS_WITH(cue::data::read_idx(p), Catch::Contains(p.string()) &&
                                                Catch::Contains("truncated: the header promises 6 values, the file has 5"));
  p = write_gz("trailing.gz", idx_bytes({2, 3}, 7));
  CHECK_THROWS_WITH(cue::data::read_idx(p), Catch::Contains("1 bytes after the data"));
  p = write_gz("magic.gz", "\x01\x02\x08\x01zzzz");
  CHECK_THROWS_WITH(cue::data::read_idx(p), Catch::Contains("not an IDX file (bad magic number)"));
  p = write_gz("type.gz", idx_bytes({1}, 1, 0x0D));
  CHECK_THROWS_WITH(cue::data::read_idx(p), Catch::Contains("unsupported IDX element type"));
  p = write_gz("huge.gz", idx_bytes({0xFFFFFF, 0xFFFFFF}, 4));  // a corrupt header (found by fuzzing)
  CHECK_THROWS_WITH(cue::data::read_idx(p), Catch::Contains("dimension 0 is 16777215, more than the 4 bytes of data"));
  p = write_gz("short.gz", std::string("\0\0", 2));
  CHECK_THROWS_WITH(cue::data::read_idx(p), Catch::Contains("truncated: 2 bytes"));
  // a gzip stream cut in the middle
  const auto whole = write_gz("whole.gz", idx_bytes({100, 100}, 10000));
  std::ifstream in(whole, std::ios::binary);
  const std::string gz((std::istreambuf_iterator<char>(in)), {});
  const auto cut = dir / "cut.gz";
  std::ofstream(cut, std::ios::binary) << gz.substr(0, gz.size() / 2);
  CHECK_THROWS_WITH(cue::data::read_idx(cut), Catch::Contains(cut.string()));
}

TEST_CASE("images and labels whose counts disagree are refused, naming both files") {
  const auto images = write_gz("images.gz", idx_bytes({3, 2, 2}, 12));
  const auto labels = write_gz("labels.gz", idx_bytes({2}, 2));
  CHECK_THROWS_WITH(cue::data::load_idx_pair(images, labels),
                    "cue: " + images.string() + " has 3 images but " + labels.string() + " has 2 labels");
  const auto ok = write_gz("labels3.gz", idx_bytes({3}, 3));
  const auto d = cue::data::load_idx_pair(images, ok);
  CHECK(d.x.shape()[0] == 3);
  CHECK(d.x.shape()[1] == 4);
  CHECK(d.x(0, 1) == Approx(1.0f / 255));
  fs::remove_all(dir);
}

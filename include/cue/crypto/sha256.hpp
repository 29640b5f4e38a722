// SHA-256 of a file, with OpenSSL's libcrypto (Debian: libssl-dev; CMake target cue::crypto).
#pragma once

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace cue::crypto {

/// The SHA-256 of the file at `path`, in lowercase hex (as sha256sum prints it).
[[nodiscard]] inline std::string sha256_of_file(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::system_error(errno, std::generic_category(), "cue: cannot read " + path.string());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("cue: libcrypto cannot start a SHA-256");
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;)
    if (EVP_DigestUpdate(ctx.get(), buf, n) != 1) throw std::runtime_error("cue: libcrypto's SHA-256 failed");
  if (std::ferror(f.get())) throw std::system_error(errno, std::generic_category(), "cue: cannot read " + path.string());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1) throw std::runtime_error("cue: libcrypto's SHA-256 failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

}  // namespace cue::crypto

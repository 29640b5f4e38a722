// The command line every Fashion-MNIST example takes (this one, and the MPI and libtorch ones),
// parsed by CLI11: --help lists the flags with their defaults, and a bad value is an error that
// names its flag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <cue/data/fashion_mnist.hpp>

struct fashion_mnist_arguments {
  int epochs = 10;
  std::size_t batch_size = 32;
  std::uint64_t seed = 42;
  std::string data = cue::data::fashion_mnist_dir;
  int threads = 1;
  std::size_t limit = 0;  ///< train on the first N training images only (0: all)
  std::string out = "fashion-mnist-run";
  std::string backup_dir{};  ///< resume after a crash: the same command continues the run
  int backup_every = 0;      ///< back up every N batches rather than every epoch
};

/// Reads the flags into `args`; returns an exit code when the program should stop at once
/// (after --help, or on a bad flag, which CLI11 has reported), nothing when it should run.
inline std::optional<int> parse_arguments(int argc, char** argv, fashion_mnist_arguments& args,
                                          const std::string& description) {
  CLI::App app{description};
  app.option_defaults()->always_capture_default();
  app.add_option("--epochs", args.epochs, "epochs to train");
  app.add_option("--batch-size", args.batch_size, "examples per batch")->check(CLI::Range(1, 1 << 20));
  app.add_option("--seed", args.seed, "seed of the weights and of the shuffles");
  app.add_option("--data", args.data, "directory of the Fashion-MNIST IDX files");
  app.add_option("--threads", args.threads, "OpenBLAS threads")->check(CLI::Range(1, 1024));
  app.add_option("--limit", args.limit, "train on the first N training images only (0: all)");
  app.add_option("--out", args.out, "directory of the checkpoint and the CSV log");
  auto* backup = app.add_option("--backup-dir", args.backup_dir,
                                "back the run up here; the same command resumes it after a crash");
  app.add_option("--backup-every", args.backup_every, "back up every N batches, not every epoch")
      ->needs(backup);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return std::nullopt;
}

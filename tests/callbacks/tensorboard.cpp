#include <cue/callbacks/tensorboard.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <cue/callbacks/backup_and_restore.hpp>
#include <cue/callbacks/history.hpp>
#include <cue/callbacks/lambda_callback.hpp>
#include <cue/fit.hpp>
#include <cue/io/tf_event.hpp>
#include <cue/io/tfrecord.hpp>

#include "../support.hpp"

using cue_test::batch;
namespace fs = std::filesystem;

namespace {
// Trains by counting; its two weights change with every batch, so histograms differ by epoch.
struct counting_learner {
  int n = 0;
  double lr = 0.5;
  std::vector<float> kernel{0, 1, 2, 3, 4, 5}, bias{1, 1, 1};
  cue::logs<"loss", "accuracy"> train_step(const batch& b) {
    ++n;
    for (auto& w : kernel) w *= 1.5f;
    bias[static_cast<std::size_t>(n) % 3] += 1;
    return {b.value / n, 1.0 - 1.0 / (n + 1)};
  }
  cue::logs<"loss", "accuracy"> test_step(const batch& b) { return {2 * b.value / (n + 1), 0.25}; }
  double learning_rate() const { return lr; }
  void set_learning_rate(double v) { lr = v; }
  std::vector<std::pair<std::string, std::span<const float>>> named_weights() const {
    return {{"sequential/dense/kernel", kernel}, {"sequential/dense/bias", bias}};
  }
  void save(const fs::path& p) const {
    std::ofstream out(p);
    out.precision(17);
    out << n << ' ' << lr;
    for (float w : kernel) out << ' ' << w;
    for (float w : bias) out << ' ' << w;
  }
  void load(const fs::path& p) {
    std::ifstream in(p);
    in >> n >> lr;
    for (float& w : kernel) in >> w;
    for (float& w : bias) in >> w;
  }
};
struct unnamed_learner {
  cue::logs<"loss"> train_step(const batch& b) { return {b.value}; }
};

// What the reader must find, one line per value: run, tag, step, value (%.17g). Histograms: the
// weights the buckets are made of.
struct expectations {
  std::ofstream out;
  explicit expectations(const fs::path& p) : out(p) {}
  void scalar(const char* run, const std::string& tag, long long step, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out << "scalar " << run << ' ' << tag << ' ' << step << ' ' << buf << '\n';
  }
  void histogram(const std::string& tag, long long step, const std::vector<float>& values) {
    out << "histogram train " << tag << ' ' << step;
    for (float v : values) {
      char buf[32];
      std::snprintf(buf, sizeof buf, " %.9g", static_cast<double>(v));  // exact for a float
      out << buf;
    }
    out << '\n';
  }
};

fs::path sample_dir(const std::string& name) {
  const char* root = std::getenv("CUE_TB_OUT");
  const fs::path dir = (root ? fs::path(root) : fs::temp_directory_path() / "cue-tb") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

const std::vector<batch> three_batches{{1.0}, {2.0}, {3.0}};
}  // namespace

// The runs tests/callbacks/tensorboard_check.py decodes with its own reader.
TEST_CASE("sample: epochs, validation every other epoch, histograms, steps per second", "[tb-sample]") {
  const auto dir = sample_dir("epochs");
  counting_learner learner;
  cue::tensorboard tb({.log_dir = (dir / "logs").string(), .histogram_freq = 2, .write_steps_per_second = true,
                       .hparams = {{"learning_rate", 0.5}, {"optimizer", std::string("sgd")}, {"shuffle", true}}});
  expectations expect(dir / "expected.txt");
  // The weights at each epoch end, as the histograms must show them.
  auto weights = cue::lambda_callback{cue::on_epoch_end([&](auto& ctx) {
    if (ctx.epoch() % 2 == 0) {
      expect.histogram("sequential/dense/kernel/histogram", ctx.epoch(), learner.kernel);
      expect.histogram("sequential/dense/bias/histogram", ctx.epoch(), learner.bias);
    }
  })};
  const auto h = cue::fit(learner, three_batches, three_batches, {.epochs = 4, .validation_freq = 2, .verbose = 0},
                          tb, weights);
  for (std::size_t i = 0; i < h.epochs().size(); ++i) {
    const int e = h.epochs()[i];
    expect.scalar("train", "epoch_loss", e, h["loss"][i]);
    expect.scalar("train", "epoch_accuracy", e, h["accuracy"][i]);
    expect.scalar("train", "epoch_learning_rate", e, h["learning_rate"][i]);
    expect.out << "present train epoch_steps_per_second " << e << '\n';
  }
  // val_* only on the epochs that validated (1 and 3), as history records them.
  for (std::size_t i = 0; i < h["val_loss"].size(); ++i) {
    const int e = 2 * static_cast<int>(i) + 1;
    expect.scalar("validation", "epoch_loss", e, h["val_loss"][i]);
    expect.scalar("validation", "epoch_accuracy", e, h["val_accuracy"][i]);
    expect.scalar("validation", "evaluation_loss_vs_iterations", 3 * (e + 1), h["val_loss"][i]);
    expect.scalar("validation", "evaluation_accuracy_vs_iterations", 3 * (e + 1), h["val_accuracy"][i]);
  }
  expect.out << "hparams learning_rate=0.5 optimizer=sgd shuffle=true\n";
}

TEST_CASE("sample: update_freq in batches, from an initial epoch > 0, without validation", "[tb-sample]") {
  const auto dir = sample_dir("batches");
  counting_learner learner;
  expectations expect(dir / "expected.txt");
  long long fit_batches = 0;
  auto running = cue::lambda_callback{cue::on_train_batch_end([&](auto& ctx) {
    if (++fit_batches % 2 == 0) {
      expect.scalar("train", "batch_loss", fit_batches, cue::get<"loss">(ctx.logs()));
      expect.scalar("train", "batch_accuracy", fit_batches, cue::get<"accuracy">(ctx.logs()));
    }
  })};
  const auto h = cue::fit(learner, three_batches, {.epochs = 5, .initial_epoch = 2, .verbose = 0}, running,
                          cue::tensorboard({.log_dir = (dir / "logs").string(), .update_freq = 2}));
  for (std::size_t i = 0; i < h.epochs().size(); ++i) {
    expect.scalar("train", "epoch_loss", h.epochs()[i], h["loss"][i]);
    expect.scalar("train", "epoch_accuracy", h.epochs()[i], h["accuracy"][i]);
    expect.scalar("train", "epoch_learning_rate", h.epochs()[i], h["learning_rate"][i]);
  }
  expect.out << "no-run validation\n";
}

TEST_CASE("sample: a run cut mid-epoch and resumed by backup_and_restore continues its curves", "[tb-sample]") {
  const auto dir = sample_dir("resumed");
  expectations expect(dir / "expected.txt");
  const auto logs = (dir / "logs").string(), backup = (dir / "backup").string();
  auto record = [&](long long& fit_batches) {
    return cue::lambda_callback{cue::on_train_batch_end([&](auto& ctx) {
      fit_batches = static_cast<long long>(ctx.step()) + 1;
      expect.scalar("train", "batch_loss", fit_batches, cue::get<"loss">(ctx.logs()));
      expect.scalar("train", "batch_accuracy", fit_batches, cue::get<"accuracy">(ctx.logs()));
    })};
  };
  auto expect_epochs = [&](const cue::history& h) {
    for (std::size_t i = 0; i < h.epochs().size(); ++i)
      for (const char* name : {"loss", "accuracy", "learning_rate"})
        expect.scalar("train", std::string("epoch_") + name, h.epochs()[i], h[name][i]);
  };
  long long first_batches = 0, second_batches = 0;
  cue::history first_history;
  {
    counting_learner learner;
    CHECK_THROWS_AS(cue::fit(learner, three_batches, {.epochs = 4, .verbose = 0}, record(first_batches),
                             cue::callbacks{first_history}, cue::backup_and_restore({.backup_dir = backup}),
                             cue::tensorboard({.log_dir = logs, .update_freq = 1}), cue_test::crash_at_batch{2, 1}),
                    std::runtime_error);
  }
  expect_epochs(first_history);
  CHECK(first_batches == 8);  // epoch 2's second batch; the backup holds epochs 0 and 1
  counting_learner learner;
  const auto h = cue::fit(learner, three_batches, {.epochs = 4, .verbose = 0}, record(second_batches),
                          cue::backup_and_restore({.backup_dir = backup}),
                          cue::tensorboard({.log_dir = logs, .update_freq = 1}));
  CHECK(second_batches == 12);  // steps 7 to 12: the curve goes on where the backup was made
  expect_epochs(h);
  expect.out << "later-wins\nno-run validation\n";
}

// Runs until killed: tensorboard_check.py kills it mid-epoch and reads what is on disk.
TEST_CASE("sample: a run killed mid-epoch", "[.tb-killed]") {
  const auto dir = sample_dir("killed");
  counting_learner learner;
  auto slow = cue::lambda_callback{cue::on_train_batch_end([](auto&) { std::this_thread::sleep_for(std::chrono::milliseconds(2)); })};
  std::vector<batch> many(50, batch{1.0});
  std::ofstream(dir / "started") << "yes";
  cue::fit(learner, many, {.epochs = 100000, .verbose = 0}, slow,
           cue::tensorboard({.log_dir = (dir / "logs").string(), .update_freq = 1}));
}

TEST_CASE("CRC-32C and its mask give the published check values") {
  CHECK(cue::io::crc32c("123456789") == 0xE3069283u);
  CHECK(cue::io::crc32c("abcd") == 0x92C80A31u);
  CHECK(cue::io::crc32c(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(cue::io::crc32c(std::string(32, '\xff')) == 0x62A8AB43u);
  CHECK(cue::io::masked_crc32c(std::string_view("\x1a\x11" "CRC test, one two", 19)) == 0x5794D08Au);
  CHECK(cue::io::masked_crc32c(std::string_view("\x18\0\0\0\0\0\0\0", 8)) == 0x224B7FA3u);
}

TEST_CASE("a scalar's record is byte for byte the one tf.summary.scalar wrote (TensorBoard's test file)") {
  // tf.summary.scalar("accuracy", 0.99, step=77), from tensorboard/data/server/tf_record.rs.
  const unsigned char wall[] = {0xc4, 0x05, 0xb7, 0x3d, 0x99, 0xd6, 0xd7, 0x41};
  double wall_time;
  std::memcpy(&wall_time, wall, 8);
  std::string record;
  cue::io::append_tfrecord(record, cue::io::tf_event::scalar(wall_time, 77, "accuracy", 0.99));
  const std::string expected =
      std::string("\x32\0\0\0\0\0\0\0" "\x24\x19\x56\xec", 12) + std::string("\x09", 1) +
      std::string(reinterpret_cast<const char*>(wall), 8) + std::string("\x10\x4d\x2a\x25\x0a\x23\x0a\x08", 8) +
      "accuracy" + std::string("\x42\x0a\x08\x01\x12\x00\x22\x04\xa4\x70\x7d\x3f\x4a\x0b\x0a\x09\x0a\x07", 18) +
      "scalars" + std::string("\xa5\x5b\x64\x33", 4);
  CHECK(record == expected);
}

TEST_CASE("histogram buckets follow TensorBoard's rules") {
  const std::vector<double> none;
  const auto empty = cue::io::tf_event::buckets<double>(none);
  REQUIRE(empty.size() == 30);
  CHECK(empty[29].count == 0);
  const std::vector<double> same{2, 2, 2};
  const auto flat = cue::io::tf_event::buckets<double>(same);
  CHECK(flat[29].count == 3);
  CHECK((flat[0].left == 2 && flat[0].right == 2 && flat[0].count == 0));
  const std::vector<double> spread{0, 1, 2, 3};
  const auto b = cue::io::tf_event::buckets<double>(spread, 3);
  CHECK((b[0].left == 0 && b[0].right == 1 && b[0].count == 1));  // [0, 1)
  CHECK(b[1].count == 1);
  CHECK((b[2].right == 3 && b[2].count == 2));  // the last bucket is closed: 2 and 3
}

TEST_CASE("histograms from a learner without named weights fail at train begin, naming the fix") {
  unnamed_learner learner;
  const auto dir = fs::temp_directory_path() / "cue-tb-unnamed";
  CHECK_THROWS_WITH(cue::fit(learner, three_batches, {.epochs = 1, .verbose = 0},
                             cue::tensorboard({.log_dir = dir.string(), .histogram_freq = 1})),
                    Catch::Contains("histogram_freq = 1 needs a learner with named_weights()"));
  STATIC_REQUIRE(cue::has_named_weights<counting_learner>);
  STATIC_REQUIRE_FALSE(cue::has_named_weights<unnamed_learner>);
  fs::remove_all(dir);
}

TEST_CASE("tensorboard's options are checked at construction") {
  CHECK_THROWS_WITH(cue::tensorboard({.log_dir = ""}), Catch::Contains("log_dir is empty"));
  CHECK_THROWS_WITH(cue::tensorboard({.histogram_freq = -1}), Catch::Contains("histogram_freq must be >= 0"));
  CHECK_THROWS_WITH(cue::tensorboard({.update_freq = 0}), Catch::Contains("update_freq must be"));
  const cue::tensorboard_options o;
  CHECK(o.log_dir == "logs");
  CHECK(o.histogram_freq == 0);
  CHECK_FALSE(o.write_steps_per_second);
  CHECK(o.update_freq.per_epoch);
}

TEST_CASE("each epoch is on disk soon after its end, while training goes on") {
  const auto dir = fs::temp_directory_path() / "cue-tb-live";
  fs::remove_all(dir);
  counting_learner learner;
  std::uintmax_t seen_at_epoch_1 = 0;
  auto look = cue::lambda_callback{cue::on_epoch_begin([&](auto& ctx) {
    if (ctx.epoch() != 1) return;
    for (int i = 0; i < 500 && seen_at_epoch_1 < 200; ++i) {  // the flush is queued: give it 5 s
      std::error_code none_yet;
      for (const auto& f : fs::directory_iterator(dir / "train", none_yet)) seen_at_epoch_1 = fs::file_size(f.path());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  })};
  cue::fit(learner, three_batches, {.epochs = 2, .verbose = 0}, cue::tensorboard({.log_dir = dir.string()}), look);
  CHECK(seen_at_epoch_1 >= 200);  // the header and epoch 0's three scalars
  fs::remove_all(dir);
}

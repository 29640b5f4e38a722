// Fashion-MNIST from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <cue/data/dataset.hpp>
#include <cue/data/idx.hpp>

namespace cue::data {

/// Where Debian's package `dataset-fashion-mnist` installs the files.
inline const std::filesystem::path fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";

/// Images (flattened to 784 floats scaled to [0, 1]) and labels from an IDX pair; the counts
/// must agree, else an error names both files.
inline dataset load_idx_pair(const std::filesystem::path& images, const std::filesystem::path& labels) {
  const auto img = read_idx(images);
  const auto lab = read_idx(labels);
  if (img.dimension() != 3)
    throw std::runtime_error("cue: " + images.string() + ": expected 3 dimensions (count, rows, "
                             "columns), found " + std::to_string(img.dimension()));
  if (lab.dimension() != 1)
    throw std::runtime_error("cue: " + labels.string() + ": expected 1 dimension, found " +
                             std::to_string(lab.dimension()));
  if (img.shape()[0] != lab.shape()[0])
    throw std::runtime_error("cue: " + images.string() + " has " + std::to_string(img.shape()[0]) +
                             " images but " + labels.string() + " has " +
                             std::to_string(lab.shape()[0]) + " labels");
  const std::size_t n = img.shape()[0], d = img.shape()[1] * img.shape()[2];
  dataset out{xt::xtensor<float, 2>::from_shape({n, d}), xt::xtensor<std::int32_t, 1>::from_shape({n})};
  for (std::size_t i = 0; i < n * d; ++i) out.x.data()[i] = static_cast<float>(img.data()[i]) / 255.0f;
  for (std::size_t i = 0; i < n; ++i) out.y(i) = lab(i);
  return out;
}

/// The training and test sets of Fashion-MNIST from `dir` (the four standard .gz files).
struct fashion_mnist {
  dataset train, test;
  explicit fashion_mnist(const std::filesystem::path& dir = fashion_mnist_dir)
      : train(load_idx_pair(dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz")),
        test(load_idx_pair(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz")) {}
};

}  // namespace cue::data

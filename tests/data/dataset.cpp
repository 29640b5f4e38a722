#include <cue/data/dataset.hpp>

#include <ranges>
#include <set>
#include <vector>

#include <catch2/catch.hpp>

namespace {
cue::data::dataset numbered(std::size_t n) {
  cue::data::dataset d{xt::xtensor<float, 2>::from_shape({n, 2}), xt::xtensor<std::int32_t, 1>::from_shape({n})};
  for (std::size_t i = 0; i < n; ++i) d.x(i, 0) = static_cast<float>(i), d.x(i, 1) = -1.0f, d.y(i) = static_cast<int>(i);
  return d;
}
std::vector<int> order_of(const cue::data::batches& b) {
  std::vector<int> out;
  for (const auto& batch : b)
    for (auto y : batch.y) out.push_back(y);
  return out;
}
}  // namespace

TEST_CASE("batches cover every example once per pass, the last one partial") {
  const auto d = numbered(10);
  cue::data::batches b(d, {.batch_size = 4, .shuffle = false});
  STATIC_REQUIRE(std::ranges::input_range<cue::data::batches>);
  STATIC_REQUIRE(std::ranges::sized_range<cue::data::batches>);
  CHECK(b.size() == 3);
  std::vector<std::size_t> sizes;
  for (const auto& batch : b) sizes.push_back(batch.size());
  CHECK(sizes == std::vector<std::size_t>{4, 4, 2});
  CHECK(order_of(b) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("shuffling gives each pass its own order, the same for the same seed and pass") {
  const auto d = numbered(50);
  cue::data::batches a(d, {.batch_size = 8, .seed = 3});
  cue::data::batches b(d, {.batch_size = 8, .seed = 3});
  const auto a1 = order_of(a), a2 = order_of(a);
  CHECK(a1 != a2);
  CHECK(std::set<int>(a1.begin(), a1.end()).size() == 50);
  CHECK(order_of(b) == a1);
  CHECK(order_of(b) == a2);
  CHECK(a.passes() == 2);
  cue::data::batches resumed(d, {.batch_size = 8, .seed = 3});
  resumed.set_passes(1);
  CHECK(order_of(resumed) == a2);  // a resumed run continues the sequence of orders
  cue::data::batches other(d, {.batch_size = 8, .seed = 4});
  CHECK(order_of(other) != a1);
}

TEST_CASE("split keeps the first part for training and the last for validation, as Keras") {
  const auto [train, val] = cue::data::split(numbered(10), 0.2);
  CHECK(train.size() == 8);
  CHECK(val.size() == 2);
  CHECK(val.y(0) == 8);
  CHECK_THROWS_AS(cue::data::split(numbered(10), 1.5), std::invalid_argument);
  CHECK_THROWS_AS(cue::data::batches(train, {.batch_size = 0}), std::invalid_argument);
}

TEST_CASE("during a pass, the saved state deals that pass again; after it, the next one") {
  const auto d = numbered(10);
  cue::data::batches b(d, {.batch_size = 4, .seed = 3});
  (void)order_of(b);  // pass 0 done
  CHECK(b.state_dict().at("passes") == "1");
  auto it = b.begin();  // pass 1 under way
  const auto first = (*it).y;
  ++it;
  const auto saved = b.state_dict();
  CHECK(saved.at("passes") == "1");
  cue::data::batches resumed(d, {.batch_size = 4, .seed = 3});
  resumed.load_state_dict(saved);
  const bool same_order = (*resumed.begin()).y == first;  // the interrupted pass, from its start
  CHECK(same_order);
  ++it, ++it;                            // pass 1 complete
  CHECK(b.state_dict().at("passes") == "2");
  CHECK_THROWS_WITH(resumed.load_state_dict({{"passes", "x"}}), "cue: state: 'x' is not a whole number that fits");
}

TEST_CASE("first(n) copies the first n examples, or all of them when there are fewer") {
  const auto d = numbered(10);
  const auto part = d.first(3);
  REQUIRE(part.size() == 3);
  CHECK(part.x(2, 0) == 2.0f);
  CHECK(part.y(2) == 2);
  CHECK(part.x.shape()[1] == 2);
  CHECK(d.first(50).size() == 10);
}

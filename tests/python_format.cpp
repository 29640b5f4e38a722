// Expected strings are what Python 3 prints for the same format and value.
#include <cue/progbar_number.hpp>
#include <cue/python_format.hpp>

#include <cmath>
#include <optional>
#include <stdexcept>

#include <catch2/catch.hpp>

TEST_CASE("python_repr is Python's repr(float)") {
  CHECK(cue::python_repr(0.5) == "0.5");
  CHECK(cue::python_repr(1.0) == "1.0");
  CHECK(cue::python_repr(0.1) == "0.1");
  CHECK(cue::python_repr(1e-5) == "1e-05");
  CHECK(cue::python_repr(0.0001) == "0.0001");
  CHECK(cue::python_repr(1e16) == "1e+16");
  CHECK(cue::python_repr(123456789012345.6) == "123456789012345.6");
  CHECK(cue::python_repr(-0.0) == "-0.0");
  CHECK(cue::python_repr(1.5e-7) == "1.5e-07");
  CHECK(cue::python_repr(std::nan("")) == "nan");
  CHECK(cue::python_repr(-INFINITY) == "-inf");
  CHECK(cue::python_repr(0.30000000000000004) == "0.30000000000000004");
}

TEST_CASE("python_format_value follows Python's format specs") {
  using cue::python_format_value;
  CHECK(python_format_value(3LL, "02d") == "03");
  CHECK(python_format_value(3LL, "") == "3");
  CHECK(python_format_value(3LL, "5") == "    3");
  CHECK(python_format_value(12.34567, "08.4f") == "012.3457");
  CHECK(python_format_value(1.23e-4, ".3e") == "1.230e-04");
  CHECK(python_format_value(2.675, ".2f") == "2.67");  // correctly rounded from the binary value
  CHECK(python_format_value(0.125, ".2f") == "0.12");
  CHECK(python_format_value(-0.001, ".2f") == "-0.00");
  CHECK(python_format_value(0.0001, "g") == "0.0001");
  CHECK(python_format_value(1e-5, "g") == "1e-05");
  CHECK(python_format_value(100000.0, "g") == "100000");
  CHECK(python_format_value(1000000.0, "g") == "1e+06");
  CHECK(python_format_value(0.256, ".1%") == "25.6%");
  CHECK(python_format_value(0.5, ">8") == "     0.5");
  CHECK(python_format_value(1.5, "*<7.2f") == "1.50***");
  CHECK(python_format_value(2.0, "+.1f") == "+2.0");
  CHECK(python_format_value(std::nan(""), "08.2f") == "00000nan");
  CHECK(python_format_value(INFINITY, "e") == "inf");
  CHECK(python_format_value(0.5, "") == "0.5");
  CHECK_THROWS_AS(python_format_value(0.5, "02d"), std::invalid_argument);  // Python: ValueError
  CHECK_THROWS_AS(python_format_value(0.5, "2q"), std::invalid_argument);
}

TEST_CASE("python_format fills named fields, with literal braces") {
  auto lookup = [](std::string_view name) -> std::optional<cue::format_value> {
    if (name == "epoch") return cue::format_value{4LL};
    if (name == "val_loss") return cue::format_value{0.3456};
    return std::nullopt;
  };
  CHECK(cue::python_format("ckpt-{epoch:02d}-{val_loss:.2f}.bin", lookup) == "ckpt-04-0.35.bin");
  CHECK(cue::python_format("{{epoch}}-{epoch}", lookup) == "{epoch}-4");
  CHECK_THROWS_WITH(cue::python_format("m-{val_los}.bin", lookup),
                    "cue: \"m-{val_los}.bin\" names 'val_los', which has no value here");
  CHECK_THROWS_AS(cue::python_format("m-{epoch", lookup), std::invalid_argument);
  CHECK(cue::format_fields("a{x:02d}b{y}").size() == 2);
}

TEST_CASE("widths and precisions past max_format_width are refused, naming the spec, before any work") {
  STATIC_REQUIRE(cue::max_format_width == 100);
  // Before: a 2 GB string; 73 s and 4.9 GB; an int overflow (undefined behaviour).
  CHECK_THROWS_WITH(cue::python_format_value(1LL, "2147483647d"),
                    "cue: the format spec ':2147483647d' asks for a width above 100, the most cue allows");
  CHECK_THROWS_WITH(cue::python_format_value(0.5, ".999999999f"),
                    "cue: the format spec ':.999999999f' asks for a precision above 100, the most cue allows");
  CHECK_THROWS_WITH(cue::python_format_value(1LL, "9999999999999999999999d"), Catch::Contains("a width above 100"));
  CHECK(cue::python_format_value(1LL, "0100d").size() == 100);
  CHECK(cue::python_format_value(1e308, ".100f").size() == 309 + 1 + 100);
  // In a file path template, the error names the spec.
  CHECK_THROWS_WITH(cue::python_format("ck-{epoch:2147483647d}.bin", [](std::string_view) { return cue::format_value{1LL}; }),
                    Catch::Contains("':2147483647d'"));
}

TEST_CASE("progbar_number prints as Keras's progress bar does") {
  // Python: f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"
  CHECK(cue::progbar_number(1.6562307168627963) == "1.6562");
  CHECK(cue::progbar_number(0.3830327728791299) == "0.3830");
  CHECK(cue::progbar_number(1234.56789) == "1234.5679");
  CHECK(cue::progbar_number(12.0) == "12.0000");
  CHECK(cue::progbar_number(-2.5) == "-2.5000");
  CHECK(cue::progbar_number(0.0010001) == "0.0010");
  CHECK(cue::progbar_number(0.001) == "1.0000e-03");
  CHECK(cue::progbar_number(-0.0005) == "-5.0000e-04");
  CHECK(cue::progbar_number(0.0) == "0.0000e+00");
  CHECK(cue::progbar_number(1e-12) == "1.0000e-12");
  CHECK(cue::progbar_number(std::nan("")) == "nan");
  CHECK(cue::progbar_number(-std::nan("")) == "nan");
  CHECK(cue::progbar_number(INFINITY) == "inf");
  CHECK(cue::progbar_number(-INFINITY) == "-inf");
}

// SPDX-License-Identifier: Apache-2.0
// `weft plan`'s drawing and counts, over the corpus and (with ../shared) the
// MLPerf Tiny models on 1 and 2 cores: every tensor block of the SVG lies
// inside the arena box and below its title, each at its own size; the waits
// plan reports are the waits the executor performs (the schedule's segments,
// one probe slot each, which is what `weft bench` counts).
#include "model.hpp"
#include "report.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace weft;

namespace {

std::vector<fs::path> models() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(WEFT_CORPUS_DIR)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("good_", 0) == 0 && e.path().extension() == ".tflite") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  const fs::path shared = fs::path(WEFT_SHARED_DIR) / "models";
  for (const char* name : {"kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"})
    if (fs::exists(shared / (std::string(name) + ".tflite"))) files.push_back(shared / (std::string(name) + ".tflite"));
  return files;
}

struct box {
  double x = 0, y = 0, w = 0, h = 0;
};

// The attributes of an SVG element as text.
std::map<std::string, std::string> attributes(const std::string& element) {
  static const std::regex attr("([a-z-]+)='([^']*)'");
  std::map<std::string, std::string> a;
  for (auto it = std::sregex_iterator(element.begin(), element.end(), attr); it != std::sregex_iterator(); ++it)
    a[(*it)[1].str()] = (*it)[2].str();
  return a;
}

box box_of(std::map<std::string, std::string>& a) {
  return {std::stod(a["x"]), std::stod(a["y"]), std::stod(a["width"]), std::stod(a["height"])};
}

struct drawing {
  box arena{};
  bool has_arena = false;
  double title_y = -1;  // the arena title's baseline
  std::vector<box> tensors;
};

// The arena box (the rect with the light grey stroke, class 'arena'), its
// title, and the tensor blocks (the translucent rects, class 'tensor').
drawing parse(const std::string& svg) {
  drawing d;
  static const std::regex element("<(rect|text) [^>]*>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), element); it != std::sregex_iterator(); ++it) {
    const std::string e = it->str();
    auto a = attributes(e);
    if ((*it)[1] == "text") {
      if (a["class"] == "arena-title" ||
          svg.compare(static_cast<std::size_t>(it->position() + it->length()), 6, "Arena:") == 0)
        d.title_y = std::stod(a["y"]);
      continue;
    }
    if (a["class"] == "arena" || a["stroke"] == "#ccc") {
      d.arena = box_of(a);
      d.has_arena = true;
    } else if (a["class"] == "tensor" || a["fill-opacity"] == "0.75") {
      d.tensors.push_back(box_of(a));
    }
  }
  return d;
}

}  // namespace

TEST_CASE("plan --svg draws every tensor inside the arena box, below its title", "[tool][svg]") {
  const auto files = models();
  REQUIRE(files.size() >= 4);
  if (!fs::exists(fs::path(WEFT_SHARED_DIR) / "models" / "kws_ref_model.tflite"))
    WARN("the MLPerf models (" WEFT_SHARED_DIR "/models) are not there: the corpus only");
  for (const fs::path& file : files) {
    const tool::imported_model m = tool::import_tflite(tool::read_file(file.string()));
    for (int cores : {1, 2}) {
      INFO(file.filename().string() << " on " << cores << " cores");
      const drawing d = parse(tool::plan_svg(m, file.filename().string(), core_profile::uniform(cores)));
      REQUIRE(d.has_arena);
      REQUIRE(d.title_y > 0);
      // The title's text (13 px) sits wholly above the box.
      REQUIRE(d.title_y + 4 <= d.arena.y);
      const double slack = 0.11;  // coordinates are printed to 0.1
      for (const box& b : d.tensors) {
        INFO("block at x " << b.x << " y " << b.y << " width " << b.w << " height " << b.h << "; arena x " << d.arena.x
                           << " y " << d.arena.y << " width " << d.arena.w << " height " << d.arena.h);
        CHECK(b.x >= d.arena.x - slack);
        CHECK(b.y >= d.arena.y - slack);
        CHECK(b.x + b.w <= d.arena.x + d.arena.w + slack);
        CHECK(b.y + b.h <= d.arena.y + d.arena.h + slack);
      }
      // One block per tensor but reshapes' outputs (their input's bytes).
      int drawn = 0;
      for (int t = 0; t < m.graph->tensor_count; ++t) {
        const int p = m.graph->producer[static_cast<std::size_t>(t)];
        drawn += p < 0 || m.graph->at(p).kind != op::reshape;
      }
      CHECK(static_cast<int>(d.tensors.size()) == drawn);
    }
  }
}

TEST_CASE("plan reports the waits the executor performs", "[tool][schedule]") {
  static const std::regex text_waits("\nwaits: +([0-9]+) ");
  static const std::regex json_waits("\"waits\": ([0-9]+),");
  for (const fs::path& file : models()) {
    const tool::imported_model m = tool::import_tflite(tool::read_file(file.string()));
    for (int cores : {1, 2, 4}) {
      INFO(file.filename().string() << " on " << cores << " cores");
      const core_profile p = core_profile::uniform(cores);
      const auto s = tool::schedule_of(m, p);
      // An executor ends every segment with a barrier on several cores: the
      // waits before operators, plus the one where the inference ends.
      const int executed = cores > 1 ? s->segments : 0;
      REQUIRE(s->waits_per_inference() == executed);
      REQUIRE(s->segments == s->waits + 1);
      std::smatch match;
      const std::string json = tool::plan_json(m, p);
      REQUIRE(std::regex_search(json, match, json_waits));
      REQUIRE(std::stoi(match[1].str()) == executed);
      const std::string text = tool::plan_text(m, file.filename().string(), p);
      if (cores > 1) {
        REQUIRE(std::regex_search(text, match, text_waits));
        REQUIRE(std::stoi(match[1].str()) == executed);
      }
      const std::string svg = tool::plan_svg(m, file.filename().string(), p);
      REQUIRE(svg.find("; " + std::to_string(executed) + " waits") != std::string::npos);
    }
  }
}

TEST_CASE("kws on 2 cores: 11 waits, 10 of them before operators", "[tool][schedule][mlperf]") {
  const fs::path kws = fs::path(WEFT_SHARED_DIR) / "models" / "kws_ref_model.tflite";
  if (!fs::exists(kws)) {
    WARN("SKIPPED: " << kws << " is not there");
    return;
  }
  const tool::imported_model m = tool::import_tflite(tool::read_file(kws.string()));
  const std::string json = tool::plan_json(m, core_profile::uniform(2));
  REQUIRE(json.find("\"waits\": 11, \"waits_before_operators\": 10,") != std::string::npos);
}

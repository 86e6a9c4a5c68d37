// SPDX-License-Identifier: Apache-2.0
// Gives each whole network of the corpus (good_<name>.tflite, written by
// make_corpus.py) an input (.in.bin) and the output the test run-time path
// computes for it (.out.bin). The command-line, generated-model and board
// tests check weft run, compiled model types and firmware against these.
#include "model.hpp"
#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

void write(const std::string& path, const void* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::fprintf(stderr, "corpus_expect: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: corpus_expect DIR\n");
    return 2;
  }
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(argv[1])) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("good_", 0) != 0 || entry.path().extension() != ".tflite") continue;
    const auto m = weft::tool::import_tflite(weft::tool::read_file(entry.path().string()));
    const auto& g = *m.graph;
    weft::test::rng r(5);
    weft::test::runtime_program p(g);
    std::vector<std::uint8_t> in(g.input_spec().bytes());
    if (g.input_spec().type == weft::dtype::float32) {
      const auto f = r.floats(in.size() / 4, -1.0, 1.0);
      std::memcpy(in.data(), f.data(), in.size());
    } else {
      const auto q = r.int8s(in.size());
      std::memcpy(in.data(), q.data(), in.size());
    }
    std::memcpy(p.bytes(g.input_tensor()).data(), in.data(), in.size());
    p.run();
    const std::string base = (entry.path().parent_path() / entry.path().stem()).string();
    write(base + ".in.bin", in.data(), in.size());
    const auto out = p.bytes(g.output_tensor());
    write(base + ".out.bin", out.data(), out.size());
    ++count;
  }
  if (count == 0) {
    std::fprintf(stderr, "corpus_expect: no good_*.tflite in %s\n", argv[1]);
    return 1;
  }
  return 0;
}

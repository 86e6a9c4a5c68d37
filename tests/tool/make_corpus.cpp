// SPDX-License-Identifier: Apache-2.0
// Writes the importer's corpus to a directory: good_<name>.tflite with an
// input (.in.bin) and its expected output (.out.bin, computed by the test
// run-time path), and bad_<name>.tflite with the words its error must contain
// (.expect). The command-line tests, the generated-model tests and the
// fuzzer's seed corpus read it.
#include "corpus.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace {

void write(const std::string& path, const void* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::fprintf(stderr, "make_corpus: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  for (const auto& m : weft::test::good_models()) {
    const auto bytes = weft::tool::pack(weft::tool::to_tflite(*m.g));
    const std::string base = dir + "/good_" + m.name;
    write(base + ".tflite", bytes.data(), bytes.size());
    weft::test::rng r(5);
    weft::test::runtime_program p(*m.g);
    std::vector<std::uint8_t> in(m.g->input_spec().bytes());
    if (m.g->input_spec().type == weft::dtype::float32) {
      const auto f = r.floats(in.size() / 4, -1.0, 1.0);
      std::memcpy(in.data(), f.data(), in.size());
    } else {
      const auto q = r.int8s(in.size());
      std::memcpy(in.data(), q.data(), in.size());
    }
    std::memcpy(p.bytes(m.g->input_tensor).data(), in.data(), in.size());
    p.run();
    write(base + ".in.bin", in.data(), in.size());
    const auto out = p.bytes(m.g->output_tensor);
    write(base + ".out.bin", out.data(), out.size());
  }
  for (const auto& b : weft::test::bad_models()) {
    write(dir + "/bad_" + b.name + ".tflite", b.bytes.data(), b.bytes.size());
    write(dir + "/bad_" + b.name + ".expect", b.expect.data(), b.expect.size());
  }
  return 0;
}

// SPDX-License-Identifier: Apache-2.0
// Runs the model weft_add_model imported on an input file and compares the
// output with an expected file: exit 0 when they are equal.
#include <imported.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  std::ifstream in(argv[1], std::ios::binary), want(argv[2], std::ios::binary);
  const std::vector<char> x((std::istreambuf_iterator<char>(in)), {}), y((std::istreambuf_iterator<char>(want)), {});
  static weft::instance<imported> net;
  if (x.size() != weft::compiled<imported>::input_spec.bytes()) return 2;
  std::memcpy(net.input().data(), x.data(), x.size());
  net.invoke();
  const bool same = y.size() == weft::compiled<imported>::output_spec.bytes() &&
                    std::memcmp(net.output().data(), y.data(), y.size()) == 0;
  std::printf("consumer: %s\n", same ? "output as expected" : "output DIFFERS");
  return same ? 0 : 1;
}

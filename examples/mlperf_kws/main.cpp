// SPDX-License-Identifier: Apache-2.0
// A .tflite model imported at build time (weft_add_model in CMakeLists.txt):
// MLPerf Tiny's keyword-spotting network on the golden sample, which TFLite
// Micro classifies as label 5.
#include <kws.hpp>

#include <cstdio>
#include <fstream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s INPUT.bin (490 int8 MFCC values)\n", argv[0]);
    return 2;
  }
  static weft::instance<kws> net;
  std::ifstream in(argv[1], std::ios::binary);
  in.read(reinterpret_cast<char*>(net.input().data()), static_cast<std::streamsize>(net.input().size()));
  if (!in) {
    std::fprintf(stderr, "cannot read %zu bytes from %s\n", net.input().size(), argv[1]);
    return 2;
  }
  net.invoke();
  const auto out = net.output();
  std::size_t best = 0;
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i] > out[best]) best = i;
  std::printf("kws: %d operators, arena %zu bytes (lower bound %zu), label %zu with p = %.3f\n",
              weft::compiled<kws>::operator_count, weft::compiled<kws>::arena_bytes,
              weft::compiled<kws>::arena_lower_bound_bytes, best, (out[best] + 128) / 256.0);
  return 0;
}

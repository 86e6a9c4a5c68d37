// SPDX-License-Identifier: Apache-2.0
// The host program `weft run` builds for a model: reads one input tensor,
// runs inference and writes the output tensor, and with a dump directory
// every operator's output as DIR/opNNN.bin (NNN: the operator's index in the
// .tflite's execution order). The model header comes in with -include and
// WEFT_MODEL names its struct.
#include <weft/weft.hpp>

#include <cstdio>
#include <string>

#ifndef WEFT_MODEL
#error "compile with -DWEFT_MODEL=<model struct> -include <model header>"
#endif

namespace {

using program = weft::compiled<WEFT_MODEL>;

bool write_file(const std::string& path, const void* data, std::size_t size) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(data, 1, size, f) == size;
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

struct dumper {
  const char* dir;
  bool ok = true;
  void operator()(int op, std::span<const std::byte> out) {
    char name[32];
    std::snprintf(name, sizeof name, "/op%03d.bin", op);
    ok = write_file(std::string(dir) + name, out.data(), out.size()) && ok;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s INPUT.bin OUTPUT.bin [DUMP_DIR]\n", argv[0]);
    return 2;
  }
  static weft::instance<WEFT_MODEL> net;
  auto in = net.input();
  const std::size_t need = in.size() * sizeof(*in.data());
  std::FILE* f = std::fopen(argv[1], "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "weft: error: cannot open input '%s'\n", argv[1]);
    return 2;
  }
  const std::size_t got = std::fread(in.data(), 1, need, f);
  const bool extra = std::fgetc(f) != EOF;
  std::fclose(f);
  if (got != need || extra) {
    std::fprintf(stderr, "weft: error: input '%s' must hold exactly %zu bytes (the model's %s input, %d elements)\n",
                 argv[1], need, weft::name_of(program::input_spec.type), static_cast<int>(in.size()));
    return 2;
  }
  if (argc > 3) {
    dumper d{argv[3]};
    net.invoke(d);
    if (!d.ok) {
      std::fprintf(stderr, "weft: error: cannot write operator outputs to '%s'\n", argv[3]);
      return 1;
    }
  } else {
    net.invoke();
  }
  auto out = net.output();
  if (!write_file(argv[2], out.data(), out.size() * sizeof(*out.data()))) {
    std::fprintf(stderr, "weft: error: cannot write output '%s'\n", argv[2]);
    return 1;
  }
  return 0;
}

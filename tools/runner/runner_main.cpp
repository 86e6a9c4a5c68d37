// SPDX-License-Identifier: Apache-2.0
// The host program `weft run` and `weft bench` build for a model. The model
// header comes in with -include, WEFT_MODEL names its struct, WEFT_SPEEDS
// (optional) lists the relative speeds of the cores to plan for.
//   runner IN.bin OUT.bin [DUMP_DIR]   one inference per record of IN.bin (a
//                                      record: every model input's bytes, in
//                                      order; one or several records, one
//                                      after another), the output records
//                                      (every output's bytes) likewise in
//                                      OUT.bin; with
//                                      DUMP_DIR (one record only) every
//                                      operator's output as DUMP_DIR/opNNN.bin
//                                      (run with the observable memory plan:
//                                      no operator in place or fused, so each
//                                      file is that operator's own output)
//   runner --bench N                   N timed inferences on a fixed input;
//                                      prints "median_ns min_ns N"
#include <weft/exec/host_threads.hpp>
#include <weft/weft.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#ifndef WEFT_MODEL
#error "compile with -DWEFT_MODEL=<model struct> -include <model header>"
#endif
#ifndef WEFT_SPEEDS
#define WEFT_SPEEDS 1.0f
#endif

namespace {

constexpr float speeds[] = {WEFT_SPEEDS};
// Threads of the host, whose caches share lines (the plan `weft plan` shows).
constexpr weft::core_profile profile = weft::core_profile::with_speeds(speeds).with_shared_lines(weft::host_line_bytes);
using program = weft::compiled<WEFT_MODEL, profile>;

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

using net_type = weft::instance<WEFT_MODEL, profile>;

constexpr std::size_t in_record = program::input_record_bytes;
constexpr std::size_t out_record = program::output_record_bytes;

template <class Net>
void load_inputs(Net& net, const std::byte* record) {
  for (int k = 0; k < program::input_count; ++k) {
    const auto in = net.input_bytes(k);
    std::memcpy(in.data(), record, in.size());
    record += in.size();
  }
}
template <class Net>
void store_outputs(const Net& net, std::byte* record) {
  for (int k = 0; k < program::output_count; ++k) {
    const auto out = net.output_bytes(k);
    std::memcpy(record, out.data(), out.size());
    record += out.size();
  }
}

// A fixed pseudo-random value for every input element.
template <int K>
void fill_input(net_type& net, std::uint64_t& state) {
  for (auto& x : net.template input<K>()) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = static_cast<std::remove_reference_t<decltype(x)>>(static_cast<std::int8_t>(state >> 56));
  }
}

int bench(net_type& net, weft::host_threads<profile.cores>& exec, int iterations) {
  std::uint64_t state = 0x5EED;
  [&]<int... K>(std::integer_sequence<int, K...>) { (fill_input<K>(net, state), ...); }
  (std::make_integer_sequence<int, program::input_count>{});
  for (int k = 0; k < 3; ++k) net.invoke(exec);  // warm up caches and threads
  std::vector<std::int64_t> ns(static_cast<std::size_t>(iterations));
  for (auto& t : ns) {
    const auto start = std::chrono::steady_clock::now();
    net.invoke(exec);
    t = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  }
  std::sort(ns.begin(), ns.end());
  std::printf("%lld %lld %d\n", static_cast<long long>(ns[ns.size() / 2]), static_cast<long long>(ns.front()),
              iterations);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  static net_type net;
  // A dump runs the model planned without in-place operators or fused adds:
  // with the compact plan a convolution that does the next add never stores
  // its own output, and its file would hold the add's. Same outputs; a
  // larger arena, allocated only when dumping.
  using observable = weft::instance<WEFT_MODEL, profile, weft::memory_mode::observable>;
  weft::host_threads<profile.cores> exec;
  if (argc == 3 && std::string(argv[1]) == "--bench") return bench(net, exec, std::max(1, std::atoi(argv[2])));
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s INPUT.bin OUTPUT.bin [DUMP_DIR] | --bench N\n", argv[0]);
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "weft: error: cannot open input '%s'\n", argv[1]);
    return 2;
  }
  std::vector<std::byte> inputs;
  std::byte chunk[4096];
  for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, f)) > 0;)
    inputs.insert(inputs.end(), chunk, chunk + got);
  std::fclose(f);
  // The file holds one record or several, one after another: each runs in
  // turn and the output records follow one another in the same order.
  if (inputs.empty() || inputs.size() % in_record != 0) {
    std::fprintf(stderr,
                 "weft: error: input '%s' must hold %zu bytes (the model's %d input%s) or a whole number of such "
                 "records; it has %zu\n",
                 argv[1], in_record, program::input_count, program::input_count == 1 ? "" : "s, one after another",
                 inputs.size());
    return 2;
  }
  const std::size_t count = inputs.size() / in_record;
  if (argc > 3 && count != 1) {
    std::fprintf(stderr, "weft: error: --dump takes a single input; '%s' holds %zu\n", argv[1], count);
    return 2;
  }
  std::vector<std::byte> outputs(count * out_record);
  for (std::size_t k = 0; k < count; ++k) {
    load_inputs(net, inputs.data() + k * in_record);
    net.invoke(exec);
    store_outputs(net, outputs.data() + k * out_record);
  }
  if (argc > 3) {
    const auto observed = std::make_unique<observable>();
    load_inputs(*observed, inputs.data());
    dumper d{argv[3]};
    observed->invoke(exec, d);
    if (!d.ok) {
      std::fprintf(stderr, "weft: error: cannot write operator outputs to '%s'\n", argv[3]);
      return 1;
    }
    // OUT.bin holds the compact plan's outputs, as without --dump; the two
    // plans must agree on them.
    std::vector<std::byte> again(out_record);
    store_outputs(*observed, again.data());
    if (std::memcmp(again.data(), outputs.data(), out_record) != 0) {
      std::fprintf(stderr, "weft: internal error: the dumped run's output differs from the normal run's\n");
      return 1;
    }
  }
  if (!write_file(argv[2], outputs.data(), outputs.size())) {
    std::fprintf(stderr, "weft: error: cannot write output '%s'\n", argv[2]);
    return 1;
  }
  return 0;
}

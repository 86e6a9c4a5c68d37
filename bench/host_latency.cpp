// SPDX-License-Identifier: Apache-2.0
// Latency of one inference of each MLPerf Tiny model on this host, on 1 core
// and on 2 cores (host threads), measured side by side: blocks of 20 1-core
// inferences alternate with blocks of 20 2-core ones, so both see the same
// machine state, while within a block inferences follow each other as in a
// streaming application (the first of each 2-core block also pays for waking
// the worker thread).
// Prints the median and the fastest decile (less disturbed by other load) of
// each, and the plans' predicted balance on 2, 4 and 8 cores. A last row
// measures the machine itself the same way: an int8 dot product with no
// shared data and no synchronization, on one thread and on two, shows how
// much two cores of this host can give at best. The last column is the CPU
// time the process used per 2-core inference (both threads, spinning
// included): twice the latency when both cores are busy all along.
//   bench_host [--tsv] [N]   (default: 1000 inferences per model and core count)
// --tsv prints one line per model instead of the table: name, median 1 core,
// median 2 cores, p10 1 core, p10 2 cores, CPU per 2-core inference (ms);
// bench/host_idle_loaded.sh uses it to set figures with and without
// competing load side by side.
#include <ad.hpp>
#include <ic.hpp>
#include <kws.hpp>
#include <vww.hpp>

#include <weft/exec/host_threads.hpp>
#include <weft/weft.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace {

// Two host threads, planned as weft run plans them.
constexpr weft::core_profile host2 = weft::core_profile::uniform(2).with_shared_lines(weft::host_line_bytes);

using clock_type = std::chrono::steady_clock;

bool tsv = false;

double process_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

template <class Instance, class Exec>
double time_one(Instance& net, Exec& exec) {
  const auto t0 = clock_type::now();
  net.invoke(exec);
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - t0).count());
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

template <class Model>
void bench(const char* name, int pairs) {
  static weft::instance<Model> one;
  static weft::instance<Model, host2> two;
  weft::sequential<1> seq;
  weft::host_threads<2> threads;
  // The same pseudo-random input for both. The two plans may place tensors
  // differently (host threads keep cores off each other's cache lines), so
  // later operators may reuse the input's bytes differently: the input is
  // written again before the run whose outputs are compared.
  const auto fill_inputs = [&] {
    std::uint64_t s = 0x5EED;
    for (std::size_t i = 0; i < one.input().size(); ++i) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      one.input()[i] = two.input()[i] = static_cast<std::int8_t>(s >> 56);
    }
  };
  fill_inputs();
  for (int k = 0; k < 5; ++k) one.invoke(seq), two.invoke(threads);
  std::vector<double> t1, t2;
  double cpu2 = 0;
  constexpr int block = 20;
  for (int k = 0; k < pairs; k += block) {
    for (int i = 0; i < block; ++i) t1.push_back(time_one(one, seq));
    const double c0 = process_cpu_ns();
    for (int i = 0; i < block; ++i) t2.push_back(time_one(two, threads));
    cpu2 += process_cpu_ns() - c0;
  }
  cpu2 /= static_cast<double>(t2.size());
  fill_inputs();
  one.invoke(seq);
  two.invoke(threads);
  if (!std::equal(one.output().begin(), one.output().end(), two.output().begin())) {
    std::printf("%s: 1-core and 2-core outputs differ\n", name);
    std::exit(1);
  }
  const double m1 = quantile(t1, 0.5), m2 = quantile(t2, 0.5), f1 = quantile(t1, 0.1), f2 = quantile(t2, 0.1);
  const auto balance = [](int cores) {
    return weft::plan_schedule(Model::graph,
                               weft::core_profile::uniform(cores).with_shared_lines(weft::host_line_bytes))
        .imbalance();
  };
  if (tsv) {
    std::printf("%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", name, m1 / 1e6, m2 / 1e6, f1 / 1e6, f2 / 1e6, cpu2 / 1e6);
    return;
  }
  std::printf("| %-4s | %7.3f | %7.3f | %5.2fx | %7.3f | %7.3f | %5.2fx | %5.3f | %5.3f | %5.3f | %3d | %7.3f |\n",
              name, m1 / 1e6, m2 / 1e6, m1 / m2, f1 / 1e6, f2 / 1e6, f1 / f2, balance(2), balance(4), balance(8),
              weft::compiled<Model, host2>::schedule.waits, cpu2 / 1e6);
}

// The machine's own 2-core ceiling: the same SIMD-friendly int8 work split
// in two independent halves, one thread against two.
struct ceiling_job {
  const std::int8_t* a;
  const std::int8_t* b;
  std::int32_t* out;
  static constexpr int segments() { return 1; }
  void run(int core, int) const {
    std::int32_t s = 0;
    for (int r = core; r < 2000; r += 2)
      for (int i = 0; i < 4096; ++i) s += a[i] * b[(i + r) & 4095];
    out[core] = s;
  }
};

void ceiling(int pairs) {
  static std::int8_t a[4096], b[4096];
  static std::int32_t out[2];
  for (int i = 0; i < 4096; ++i) a[i] = static_cast<std::int8_t>(i * 7), b[i] = static_cast<std::int8_t>(i * 13);
  weft::sequential<2> one;
  weft::host_threads<2> two;
  const ceiling_job j{a, b, out};
  std::vector<double> t1, t2;
  double cpu2 = 0;
  for (int k = 0; k < pairs; k += 20) {
    for (int i = 0; i < 20; ++i) {
      const auto t0 = clock_type::now();
      one.execute(j);
      t1.push_back(
          static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - t0).count()));
    }
    const double c0 = process_cpu_ns();
    for (int i = 0; i < 20; ++i) {
      const auto t0 = clock_type::now();
      two.execute(j);
      t2.push_back(
          static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - t0).count()));
    }
    cpu2 += process_cpu_ns() - c0;
  }
  cpu2 /= static_cast<double>(t2.size());
  const double m1 = quantile(t1, 0.5), m2 = quantile(t2, 0.5), f1 = quantile(t1, 0.1), f2 = quantile(t2, 0.1);
  if (tsv) {
    std::printf("ceiling\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", m1 / 1e6, m2 / 1e6, f1 / 1e6, f2 / 1e6, cpu2 / 1e6);
    return;
  }
  std::printf("| machine ceiling | %7.3f | %7.3f | %5.2fx | %7.3f | %7.3f | %5.2fx | | | | | %7.3f |\n", m1 / 1e6,
              m2 / 1e6, m1 / m2, f1 / 1e6, f2 / 1e6, f1 / f2, cpu2 / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  int pairs = 1000;
  for (int a = 1; a < argc; ++a) {
    if (std::strcmp(argv[a], "--tsv") == 0) {
      tsv = true;
    } else {
      pairs = std::max(1, std::atoi(argv[a]));
    }
  }
  if (!tsv) {
    std::printf("latency of one inference (ms), %d per model and core count, in alternating blocks of 20\n\n", pairs);
    std::printf(
        "| model | median 1 core | median 2 cores | speedup | p10 1 core | p10 2 cores | speedup | balance 2 | "
        "balance 4 | balance 8 | waits (2 cores) | CPU ms per 2-core inference |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  }
  bench<kws>("kws", pairs);
  bench<vww>("vww", pairs);
  bench<ic>("ic", pairs);
  bench<ad>("ad", pairs);
  ceiling(std::max(1, pairs / 4));
  if (tsv) return 0;
  std::printf("\nbalance N: predicted critical path / perfectly balanced work on N cores (1.000 is perfect)\n");
  std::printf(
      "machine ceiling: independent int8 work, no sharing, no waits: what two cores of this host give at best\n");
  std::printf("CPU ms per 2-core inference: process CPU time (both threads, spinning included) per inference\n");
  return 0;
}

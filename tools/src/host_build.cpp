// SPDX-License-Identifier: Apache-2.0
#include "host_build.hpp"

#include "cache.hpp"
#include "codegen.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

extern const char* const weft_runner_source;

namespace weft::tool {
namespace fs = std::filesystem;
namespace {

// The host compiler command: --compiler's, else $CXX, else c++.
std::string compiler_command(const std::string& choice) {
  if (choice == "gcc") return "g++";
  if (choice == "clang") return "clang++";
  const char* cxx = std::getenv("CXX");
  return cxx && *cxx ? cxx : "c++";
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

fs::path weft_include_dir(const char* argv0) {
  auto has_weft = [](const fs::path& d) { return fs::exists(d / "weft" / "weft.hpp"); };
  if (const char* d = std::getenv("WEFT_INCLUDE_DIR"); d && *d && has_weft(d)) return d;
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (!ec && has_weft(exe.parent_path().parent_path() / "include")) return exe.parent_path().parent_path() / "include";
  (void)argv0;
#ifdef WEFT_SOURCE_INCLUDE_DIR
  if (has_weft(WEFT_SOURCE_INCLUDE_DIR)) return WEFT_SOURCE_INCLUDE_DIR;
#endif
  throw std::runtime_error("cannot find weft's headers: set WEFT_INCLUDE_DIR to the directory holding weft/weft.hpp");
}

fs::path host_runner(const imported_model& m, const std::string& source, const core_profile& profile, const char* argv0,
                     const std::string& compiler_choice) {
  const fs::path include = weft_include_dir(argv0);
  const std::string header = generate_header(m, "weft_model", source);
  std::string speeds;
  for (int c = 0; c < profile.cores; ++c) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%af", c ? "," : "", static_cast<double>(profile.speed_of(c)));
    speeds += buf;
  }
  const std::string flags = "-std=c++20 -O2 -ffp-contract=off -pthread -DWEFT_SPEEDS=" + speeds;
  // $CXX may carry words of its own ("ccache g++").
  const std::vector<std::string> command = words_of(compiler_command(compiler_choice) + " " + flags);

  // The key holds everything the runner is made of, the compiler's own
  // version included: an upgraded compiler must not reuse an old build.
  fnv1a key;
  key.add(header);
  key.add(weft_runner_source);
  key.add(compiler_command(compiler_choice));
  std::string version;
  if (run_program(command.front(), {"--version"}, version) != 0)
    throw input_error("cannot run the host compiler '" + command.front() + "'" +
                      (compiler_choice.empty() ? " (set CXX or give --compiler gcc or clang)" : ""));
  key.add(version);
  // Planning a large model at compile time takes more constant evaluation
  // than compilers allow by default (the same limits weft::weft's CMake
  // target sets).
  std::vector<std::string> extra = {version.find("clang") != std::string::npos ? "-fconstexpr-steps=1000000000"
                                                                               : "-fconstexpr-ops-limit=1000000000"};
  key.add(flags);
  key.add(extra.front());
  key.add_tree(include / "weft");

  const std::string name = "host-" + key.hex() + "-" + std::to_string(profile.cores) + "c";
  return cached_product(name, "runner", [&](const fs::path& dir) {
    write_text(dir / "model.hpp", header);
    write_text(dir / "runner.cpp", weft_runner_source);
    std::cerr << "weft: compiling " << source << " for the host, " << profile.cores
              << (profile.cores == 1 ? " core" : " cores") << " (once; cached in " << (cache_root() / name).string()
              << ")\n";
    std::vector<std::string> args(command.begin() + 1, command.end());
    args.insert(args.end(), extra.begin(), extra.end());
    for (const std::string& a : {"-I" + include.string(), std::string("-include"), (dir / "model.hpp").string(),
                                 std::string("-DWEFT_MODEL=weft_model"), (dir / "runner.cpp").string(),
                                 std::string("-o"), (dir / "runner").string()})
      args.push_back(a);
    const int status = run_program(command.front(), args);
    if (status != 0)
      throw std::runtime_error("the host compiler failed (status " + std::to_string(status) + ") on " +
                               (dir / "model.hpp").string());
  });
}

namespace {

int spawn(const fs::path& program, const std::vector<std::string>& args, std::string* output) {
  std::vector<char*> argv;
  std::string prog = program.string();
  argv.push_back(prog.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2] = {-1, -1};
  if (output != nullptr && ::pipe(fds) != 0) throw std::runtime_error("cannot create a pipe");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("cannot start " + prog);
  if (pid == 0) {
    if (output != nullptr) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
    }
    ::execvp(prog.c_str(), argv.data());
    ::_exit(127);
  }
  if (output != nullptr) {
    ::close(fds[1]);
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) output->append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) throw std::runtime_error("lost " + prog);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int run_program(const fs::path& program, const std::vector<std::string>& args) { return spawn(program, args, nullptr); }

int run_program(const fs::path& program, const std::vector<std::string>& args, std::string& output) {
  return spawn(program, args, &output);
}

}  // namespace weft::tool

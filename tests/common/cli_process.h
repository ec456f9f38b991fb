// The built CLI (BOXLOOP_BINARY, set by boxloop_test for end-to-end tests) run from a test: a
// command to its end with its output, or one in the background.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace boxloop::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// What of a command's output a test reads: stderr alone shows that a message went there.
enum class CommandOutput { kStdout, kStderr, kBoth };

// Runs `boxloop ARGUMENTS` through the shell, `environment` ("NAME=value ...") before it.
inline CommandResult run_cli(const std::string& arguments,
                             CommandOutput output = CommandOutput::kBoth,
                             const std::string& environment = "") {
  const char* redirect = output == CommandOutput::kStdout   ? " 2>/dev/null"
                         : output == CommandOutput::kStderr ? " 2>&1 >/dev/null"
                                                            : " 2>&1";
  const std::string command =
      environment + " " + std::string(BOXLOOP_BINARY) + " " + arguments + redirect;
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// `boxloop ARGUMENTS` in the background (`exec`ed, so its pid is the command's), its output in
// `log`; stopped with SIGTERM when destroyed unless stopped before.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::string& arguments, const std::filesystem::path& log) {
    const std::string command =
        "exec " + std::string(BOXLOOP_BINARY) + " " + arguments + " > " + log.string() + " 2>&1";
    pid_ = fork();
    if (pid_ == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~BackgroundCommand() { stop(SIGTERM); }
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  // Sends the signal and waits for the process to end.
  void stop(int signal_number) {
    if (pid_ <= 0) return;
    kill(pid_, signal_number);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace boxloop::testing

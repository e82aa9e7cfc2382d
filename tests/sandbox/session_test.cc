// Hook processes: output, exit codes, deadlines, open outputs, containment, no process left.
#include "simulator/sandbox/session.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace deploysim::sandbox {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class SessionTest : public ::testing::TestWithParam<bool> {
 protected:
  SessionTest() {
    dir = fs::temp_directory_path() / ("deploysim-sandbox-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir / "instance/etc");
    std::ofstream(dir / "instance/etc/passwd")
        << "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/:/usr/sbin/nologin\n"
           "webapp:x:1001:1001::/home/webapp:/bin/bash\n";
    std::string error;
    session = Session::start({dir / "instance", dir / "work", GetParam()}, error);
    EXPECT_TRUE(session) << error;
  }
  ~SessionTest() override {
    session.reset();
    fs::remove_all(dir);
  }
  // Writes an executable script into the instance at `path` and returns its in-sandbox path.
  std::string script(const std::string& path, const std::string& body) {
    fs::path host = dir / "instance" / fs::path(path).relative_path();
    fs::create_directories(host.parent_path());
    std::ofstream(host) << "#!/bin/bash\n" << body << "\n";
    fs::permissions(host, fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
    return session->script_path(path);
  }
  ScriptOutcome run(const std::string& path, std::chrono::seconds timeout = 30s,
                    std::optional<std::string> runas = std::nullopt) {
    lines.clear();
    ScriptRun r{{path},
                {"LIFECYCLE_EVENT=AfterInstall"},
                runas,
                timeout,
                [this](Stream s, std::string_view l) {
                  lines.push_back((s == Stream::Stdout ? "out:" : "err:") + std::string(l));
                }};
    return session->run(r);
  }
  // Sleep durations double as process markers; each variant has its own, since ctest runs the
  // two variants of a test at the same time.
  std::string mark(int n) const { return std::to_string(GetParam() ? n : n + 2000); }
  static bool host_has_process(const std::string& pattern) {
    return std::system(("pgrep -f '" + pattern + "' >/dev/null").c_str()) == 0;
  }
  fs::path dir;
  std::unique_ptr<Session> session;
  std::vector<std::string> lines;
};

TEST_P(SessionTest, RunsAScriptAndReportsItsLinesAndExitCode) {
  auto o =
      run(script("/opt/app/hello.sh", "echo hello; echo oops >&2; echo $LIFECYCLE_EVENT; exit 3"));
  EXPECT_EQ(o.status, ScriptOutcome::Status::Exited);
  EXPECT_EQ(o.exit_code, 3);
  // Within a stream lines keep their order; across the two streams there is none to keep.
  std::vector<std::string> out, err;
  for (const auto& l : lines) (l.rfind("out:", 0) == 0 ? out : err).push_back(l);
  EXPECT_EQ(out, (std::vector<std::string>{"out:hello", "out:AfterInstall"}));
  EXPECT_EQ(err, (std::vector<std::string>{"err:oops"}));
}

TEST_P(SessionTest, WritesLandInTheInstanceNeverOnTheHost) {
  if (!session->sandboxed()) GTEST_SKIP() << "containment needs bubblewrap";
  auto o = run(script("/opt/app/w.sh",
                      "mkdir -p /var/www/html && echo page > /var/www/html/index.html && "
                      "echo 'intruder:x:0:0::/:/bin/sh' >> /etc/passwd"));
  ASSERT_EQ(o.exit_code, 0) << ::testing::PrintToString(lines);
  EXPECT_TRUE(fs::exists(dir / "instance/var/www/html/index.html"));
  std::ifstream host_passwd("/etc/passwd");
  std::stringstream text;
  text << host_passwd.rdbuf();
  EXPECT_EQ(text.str().find("intruder"), std::string::npos);
  std::ifstream inst(dir / "instance/etc/passwd");
  std::stringstream inst_text;
  inst_text << inst.rdbuf();
  EXPECT_NE(inst_text.str().find("intruder"), std::string::npos);
}

TEST_P(SessionTest, TimeoutKillsTheScriptAndItsBackgroundChildren) {
  auto o =
      run(script("/opt/app/slow.sh", "sleep " + mark(3101) + " &\nsleep " + mark(3102) + "\n"), 1s);
  EXPECT_EQ(o.status, ScriptOutcome::Status::TimedOut);
  EXPECT_LT(o.seconds, 10);
  EXPECT_FALSE(host_has_process("[s]leep " + mark(3101)) ||
               host_has_process("[s]leep " + mark(3102)));
}

TEST_P(SessionTest, OutputLeftOpenByADaemonFailsAtTheDeadline) {
  auto o =
      run(script("/opt/app/daemon.sh", "sleep " + mark(3201) + " &\necho started\nexit 0"), 2s);
  EXPECT_EQ(o.status, ScriptOutcome::Status::OutputsLeftOpen);
  EXPECT_TRUE(o.stdout_open);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_GE(o.seconds, 1.9);
  session.reset();  // the end of the deployment's sandbox: nothing survives it
  EXPECT_FALSE(host_has_process("[s]leep " + mark(3201)));
}

TEST_P(SessionTest, ARedirectedDaemonLivesOnForTheNextScript) {
  if (!session->sandboxed()) GTEST_SKIP() << "the fallback has no sandbox to end";
  auto start = run(script("/opt/app/start.sh", "nohup sleep 3301 >/dev/null 2>&1 &\nexit 0"), 5s);
  EXPECT_EQ(start.status, ScriptOutcome::Status::Exited);
  auto check = run(script("/opt/app/check.sh", "pgrep -f 'sleep 3301'"));
  EXPECT_EQ(check.exit_code, 0) << ::testing::PrintToString(lines);
  session.reset();
  EXPECT_FALSE(host_has_process("[s]leep 3301"));
}

TEST_P(SessionTest, RunasUsesTheInstancesUsers) {
  if (!session->sandboxed()) GTEST_SKIP() << "runas needs the instance's /etc";
  auto as_web = run(script("/opt/app/id.sh", "id -u; echo $HOME"), 30s, "webapp");
  EXPECT_EQ(as_web.exit_code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"out:1001", "out:/home/webapp"}));
  auto nobody = run("/opt/app/id.sh", 30s, "nobody");
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_EQ(lines, (std::vector<std::string>{"out:This account is currently not available."}));
  auto ghost = run("/opt/app/id.sh", 30s, "ghost");
  EXPECT_EQ(ghost.exit_code, 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "err:su: user ghost does not exist or the user entry does not contain all "
            "the required fields");
}

TEST_P(SessionTest, StandInsRecordWhatWasAsked) {
  auto o = run(script("/opt/app/svc.sh", "service httpd restart && yum install -y httpd"));
  EXPECT_EQ(o.exit_code, 0) << ::testing::PrintToString(lines);
  std::ifstream log(dir / "instance/var/lib/deploysim/stand-ins.log");
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_EQ(text.str(), "service httpd restart\nyum install -y httpd\n");
}

TEST_P(SessionTest, InstantScriptsReportTheirExitAtOnceNotAtTheDeadline) {
  // The runner's "pid" and "exit" replies can arrive in one read: the exit must not wait
  // for more data, or every fast script would last until its deadline.
  std::string path = script("/opt/app/fast.sh", "exit 0");
  for (int i = 0; i < 30; ++i) {
    auto o = run(path, 20s);
    ASSERT_EQ(o.status, ScriptOutcome::Status::Exited) << "run " << i;
    ASSERT_LT(o.seconds, 5) << "run " << i;
  }
}

TEST_P(SessionTest, AMissingScriptIsAnExitCodeNotACrash) {
  auto o = run(session->script_path("/opt/app/nothing-here.sh"));
  EXPECT_EQ(o.status, ScriptOutcome::Status::Exited);
  EXPECT_EQ(o.exit_code, 127);
}

INSTANTIATE_TEST_SUITE_P(Modes, SessionTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Bubblewrap" : "Fallback"; });

}  // namespace
}  // namespace deploysim::sandbox

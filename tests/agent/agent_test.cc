// The agent against the reference's conformance list (codedeploy-agent.md §2): event order,
// previous-revision hooks, file_exists_behavior, cleanup replay, hook runtime, containment.
#include "fake_services/codedeploy_agent/agent.h"

#include <gtest/gtest.h>

#include "tests/agent/agent_test.h"

namespace deploysim::fake::agent::testing {
namespace {

const std::vector<std::string> kAllEvents = {
    "BeforeBlockTraffic", "AfterBlockTraffic", "ApplicationStop",
    "DownloadBundle",     "BeforeInstall",     "Install",
    "AfterInstall",       "ApplicationStart",  "ValidateService",
    "BeforeAllowTraffic", "AfterAllowTraffic"};

TEST_F(AgentFixture, TheSampleBundleRunsHooksInOrderAndTheSecondDeploymentRunsThePreviousStops) {
  fs::path sample = fs::path(DEPLOYSIM_FIXTURES_DIR) / "sample_app_bundle_linux";
  for (auto r : deploy(deployment("d-AAAAAAAA1", sample), kAllEvents))
    ASSERT_TRUE(r.succeeded) << r.message;
  for (auto r : deploy(deployment("d-AAAAAAAA2", sample), kAllEvents))
    ASSERT_TRUE(r.succeeded) << r.message;
  EXPECT_EQ(read_file(inst("/opt/codedeploy-agent/executed_proof_file")),
            "BeforeInstall\nAfterInstall\nApplicationStart\nValidateService\nBeforeAllowTraffic\n"
            "AfterAllowTraffic\n"
            "BeforeBlockTraffic\nAfterBlockTraffic\nApplicationStop\nBeforeInstall\nAfterInstall\n"
            "ApplicationStart\nValidateService\nBeforeAllowTraffic\nAfterAllowTraffic\n");
  std::string root = "/opt/codedeploy-agent/deployment-root";
  EXPECT_EQ(read_file(inst(root + "/deployment-instructions/dg-1_last_successful_install")),
            root + "/dg-1/d-AAAAAAAA2");
  EXPECT_EQ(read_file(inst(root + "/deployment-instructions/dg-1_most_recent_install")),
            root + "/dg-1/d-AAAAAAAA2");
  EXPECT_TRUE(fs::exists(inst(root + "/deployment-logs/codedeploy-agent-deployments.log")));
  EXPECT_TRUE(fs::exists(inst(root + "/dg-1/d-AAAAAAAA1/deployment-archive/appspec.yml")));
}

TEST_F(AgentFixture, ApplicationStopRunsTheLastSuccessfulInstallsScriptEvenIfThatDeploymentFailed) {
  const char* appspec =
      "version: 0.0\nos: linux\nhooks:\n  ApplicationStop:\n    - location: scripts/stop.sh\n"
      "  ValidateService:\n    - location: scripts/check.sh\n";
  auto stop_of = [](const std::string& rev) {
    return "#!/bin/bash\necho " + rev + " >> /opt/stops\n";
  };
  fs::path a =
      bundle("A", appspec, {{"scripts/stop.sh", stop_of("A")}, {"scripts/check.sh", "exit 0"}});
  fs::path b =
      bundle("B", appspec, {{"scripts/stop.sh", stop_of("B")}, {"scripts/check.sh", "exit 1"}});
  fs::path c =
      bundle("C", appspec, {{"scripts/stop.sh", stop_of("C")}, {"scripts/check.sh", "exit 0"}});
  EXPECT_TRUE(deploy(deployment("d-AAAAAAAAA", a)).back().succeeded);
  auto rb = deploy(deployment("d-BBBBBBBBB", b));
  EXPECT_FALSE(rb.back().succeeded);
  EXPECT_EQ(rb.back().event, "ValidateService");  // B failed after Install
  auto rc = deploy(deployment("d-CCCCCCCCC", c));
  EXPECT_TRUE(rc.back().succeeded);
  EXPECT_EQ(rc.front().revision_dir, "/opt/codedeploy-agent/deployment-root/dg-1/d-BBBBBBBBB");
  EXPECT_EQ(read_file(inst("/opt/stops")), "A\nB\n");  // C's ApplicationStop ran B's script
}

TEST_F(AgentFixture, FailedScriptsReportTheAgentsMessagesAndTheLogTail) {
  fs::path b =
      bundle("fail",
             "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n"
             "    - location: scripts/fail.sh\n      runas: ec2-user\n",
             {{"scripts/fail.sh", "#!/bin/bash\necho about to fail\necho oops >&2\nexit 7\n"}});
  auto r = deploy(deployment("d-FAIL00001", b)).back();
  EXPECT_EQ(r.event, "AfterInstall");
  EXPECT_EQ(r.error_code, kScriptFailed);
  EXPECT_EQ(r.script_name, "scripts/fail.sh");
  EXPECT_EQ(r.message,
            "Script at specified location: scripts/fail.sh run as user ec2-user failed "
            "with exit code 7");
  EXPECT_NE(r.log_tail.find("LifecycleEvent - AfterInstall\nScript - scripts/fail.sh\n"),
            std::string::npos)
      << r.log_tail;
  EXPECT_NE(r.log_tail.find("[stdout]about to fail\n"), std::string::npos);
  EXPECT_NE(r.log_tail.find("[stderr]oops\n"), std::string::npos);
  std::string log =
      read_file(inst("/opt/codedeploy-agent/deployment-root/dg-1/d-FAIL00001/logs/scripts.log"));
  EXPECT_NE(log.find("2026-01-01 00:00:00 [stdout]about to fail\n"), std::string::npos) << log;
}

TEST_F(AgentFixture, HooksGetTheAgentsEnvironment) {
  fs::path b = bundle(
      "env", "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: scripts/env.sh\n",
      {{"scripts/env.sh", "#!/bin/bash\nenv | sort > /tmp/env.txt\n"}});
  DeploymentSpec d = deployment("d-ENV000001", b);
  ASSERT_TRUE(deploy(d).back().succeeded);
  std::string env = read_file(inst("/tmp/env.txt"));
  for (const char* want :
       {"LIFECYCLE_EVENT=BeforeInstall", "DEPLOYMENT_ID=d-ENV000001", "APPLICATION_NAME=web",
        "DEPLOYMENT_GROUP_NAME=prod", "DEPLOYMENT_GROUP_ID=dg-1"}) {
    EXPECT_NE(env.find(want), std::string::npos) << want << "\n" << env;
  }
  EXPECT_EQ(env.find("BUNDLE_BUCKET"), std::string::npos);  // a local revision adds none
}

TEST_F(AgentFixture, MissingAndNonExecutableScripts) {
  fs::path b = bundle("missing",
                      "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n"
                      "    - location: scripts/plain.sh\n    - location: scripts/nowhere.sh\n");
  write_file(b / "scripts/plain.sh", "#!/bin/bash\nexit 0\n");  // not executable
  auto r = deploy(deployment("d-MISSING01", b)).back();
  EXPECT_EQ(r.error_code, kScriptMissing);
  EXPECT_EQ(r.message,
            "Script does not exist at specified location: "
            "/opt/codedeploy-agent/deployment-root/dg-1/d-MISSING01/deployment-archive/"
            "scripts/nowhere.sh");
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("is not executable.  Trying to make it executable."),
            std::string::npos);
  EXPECT_EQ(r.scripts, std::vector<std::string>{"scripts/plain.sh"});  // it ran after chmod +x
}

TEST_F(AgentFixture, ATimeoutKillsTheScriptsWholeProcessGroup) {
  fs::path b = bundle("slow",
                      "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n"
                      "    - location: scripts/slow.sh\n      timeout: 1\n",
                      {{"scripts/slow.sh", "#!/bin/bash\nsleep 4101 &\nsleep 4102\n"}});
  auto r = deploy(deployment("d-SLOW00001", b)).back();
  EXPECT_EQ(r.error_code, kScriptTimedOut);
  EXPECT_EQ(r.message,
            "Script at specified location: scripts/slow.sh failed to complete in 1 seconds");
  EXPECT_NE(std::system("pgrep -f '[s]leep 410[12]' >/dev/null"), 0);
}

TEST_F(AgentFixture, ADaemonHoldingStdoutFailsWithCode6) {
  fs::path b = bundle("daemon",
                      "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n"
                      "    - location: scripts/start.sh\n      timeout: 1\n",
                      {{"scripts/start.sh", "#!/bin/bash\nsleep 4201 &\necho started\n"}});
  auto r = deploy(deployment("d-DAEMON001", b)).back();
  EXPECT_EQ(r.error_code, kOutputsLeftOpen);
  EXPECT_EQ(r.message, "Script at specified location: scripts/start.sh failed to close STDOUT");
  EXPECT_NE(std::system("pgrep -f '[s]leep 4201' >/dev/null"), 0);  // nothing left behind
}

TEST_F(AgentFixture, HooksWriteIntoTheInstanceNotTheHost) {
  fs::path b = bundle(
      "evil", "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/evil.sh\n",
      {{"scripts/evil.sh", "#!/bin/bash\necho 'mallory:x:0:0::/:/bin/sh' >> /etc/passwd\n"}});
  ASSERT_TRUE(deploy(deployment("d-EVIL00001", b)).back().succeeded);
  EXPECT_EQ(read_file("/etc/passwd").find("mallory"), std::string::npos);
  EXPECT_NE(read_file(inst("/etc/passwd")).find("mallory"), std::string::npos);
}

TEST_F(AgentFixture, SimulatedModeRunsNoProcessesButKeepsTheLayoutAndLog) {
  SimulatedRunner* sim = nullptr;
  agent = std::make_unique<Agent>(AgentOptions{dir / "instance", dir / "sandbox", 5, true, false,
                                               [] { return std::string("2026-01-01 00:00:00"); },
                                               nullptr,
                                               [&sim](std::string&) -> std::unique_ptr<HookRunner> {
                                                 auto r = std::make_unique<SimulatedRunner>();
                                                 sim = r.get();
                                                 return r;
                                               }});
  fs::path b = bundle(
      "sim", "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: scripts/x.sh\n",
      {{"scripts/x.sh", "#!/bin/bash\ntouch /tmp/ran\n"}});
  DeploymentSpec d = deployment("d-SIM000001", b);
  for (const char* e : {"DownloadBundle", "Install", "AfterInstall"}) {
    EXPECT_TRUE(the_agent().run_event(d, e).succeeded) << e;
  }
  ASSERT_TRUE(sim);
  EXPECT_EQ(sim->scripts_run(), 1);  // read before the deployment ends and the runner goes
  the_agent().end_deployment();
  EXPECT_FALSE(fs::exists(inst("/tmp/ran")));
  EXPECT_NE(
      read_file(inst("/opt/codedeploy-agent/deployment-root/dg-1/d-SIM000001/logs/scripts.log"))
          .find("Script - scripts/x.sh"),
      std::string::npos);
}

// --- Install: files, file_exists_behavior, cleanup ---

const char* kSiteAppSpec =
    "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /var/www/html\n";

TEST_F(AgentFixture, InstallCopiesTreesAndRecordsCleanupAndInstructions) {
  fs::path b = bundle("site", kSiteAppSpec, {{"site/index.html", "v1"}, {"site/css/a.css", "a"}});
  ASSERT_TRUE(deploy(deployment("d-SITE00001", b)).back().succeeded);
  EXPECT_EQ(read_file(inst("/var/www/html/index.html")), "v1");
  EXPECT_EQ(read_file(inst("/var/www/html/css/a.css")), "a");
  std::string root = "/opt/codedeploy-agent/deployment-root/deployment-instructions/";
  // /var is part of every instance: the install created only what is below it.
  EXPECT_EQ(read_file(inst(root + "dg-1-cleanup")),
            "/var/www\n/var/www/html\n/var/www/html/css\n/var/www/html/css/a.css\n"
            "/var/www/html/index.html\n");
  EXPECT_NE(read_file(inst(root + "dg-1-install.json"))
                .find("{\"type\":\"mkdir\",\"directory\":\"/var/www\"}"),
            std::string::npos);
}

TEST_F(AgentFixture, AFileAlreadyThereFailsInstallWithNothingCopied) {
  write_file(inst("/var/www/html/index.html"), "hand-made");
  fs::path b =
      bundle("site", kSiteAppSpec, {{"site/index.html", "v1"}, {"site/about.html", "about"}});
  auto r = deploy(deployment("d-EXIST0001", b)).back();
  EXPECT_EQ(r.event, "Install");
  EXPECT_EQ(r.error_code, kUnknownError);
  EXPECT_EQ(r.message,
            "The deployment failed because a specified file already exists at this "
            "location: /var/www/html/index.html");
  EXPECT_FALSE(fs::exists(inst("/var/www/html/about.html")));
  EXPECT_EQ(read_file(inst("/var/www/html/index.html")), "hand-made");
}

class FileExistsTest : public AgentFixture,
                       public ::testing::WithParamInterface<std::tuple<std::string, std::string>> {
};

TEST_P(FileExistsTest, TheAppSpecWinsOverTheDeploymentWhichWinsOverDisallow) {
  auto [from_deployment, from_appspec] = GetParam();
  write_file(inst("/var/www/html/index.html"), "hand-made");
  std::string appspec = kSiteAppSpec;
  if (!from_appspec.empty()) appspec += "file_exists_behavior: " + from_appspec + "\n";
  fs::path b = bundle("site", appspec, {{"site/index.html", "v1"}});
  DeploymentSpec d = deployment("d-MATRIX001", b);
  if (!from_deployment.empty()) d.file_exists_behavior = from_deployment;
  std::string effective = !from_appspec.empty()      ? from_appspec
                          : !from_deployment.empty() ? from_deployment
                                                     : "DISALLOW";
  for (auto& c : effective) c = static_cast<char>(std::toupper(c));
  auto r = deploy(d).back();
  std::string cleanup =
      read_file(inst("/opt/codedeploy-agent/deployment-root/deployment-instructions/dg-1-cleanup"));
  if (effective == "DISALLOW") {
    EXPECT_FALSE(r.succeeded);
    EXPECT_EQ(read_file(inst("/var/www/html/index.html")), "hand-made");
  } else if (effective == "OVERWRITE") {
    EXPECT_TRUE(r.succeeded) << r.message;
    EXPECT_EQ(read_file(inst("/var/www/html/index.html")), "v1");
    EXPECT_NE(cleanup.find("/var/www/html/index.html"), std::string::npos);  // deleted next time
  } else {
    EXPECT_TRUE(r.succeeded) << r.message;
    EXPECT_EQ(read_file(inst("/var/www/html/index.html")), "hand-made");
    EXPECT_EQ(cleanup.find("/var/www/html/index.html"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, FileExistsTest,
    ::testing::Combine(::testing::Values("", "DISALLOW", "overwrite", "RETAIN"),
                       ::testing::Values("", "DISALLOW", "OVERWRITE", "RETAIN")));

TEST_F(AgentFixture, TheNextDeploymentRemovesThePreviousFilesButNotOthers) {
  write_file(inst("/var/www/html/keep.txt"), "not ours");  // makes html pre-existing and non-empty
  fs::path v1 = bundle("v1", kSiteAppSpec, {{"site/index.html", "v1"}, {"site/old/x.html", "x"}});
  fs::path v2 = bundle("v2", kSiteAppSpec, {{"site/index.html", "v2"}});
  ASSERT_TRUE(deploy(deployment("d-CLEAN0001", v1)).back().succeeded);
  ASSERT_TRUE(deploy(deployment("d-CLEAN0002", v2)).back().succeeded);  // no conflict with v1
  EXPECT_EQ(read_file(inst("/var/www/html/index.html")), "v2");
  EXPECT_FALSE(fs::exists(inst("/var/www/html/old")));  // v1's directory removed
  EXPECT_EQ(read_file(inst("/var/www/html/keep.txt")), "not ours");
  EXPECT_EQ(
      read_file(inst("/opt/codedeploy-agent/deployment-root/deployment-instructions/dg-1-cleanup")),
      "/var/www/html/index.html\n");  // html existed: never recorded
}

TEST_F(AgentFixture, TwoSourcesForOneDestinationIsAnInstallError) {
  fs::path b =
      bundle("dup",
             "version: 0.0\nos: linux\nfiles:\n  - source: a/index.html\n    destination: /srv\n"
             "  - source: b/index.html\n    destination: /srv\n",
             {{"a/index.html", "a"}, {"b/index.html", "b"}});
  auto r = deploy(deployment("d-DUP000001", b)).back();
  std::string archive = "/opt/codedeploy-agent/deployment-root/dg-1/d-DUP000001/deployment-archive";
  EXPECT_EQ(r.message,
            "The deployment failed because the application specification file specifies "
            "two source files named " +
                archive + "/b/index.html and " + archive +
                "/a/index.html for the same destination (/srv/index.html). Remove one of "
                "the source file paths from the AppSpec file, and then try again.");
}

TEST_F(AgentFixture, PermissionsApplyToWhatTheDeploymentCreated) {
  fs::path b = bundle("perm",
                      std::string(kSiteAppSpec) +
                          "permissions:\n  - object: /var/www/html\n    pattern: '*.html'\n"
                          "    mode: 640\n    owner: ec2-user\n    type: [file]\n",
                      {{"site/index.html", "v1"}, {"site/css/a.css", "a"}});
  // A file-typed permission needs pattern "**": this one is refused, as the agent refuses it.
  EXPECT_FALSE(deploy(deployment("d-PERM00001", b)).back().succeeded);
  fs::path ok = bundle("perm-ok",
                       std::string(kSiteAppSpec) +
                           "permissions:\n  - object: /var/www/html\n    mode: 640\n"
                           "    owner: ec2-user\n    type: [file]\n",
                       {{"site/index.html", "v1"}});
  ASSERT_TRUE(deploy(deployment("d-PERM00002", ok)).back().succeeded);
  struct stat st {};
  ASSERT_EQ(stat(inst("/var/www/html/index.html").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(st.st_uid, 1000u);  // ec2-user on the base image
}

TEST_F(AgentFixture, AppSpecErrorsFailTheFirstEventThatReadsIt) {
  fs::path b = bundle("bad", "version: '0.0'\nos: linux\n");
  auto r = deploy(deployment("d-BAD000001", b)).back();
  EXPECT_EQ(r.event, "BeforeInstall");  // the first hook to parse the new revision's AppSpec
  auto install = deploy(deployment("d-BAD000002", b), {"DownloadBundle", "Install"}).back();
  EXPECT_EQ(install.event, "Install");
  EXPECT_EQ(install.error_code, kUnknownError);
  EXPECT_EQ(r.error_code, kUnknownError);
  EXPECT_EQ(r.message.rfind("The deployment failed because an invalid version value (0.0)", 0), 0u);
}

TEST_F(AgentFixture, OldArchivesAreRetiredKeepingFive) {
  fs::path b = bundle("site", "version: 0.0\nos: linux\n");
  for (int i = 1; i <= 7; ++i) {
    ASSERT_TRUE(deploy(deployment("d-RETAIN00" + std::to_string(i), b)).back().succeeded);
  }
  int dirs = 0;
  for (const auto& e : fs::directory_iterator(inst("/opt/codedeploy-agent/deployment-root/dg-1"))) {
    (void)e;
    ++dirs;
  }
  EXPECT_EQ(dirs, 5);
  EXPECT_FALSE(fs::exists(inst("/opt/codedeploy-agent/deployment-root/dg-1/d-RETAIN001")));
  EXPECT_TRUE(fs::exists(inst("/opt/codedeploy-agent/deployment-root/dg-1/d-RETAIN007")));
}

}  // namespace
}  // namespace deploysim::fake::agent::testing

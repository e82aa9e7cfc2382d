// AppSpec rules and messages, word for word, with their places; the YAML traps; the lints.
#include "fake_services/codedeploy_agent/appspec.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace deploysim::fake::agent {
namespace {

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : parse_appspec(text).diagnostics) {
    if (d.severity == Diagnostic::Severity::Error) out.push_back(d.message);
  }
  return out;
}

std::vector<std::string> rules_of(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : parse_appspec(text).diagnostics) {
    if (d.severity == Diagnostic::Severity::Warning) out.push_back(d.rule);
  }
  return out;
}

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(DEPLOYSIM_FIXTURES_DIR) + "/" + name);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

const std::string kHead = "version: 0.0\nos: linux\n";

TEST(AppSpecTest, ParsesTheAgentsFullFixture) {
  auto r = parse_appspec(fixture("rust-v2-tests-fixtures/appspec/ec2_linux_full.yml"));
  ASSERT_TRUE(r.spec) << r.first_error();
  EXPECT_EQ(r.spec->files.size(), 2u);
  EXPECT_EQ(r.spec->files[1].destination, "/webapps/myApp");
  const HookSpec* stop = r.spec->hook("ApplicationStop");
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->scripts[0].timeout_s, 120);
  EXPECT_EQ(stop->scripts[0].runas, "webapp");
  EXPECT_EQ(r.spec->hook("BeforeInstall")->scripts[0].timeout_s, 3600);  // the default
  EXPECT_EQ(r.spec->permissions[0].mode, "0755");
  EXPECT_EQ(r.spec->permissions[1].types, (std::vector<std::string>{"file"}));
}

TEST(AppSpecTest, EveryValidFixtureParses) {
  for (const char* f :
       {"ec2_files_only.yml", "ec2_hooks_only.yml", "ec2_multiple_scripts_per_hook.yml",
        "ec2_permissions_full.yml", "ec2_file_exists_disallow.yml", "ec2_file_exists_overwrite.yml",
        "ec2_file_exists_retain.yml"}) {
    auto r = parse_appspec(fixture(std::string("rust-v2-tests-fixtures/appspec/") + f));
    EXPECT_TRUE(r.spec) << f << ": " << r.first_error();
  }
  auto over = parse_appspec(
      fixture("sample_app_bundle_linux/appspec_override_file_exists_behavior_retain.yaml"));
  ASSERT_TRUE(over.spec);
  EXPECT_EQ(over.spec->file_exists_behavior, "RETAIN");
}

TEST(AppSpecTest, EmptyDocument) {
  EXPECT_EQ(errors_of("  \n"),
            (std::vector<std::string>{
                "The deployment failed because the application specification file was empty. Make "
                "sure your AppSpec file defines at minimum the 'version' and 'os' properties."}));
}

TEST(AppSpecTest, VersionMustBeTheNumberZero) {
  const char* msg =
      "The deployment failed because an invalid version value ({}) was entered in "
      "the application specification file. Make sure your AppSpec file specifies "
      "\"0.0\" as the version, and then try again.";
  auto with = [&](const std::string& v) {
    std::string m = msg;
    m.replace(m.find("{}"), 2, v);
    return m;
  };
  EXPECT_TRUE(parse_appspec("version: 0.0\nos: linux\n").spec);
  EXPECT_TRUE(parse_appspec("version: 0\nos: linux\n").spec);             // 0 == 0.0 in Ruby
  EXPECT_EQ(errors_of("version: \"0.0\"\nos: linux\n")[0], with("0.0"));  // a string: refused
  EXPECT_EQ(errors_of("version: 1.0\nos: linux\n")[0], with("1.0"));
  EXPECT_EQ(errors_of("os: linux\n")[0], with(""));
  auto r = parse_appspec("version: '0.0'\nos: linux\n");
  ASSERT_EQ(r.diagnostics.size(), 2u);
  EXPECT_EQ(r.diagnostics[0].where.line, 1);
  EXPECT_EQ(r.diagnostics[0].where.col, 10);
  EXPECT_EQ(r.diagnostics[1].severity, Diagnostic::Severity::Note);
}

TEST(AppSpecTest, OsMustBeLinuxOnLinux) {
  std::string msg =
      "The deployment failed because the application specification file specifies "
      "an unsupported operating system (freebsd). Specify either \"linux\" or "
      "\"windows\" in the os section of the AppSpec file, and then try again.";
  EXPECT_EQ(errors_of(fixture("rust-v2-tests-fixtures/appspec/invalid_unknown_os.yml")),
            std::vector<std::string>{msg});
  EXPECT_EQ(errors_of("version: 0.0\nos: Linux\n").size(), 1u);  // case-sensitive
  EXPECT_EQ(errors_of(fixture("rust-v2-tests-fixtures/appspec/ec2_windows.yml")).size(), 1u);
}

TEST(AppSpecTest, HookScriptsNeedALocationAndAPositiveTimeout) {
  std::string no_location =
      "The deployment failed because the application specification file specifies a script "
      "with no location value. Specify the location in the hooks section of the AppSpec file, "
      "and then try again.";
  std::string bad_timeout =
      "The deployment failed because an invalid timeout value was provided for a script in the "
      "application specification file. Make corrections in the hooks section of the AppSpec "
      "file, and then try again.";
  EXPECT_EQ(errors_of(fixture("rust-v2-tests-fixtures/appspec/invalid_unknown_hook.yml")),
            std::vector<std::string>{no_location});
  EXPECT_EQ(errors_of(kHead + "hooks:\n  AfterInstall:\n    - timeout: 30\n"),
            std::vector<std::string>{no_location});
  EXPECT_EQ(
      errors_of(kHead + "hooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: foo\n"),
      std::vector<std::string>{bad_timeout});
  EXPECT_EQ(errors_of(kHead + "hooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: 0\n"),
            std::vector<std::string>{bad_timeout});
  auto ok =
      parse_appspec(kHead +
                    "hooks:\n  AfterInstall:\n    - location: ' a.sh '\n      timeout: \"300\"\n"
                    "  BeforeInstall:\n");
  ASSERT_TRUE(ok.spec);
  EXPECT_EQ(ok.spec->hook("AfterInstall")->scripts[0].location, "a.sh");  // stripped
  EXPECT_EQ(ok.spec->hook("AfterInstall")->scripts[0].timeout_s, 300);
}

TEST(AppSpecTest, FilesNeedSourceAndDestination) {
  EXPECT_EQ(errors_of(kHead + "files:\n  - destination: /var/www\n"),
            std::vector<std::string>{
                "The deployment failed because the application specification file specifies a "
                "destination file, but no source file. Update the files section of the AppSpec "
                "file, and then try again."});
  EXPECT_EQ(errors_of(kHead + "files:\n  - source: index.html\n"),
            std::vector<std::string>{
                "The deployment failed because the application specification file specifies only "
                "a source file (index.html). Add the name of the destination file to the files "
                "section of the AppSpec file, and then try again."});
}

TEST(AppSpecTest, PermissionModes) {
  auto mode_error = [](const std::string& mode) {
    return errors_of(kHead + "permissions:\n  - object: /var/www\n    mode: " + mode + "\n");
  };
  EXPECT_TRUE(mode_error("644").empty());
  EXPECT_TRUE(mode_error("\"0644\"").empty());
  EXPECT_TRUE(mode_error("44").empty());  // padded to 044
  EXPECT_EQ(mode_error("0755"),           // YAML 1.1 octal: 493
            std::vector<std::string>{
                "The deployment failed because the permissions mode (493) in the application "
                "specification file contains an invalid character (9). Update the permissions "
                "section of the AppSpec file, and then try again."});
  EXPECT_EQ(mode_error("\"12345\""),
            std::vector<std::string>{
                "The deployment failed because the length of a permissions mode (12345) in the "
                "application specification file is invalid. Permissions modes must be between one "
                "and four characters long. Update the permissions section of the AppSpec file, "
                "and then try again."});
  auto octal = parse_appspec(kHead + "permissions:\n  - object: /var/www\n    mode: 0644\n");
  ASSERT_TRUE(octal.spec);  // accepted ... and silently becomes mode 420
  EXPECT_EQ(octal.spec->permissions[0].mode, "420");
  EXPECT_EQ(rules_of(kHead + "permissions:\n  - object: /var/www\n    mode: 0644\n"),
            std::vector<std::string>{"octal-mode"});
}

TEST(AppSpecTest, PermissionObjectTypeAndFilePatterns) {
  EXPECT_EQ(errors_of(kHead + "permissions:\n  - mode: 644\n")[0],
            "The deployment failed because a permission listed in the application specification "
            "file has no object value. Update the permissions section of the AppSpec file, and "
            "then try again.");
  EXPECT_EQ(errors_of(kHead + "permissions:\n  - object: /a\n    type: [socket]\n")[0],
            "The deployment failed because the application specification file specifies a "
            "permission for an object type not supported for permissions (socket). Update the "
            "permissions section of the AppSpec file, and then try again.");
  EXPECT_EQ(
      errors_of(kHead + "permissions:\n  - object: /a\n    pattern: '*.sh'\n    type: [file]\n")[0],
      "The deployment failed because the application specification file includes an object "
      "(/a) with an invalid pattern (*.sh), such as a pattern for a file applied to a "
      "directory. Correct the permissions section of the AppSpec file, and then try again.");
  EXPECT_EQ(
      errors_of(kHead + "permissions:\n  - object: /a\n    except: [b, c]\n    type: [file]\n")[0],
      "The deployment failed because the except parameter for a pattern in the permissions "
      "section ([\"b\", \"c\"]) for the object named /a contains an invalid format. Update "
      "the AppSpec file, and then try again.");
}

TEST(AppSpecTest, AclEntries) {
  auto acl = [](const std::string& entry) {
    return errors_of(kHead + "permissions:\n  - object: /a\n    type: [directory]\n    acls: [\"" +
                     entry + "\"]\n");
  };
  EXPECT_TRUE(acl("u:bob:rwx").empty());
  EXPECT_TRUE(acl("d:g:web:r-x").empty());
  EXPECT_TRUE(acl("m::7").empty());
  std::string prefix =
      "The deployment failed because of a problem with the acls permission "
      "settings in the application specification file.";
  EXPECT_EQ(acl("q:bob:rwx")[0], prefix + " Invalid acl entry (q:bob:rwx).");
  EXPECT_EQ(acl("rwx")[0], prefix + " Invalid acl entry (rwx).");
  EXPECT_EQ(acl("u::rwx")[0], prefix +
                                  " Use mode to set the base acl entry (u::rwx). Update the "
                                  "permissions section of the AppSpec file, and then try again.");
  EXPECT_EQ(acl("u:bob:rwz")[0],
            "The deployment failed because the access control list (ACL) named u:bob:rwz in the "
            "application specification file contains an invalid character (z). Correct the ACL "
            "in the hooks section of the AppSpec file, and then try again.");
}

TEST(AppSpecTest, SelinuxContexts) {
  auto ctx = [](const std::string& c) {
    return errors_of(kHead + "permissions:\n  - object: /a\n    context: " + c + "\n");
  };
  EXPECT_TRUE(ctx("{type: httpd_t, range: 's0-s1:c0.c5,c7'}").empty());
  EXPECT_EQ(ctx("{name: u}")[0],
            "The deployment failed because the application specification file specifies an "
            "invalid context type ({\"name\"=>\"u\"}). Update the permissions section of the "
            "AppSpec file, and then try again.");
  EXPECT_EQ(ctx("{type: t, range: 's2-s1'}")[0],
            "The deployment failed because of a problem with the SELinux range specified (s2-s1) "
            "for the context parameter in the permissions section of the application "
            "specification file. Make corrections in the permissions section of the AppSpec "
            "file, and then try again.");
  EXPECT_EQ(ctx("{type: t, range: 's0:c1024'}")[0], "invalid category c1024");
  EXPECT_EQ(ctx("{type: t, range: 's0:c1,c1'}")[0], "duplicate categories");
  EXPECT_EQ(ctx("{type: t, range: 'x0'}")[0], "invalid sensitivity x0");
}

TEST(AppSpecTest, FileExistsBehaviorIsCaseSensitive) {
  EXPECT_EQ(errors_of(kHead + "file_exists_behavior: overwrite\n")[0],
            "The deployment failed because an invalid file_exists_behavior value (overwrite) was "
            "entered in the application specification file. Make sure your AppSpec file "
            "specifies one of DISALLOW,OVERWRITE,RETAIN as the file_exists_behavior, and then try "
            "again.");
}

TEST(AppSpecTest, ReportsEveryErrorNotJustTheFirst) {
  auto r = parse_appspec("version: 1\nos: beos\nfiles:\n  - source: a\n");
  EXPECT_EQ(errors_of("version: 1\nos: beos\nfiles:\n  - source: a\n").size(), 3u);
  EXPECT_EQ(r.first_error().rfind("The deployment failed because an invalid version value (1)", 0),
            0u);
}

TEST(AppSpecTest, LintsWhatTheAgentAcceptsAndGetsWrong) {
  EXPECT_EQ(rules_of(kHead + "hooks:\n  AfterInstal:\n    - location: a.sh\n"),
            std::vector<std::string>{"unknown-hook"});
  EXPECT_EQ(rules_of(kHead + "hooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: 2000\n"
                             "    - location: b.sh\n      timeout: 2000\n"),
            std::vector<std::string>{"event-timeout"});
  EXPECT_EQ(rules_of(kHead +
                     "permissions:\n  - object: /a\n    pattern: '*.sh'\n    type: [directory]\n"),
            std::vector<std::string>{"pattern-depth"});
  EXPECT_EQ(rules_of(kHead + "hoks: {}\n"), std::vector<std::string>{"unknown-key"});
}

TEST(AppSpecTest, BadYamlHasAPlace) {
  auto r = parse_appspec(fixture("rust-v2-tests-fixtures/appspec/invalid_bad_yaml.yml"));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].where.line, 1);
  EXPECT_NE(r.diagnostics[0].message.find("not valid YAML"), std::string::npos);
  EXPECT_EQ(format_diagnostic("appspec.yml", r.diagnostics[0]).rfind("appspec.yml:1:", 0), 0u);
}

}  // namespace
}  // namespace deploysim::fake::agent

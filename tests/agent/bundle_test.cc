// Bundles: every type, the single-top-folder strip, links kept, escapes refused with nothing
// written.
#include "fake_services/codedeploy_agent/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "tests/agent/agent_test.h"

namespace deploysim::fake::agent::testing {
namespace {

struct Entry {
  std::string path;
  std::string content;  // regular file
  std::string link;     // symlink target
  bool directory = false;
  std::string hardlink;
};

void write_archive(const fs::path& out, BundleType type, const std::vector<Entry>& entries) {
  archive* a = archive_write_new();
  if (type == BundleType::Zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    if (type == BundleType::Tgz) archive_write_add_filter_gzip(a);
  }
  archive_write_open_filename(a, out.c_str());
  for (const auto& e : entries) {
    archive_entry* en = archive_entry_new();
    archive_entry_set_pathname(en, e.path.c_str());
    if (!e.hardlink.empty()) {
      archive_entry_set_hardlink(en, e.hardlink.c_str());
      archive_entry_set_filetype(en, AE_IFREG);
    } else if (!e.link.empty()) {
      archive_entry_set_filetype(en, AE_IFLNK);
      archive_entry_set_symlink(en, e.link.c_str());
      archive_entry_set_perm(en, 0777);
    } else if (e.directory) {
      archive_entry_set_filetype(en, AE_IFDIR);
      archive_entry_set_perm(en, 0755);
    } else {
      archive_entry_set_filetype(en, AE_IFREG);
      archive_entry_set_perm(en, 0755);
      archive_entry_set_size(en, static_cast<la_int64_t>(e.content.size()));
    }
    archive_write_header(a, en);
    if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(en);
  }
  archive_write_close(a);
  archive_write_free(a);
}

class BundleTest : public AgentFixture, public ::testing::WithParamInterface<BundleType> {};

TEST_P(BundleTest, UnpacksAndStripsASingleTopFolderHoldingTheAppSpec) {
  fs::path file = dir / "bundle";
  write_archive(file, GetParam(),
                {{"app/", "", "", true},
                 {"app/appspec.yml", "version: 0.0\n"},
                 {"app/scripts/run.sh", "#!/bin/sh\n"},
                 {"app/scripts/link.sh", "", "run.sh"}});
  ASSERT_EQ(unpack_bundle(file, GetParam(), dir / "out"), std::nullopt);
  EXPECT_EQ(read_file(dir / "out/appspec.yml"), "version: 0.0\n");
  EXPECT_TRUE(fs::is_symlink(dir / "out/scripts/link.sh"));
  EXPECT_EQ(fs::read_symlink(dir / "out/scripts/link.sh"), "run.sh");
  EXPECT_FALSE(fs::exists(dir / "out/app"));
}

TEST_P(BundleTest, KeepsATopFolderWithoutAnAppSpec) {
  fs::path file = dir / "bundle";
  write_archive(file, GetParam(), {{"app/", "", "", true}, {"app/index.html", "x"}});
  ASSERT_EQ(unpack_bundle(file, GetParam(), dir / "out"), std::nullopt);
  EXPECT_TRUE(fs::exists(dir / "out/app/index.html"));
}

TEST_P(BundleTest, RefusesEntriesThatEscapeWithNothingWritten) {
  std::vector<std::vector<Entry>> evil = {
      {{"appspec.yml", "x"}, {"../escaped.txt", "owned"}},
      {{"appspec.yml", "x"}, {"/tmp/absolute.txt", "owned"}},
      {{"appspec.yml", "x"}, {"link", "", "../../etc/passwd"}},
      {{"appspec.yml", "x"}, {"abs", "", "/etc/passwd"}},
      {{"appspec.yml", "x"}, {"hard", "", "", false, "../../etc/passwd"}},
  };
  // Zip has no hard links: that case applies to tar and tgz only.
  if (GetParam() == BundleType::Zip) evil.pop_back();
  for (std::size_t i = 0; i < evil.size(); ++i) {
    fs::path file = dir / ("evil" + std::to_string(i));
    write_archive(file, GetParam(), evil[i]);
    auto error = unpack_bundle(file, GetParam(), dir / "out");
    ASSERT_TRUE(error) << "case " << i;
    EXPECT_NE(error->find("outside the archive folder"), std::string::npos) << *error;
    EXPECT_FALSE(fs::exists(dir / "out")) << "case " << i;
    EXPECT_FALSE(fs::exists(dir / "escaped.txt"));
  }
}

INSTANTIATE_TEST_SUITE_P(Types, BundleTest,
                         ::testing::Values(BundleType::Tar, BundleType::Tgz, BundleType::Zip),
                         [](const auto& info) {
                           return std::string(bundle_type_name(info.param));
                         });

TEST_F(AgentFixture, AGarbageArchiveIsAClearError) {
  write_file(dir / "junk.tgz", "this is not gzip");
  auto error = unpack_bundle(dir / "junk.tgz", BundleType::Tgz, dir / "out");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("Unrecognized archive format"), std::string::npos) << *error;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST_F(AgentFixture, AFolderBundleRefusesLinksOut) {
  write_file(dir / "b/appspec.yml", "x");
  fs::create_symlink("/etc/passwd", dir / "b/passwd");
  auto error = unpack_bundle(dir / "b", BundleType::Directory, dir / "out");
  ASSERT_TRUE(error);
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(BundleTypeTest, GuessesFromTheName) {
  EXPECT_EQ(guess_bundle_type("x.tar.gz"), BundleType::Tgz);
  EXPECT_EQ(guess_bundle_type("x.tgz"), BundleType::Tgz);
  EXPECT_EQ(guess_bundle_type("x.zip"), BundleType::Zip);
  EXPECT_EQ(guess_bundle_type("x.tar"), BundleType::Tar);
  EXPECT_EQ(guess_bundle_type("x.yml"), std::nullopt);
}

}  // namespace
}  // namespace deploysim::fake::agent::testing

// EC2: states in simulated time, images, tags, filters, instance files, saved worlds.
#include <gtest/gtest.h>

#include "fake_services/ec2/backend.h"
#include "fake_services/ec2/service.h"
#include "simulator/store/store.h"
#include "tests/harness.h"

namespace deploysim::fake::ec2 {
namespace {

using deploysim::testing::Harness;
using namespace std::chrono_literals;

std::string base_ami(Harness& h) {
  auto images = h.ok("ec2", "DescribeImages", {{"Owners", json::array{"amazon"}}});
  return std::string(images.at("Images").as_array().at(0).at("ImageId").as_string());
}

std::string launch(Harness& h, const std::string& ami, int count = 1) {
  auto r =
      h.ok("ec2", "RunInstances", {{"ImageId", ami}, {"MinCount", count}, {"MaxCount", count}});
  return std::string(r.at("Instances").as_array().at(0).at("InstanceId").as_string());
}

std::string state_of(Harness& h, const std::string& id) {
  auto r = h.ok("ec2", "DescribeInstances", {{"InstanceIds", json::array{json::string(id)}}});
  return std::string(r.at("Reservations")
                         .as_array()[0]
                         .at("Instances")
                         .as_array()[0]
                         .at("State")
                         .at("Name")
                         .as_string());
}

TEST(Ec2Test, InstancesBootAfterTheBootTiming) {
  Harness h;
  std::string id = launch(h, base_ami(h));
  EXPECT_EQ(state_of(h, id), "pending");
  h.world().scheduler().run_until(h.world().now() + 39s);
  EXPECT_EQ(state_of(h, id), "pending");
  h.world().scheduler().run_until(h.world().now() + 1s);
  EXPECT_EQ(state_of(h, id), "running");
}

TEST(Ec2Test, TheCatalogueHasTheSameIdsInEveryRunOfARegion) {
  Harness a, b({.seed = 99}), west({.region = "eu-west-1"});
  EXPECT_EQ(base_ami(a), base_ami(b));
  EXPECT_NE(base_ami(a), base_ami(west));
}

TEST(Ec2Test, TerminatingAPendingInstanceWinsOverItsBoot) {
  Harness h;
  std::string id = launch(h, base_ami(h));
  h.ok("ec2", "TerminateInstances", {{"InstanceIds", json::array{json::string(id)}}});
  h.world().scheduler().run_until(h.world().now() + 1h);
  EXPECT_EQ(state_of(h, id), "terminated");  // the cancelled boot never makes it running
}

TEST(Ec2Test, SeveralMissingIdsAreNamedTogether) {
  Harness h;
  auto e = h.fails("ec2", "TerminateInstances",
                   {{"InstanceIds", json::array{"i-0000000000000000a", "i-0000000000000000b"}}});
  EXPECT_EQ(e.code, "InvalidInstanceID.NotFound");
  EXPECT_EQ(e.message, "The instance IDs 'i-0000000000000000a, i-0000000000000000b' do not exist");
  EXPECT_EQ(h.fails("ec2", "StopInstances", {{"InstanceIds", json::array{"web-1"}}}).code,
            "InvalidInstanceID.Malformed");
  EXPECT_EQ(
      h.fails("ec2", "RunInstances", {{"ImageId", "centos"}, {"MinCount", 1}, {"MaxCount", 1}})
          .code,
      "InvalidAMIID.Malformed");
  EXPECT_EQ(
      h.fails("ec2", "RunInstances", {{"ImageId", base_ami(h)}, {"MinCount", 3}, {"MaxCount", 2}})
          .code,
      "InvalidParameterValue");
}

TEST(Ec2Test, TagsAreSetReplacedAndDeletedByKeyOrKeyAndValue) {
  Harness h;
  std::string id = launch(h, base_ami(h));
  json::array res{json::string(id)};
  h.ok("ec2", "CreateTags",
       {{"Resources", res},
        {"Tags",
         json::array{{{"Key", "env"}, {"Value", "dev"}}, {{"Key", "app"}, {"Value", "web"}}}}});
  h.ok("ec2", "CreateTags",
       {{"Resources", res}, {"Tags", json::array{{{"Key", "env"}, {"Value", "prod"}}}}});
  auto filtered =
      h.ok("ec2", "DescribeInstances",
           {{"Filters", json::array{{{"Name", "tag:env"}, {"Values", json::array{"pr*"}}}}}});
  EXPECT_EQ(filtered.at("Reservations").as_array().size(), 1u);
  h.ok("ec2", "DeleteTags",
       {{"Resources", res}, {"Tags", json::array{{{"Key", "env"}, {"Value", "dev"}}}}});
  auto still =
      h.ok("ec2", "DescribeInstances",
           {{"Filters", json::array{{{"Name", "tag-key"}, {"Values", json::array{"env"}}}}}});
  EXPECT_EQ(still.at("Reservations").as_array().size(), 1u);  // value did not match: kept
  h.ok("ec2", "DeleteTags", {{"Resources", res}, {"Tags", json::array{{{"Key", "env"}}}}});
  auto gone =
      h.ok("ec2", "DescribeInstances",
           {{"Filters", json::array{{{"Name", "tag-key"}, {"Values", json::array{"env"}}}}}});
  EXPECT_TRUE(gone.at("Reservations").as_array().empty());
}

TEST(Ec2Test, WildcardsMatchLikeEc2Filters) {
  EXPECT_TRUE(wildcard_match("al2023-ami-2023.6", "al2023-*"));
  EXPECT_TRUE(wildcard_match("web-1", "web-?"));
  EXPECT_FALSE(wildcard_match("web-10", "web-?"));
  EXPECT_TRUE(wildcard_match("anything", "*"));
}

TEST(Ec2Test, InstanceFilesAreTheInstancesOwnAndTravelThroughImages) {
  Harness h;
  std::string a = launch(h, base_ami(h));
  std::string b = launch(h, base_ami(h));
  h.world().scheduler().run_until(h.world().now() + 1min);
  h.ok("sim", "PutFile", {{"InstanceId", a}, {"Path", "/srv/a.txt"}, {"Content", "A"}});
  EXPECT_EQ(h.ok("sim", "GetFile", {{"InstanceId", b}, {"Path", "/srv/a.txt"}}).at("Exists"),
            false);
  auto ami = h.ok("ec2", "CreateImage", {{"InstanceId", a}, {"Name", "with-a"}});
  h.ok("sim", "PutFile", {{"InstanceId", a}, {"Path", "/srv/a.txt"}, {"Content", "changed later"}});
  h.world().scheduler().run_until(h.world().now() + 5min);
  std::string c = launch(h, std::string(ami.at("ImageId").as_string()));
  auto got = h.ok("sim", "GetFile", {{"InstanceId", c}, {"Path", "/srv/a.txt"}});
  EXPECT_EQ(got.at("Content"), "A");  // the image is a snapshot
  EXPECT_EQ(got.at("Mode"), "0644");
  EXPECT_EQ(
      h.fails("sim", "PutFile", {{"InstanceId", a}, {"Path", "../../etc/passwd"}, {"Content", "x"}})
          .code,
      "ValidationException");
  EXPECT_EQ(h.fails("sim", "PutFile",
                    {{"InstanceId", a}, {"Path", "/x"}, {"Content", "x"}, {"Mode", "rwx"}})
                .code,
            "ValidationException");
}

TEST(Ec2Test, TheAgentCanBeStoppedOnlyWhereItIsInstalled) {
  Harness h;
  std::string id = launch(h, base_ami(h));
  h.world().scheduler().run_until(h.world().now() + 1min);
  EXPECT_EQ(h.fails("sim", "StopAgent", {{"InstanceId", id}}).code, "AgentNotInstalled");
  h.ok("sim", "InstallAgent", {{"InstanceId", id}});
  h.ok("sim", "StopAgent", {{"InstanceId", id}});
  h.ok("sim", "StartAgent", {{"InstanceId", id}});
}

TEST(Ec2Test, APendingBootSurvivesASavedWorld) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("deploysim-ec2-" + std::to_string(getpid()) + ".db"))
                         .string();
  std::filesystem::remove(path);
  std::string id;
  {
    Harness h;
    id = launch(h, base_ami(h));
    h.world().scheduler().run_until(h.world().now() + 10s);
    store::Store st(path);
    st.save(h.world());
  }
  {
    store::Store st(path);
    world::World w(*st.saved_config(), fake::models());
    fake::install_services(w);
    st.load_into(w);
    EXPECT_EQ(w.scheduler().pending(), 1u);  // the boot, re-armed
    w.scheduler().run_until(w.now() + 29s);
    auto r = w.call("ec2", "DescribeInstances", {});
    EXPECT_EQ(r->body.at("Reservations")
                  .as_array()[0]
                  .at("Instances")
                  .as_array()[0]
                  .at("State")
                  .at("Name"),
              "pending");
    w.scheduler().run_until(w.now() + 1s);  // 10 s + 30 s = the 40 s boot
    r = w.call("ec2", "DescribeInstances", {});
    EXPECT_EQ(r->body.at("Reservations")
                  .as_array()[0]
                  .at("Instances")
                  .as_array()[0]
                  .at("State")
                  .at("Name"),
              "running");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace
}  // namespace deploysim::fake::ec2

// S3 as the revision store: semantics and error codes through the dispatcher.
#include <gtest/gtest.h>

#include "fake_services/s3/backend.h"
#include "tests/harness.h"

namespace deploysim::fake::s3 {
namespace {

using deploysim::testing::Harness;

TEST(S3Test, PutThenGetReturnsTheBytesWithAnMd5ETag) {
  Harness h;
  h.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  auto put = h.ok("s3", "PutObject", {{"Bucket", "releases"}, {"Key", "a.txt"}, {"Body", "hello"}});
  EXPECT_EQ(put.at("ETag"), "\"5d41402abc4b2a76b9719d911017c592\"");
  auto got = h.ok("s3", "GetObject", {{"Bucket", "releases"}, {"Key", "a.txt"}});
  EXPECT_EQ(got.at("Body"), "hello");
  EXPECT_EQ(got.at("ContentLength"), 5u);
  EXPECT_EQ(got.at("ContentType"), "binary/octet-stream");
  EXPECT_EQ(got.at("LastModified"), "2026-01-01T00:00:00+00:00");
}

TEST(S3Test, MissingBucketAndKeyHaveDistinctCodes) {
  Harness h;
  EXPECT_EQ(h.fails("s3", "GetObject", {{"Bucket", "nope"}, {"Key", "k"}}).code, "NoSuchBucket");
  h.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  auto e = h.fails("s3", "GetObject", {{"Bucket", "releases"}, {"Key", "k"}});
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The specified key does not exist.");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(h.fails("s3", "PutObject", {{"Bucket", "nope"}, {"Key", "k"}}).code, "NoSuchBucket");
}

TEST(S3Test, HeadRequestsFailWithABare404AsTheCliShowsThem) {
  Harness h;
  auto e = h.fails("s3", "HeadBucket", {{"Bucket", "nope"}});
  EXPECT_EQ(e.code, "404");
  EXPECT_EQ(e.message, "Not Found");
  h.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  EXPECT_EQ(h.fails("s3", "HeadObject", {{"Bucket", "releases"}, {"Key", "k"}}).code, "404");
}

TEST(S3Test, BucketNamesFollowS3Rules) {
  EXPECT_TRUE(valid_bucket_name("my-releases.v2"));
  for (const char* bad : {"ab", "Releases", "-releases", "releases-", "rel..eases", "rel_eases",
                          "192.168.5.4", "xn--releases", "rel.-eases"}) {
    EXPECT_FALSE(valid_bucket_name(bad)) << bad;
  }
  Harness h;
  auto e = h.fails("s3", "CreateBucket", {{"Bucket", "Bad_Name"}});
  EXPECT_EQ(e.code, "InvalidBucketName");
}

TEST(S3Test, UsEast1AcceptsRecreatingYourOwnBucketOtherRegionsRefuse) {
  Harness east;
  east.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  auto again = east.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  EXPECT_EQ(again.at("Location"), "/releases");

  Harness west({.region = "eu-west-1"});
  json::object cfg{{"LocationConstraint", "eu-west-1"}};
  auto made =
      west.ok("s3", "CreateBucket", {{"Bucket", "releases"}, {"CreateBucketConfiguration", cfg}});
  EXPECT_EQ(made.at("Location"), "http://releases.s3.amazonaws.com/");
  EXPECT_EQ(
      west.fails("s3", "CreateBucket", {{"Bucket", "releases"}, {"CreateBucketConfiguration", cfg}})
          .code,
      "BucketAlreadyOwnedByYou");
}

TEST(S3Test, LocationConstraintMustFitTheRegion) {
  Harness east;
  EXPECT_EQ(east.fails("s3", "CreateBucket",
                       {{"Bucket", "b-one"},
                        {"CreateBucketConfiguration", {{"LocationConstraint", "us-east-1"}}}})
                .code,
            "InvalidLocationConstraint");
  Harness west({.region = "eu-west-1"});
  auto e = west.fails("s3", "CreateBucket", {{"Bucket", "b-one"}});
  EXPECT_EQ(e.code, "IllegalLocationConstraintException");
  EXPECT_EQ(e.message,
            "The unspecified location constraint is incompatible for the region specific endpoint "
            "this request was sent to.");
}

TEST(S3Test, DeleteBucketRefusesWhileObjectsRemain) {
  Harness h;
  h.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  h.ok("s3", "PutObject", {{"Bucket", "releases"}, {"Key", "k"}, {"Body", "x"}});
  EXPECT_EQ(h.fails("s3", "DeleteBucket", {{"Bucket", "releases"}}).code, "BucketNotEmpty");
  h.ok("s3", "DeleteObject", {{"Bucket", "releases"}, {"Key", "k"}});
  h.ok("s3", "DeleteObject", {{"Bucket", "releases"}, {"Key", "never-existed"}});
  h.ok("s3", "DeleteBucket", {{"Bucket", "releases"}});
  EXPECT_EQ(h.fails("s3", "DeleteBucket", {{"Bucket", "releases"}}).code, "NoSuchBucket");
}

TEST(S3Test, ListBucketsIsSortedByName) {
  Harness h;
  for (const char* b : {"zeta", "alpha", "mid-one"}) h.ok("s3", "CreateBucket", {{"Bucket", b}});
  auto list = h.ok("s3", "ListBuckets");
  const auto& buckets = list.at("Buckets").as_array();
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[0].at("Name"), "alpha");
  EXPECT_EQ(buckets[2].at("Name"), "zeta");
  EXPECT_EQ(list.at("Owner").at("ID").as_string().size(), 64u);
}

class ListingTest : public ::testing::Test {
 protected:
  ListingTest() {
    h.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
    for (const char* k : {"a/1", "a/2", "b/1", "c", "d"}) {
      h.ok("s3", "PutObject", {{"Bucket", "releases"}, {"Key", k}, {"Body", k}});
    }
  }
  Harness h;
};

TEST_F(ListingTest, DelimiterRollsKeysUpIntoCommonPrefixes) {
  auto r = h.ok("s3", "ListObjectsV2", {{"Bucket", "releases"}, {"Delimiter", "/"}});
  EXPECT_EQ(r.at("KeyCount"), 4u);
  ASSERT_EQ(r.at("CommonPrefixes").as_array().size(), 2u);
  EXPECT_EQ(r.at("CommonPrefixes").as_array()[1].at("Prefix"), "b/");
  EXPECT_EQ(r.at("Contents").as_array().size(), 2u);
}

TEST_F(ListingTest, PagesWithContinuationTokensVisitEveryKeyOnce) {
  std::vector<std::string> keys;
  json::object req{{"Bucket", "releases"}, {"MaxKeys", 2}};
  for (int page = 0; page < 10; ++page) {
    auto r = h.ok("s3", "ListObjectsV2", req);
    for (const auto& c : r.at("Contents").as_array()) keys.emplace_back(c.at("Key").as_string());
    if (!r.at("IsTruncated").as_bool()) break;
    req["ContinuationToken"] = r.at("NextContinuationToken");
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a/1", "a/2", "b/1", "c", "d"}));
}

TEST_F(ListingTest, PrefixAndStartAfterNarrowTheListing) {
  auto r = h.ok("s3", "ListObjectsV2",
                {{"Bucket", "releases"}, {"Prefix", "a/"}, {"StartAfter", "a/1"}});
  ASSERT_EQ(r.at("Contents").as_array().size(), 1u);
  EXPECT_EQ(r.at("Contents").as_array()[0].at("Key"), "a/2");
}

TEST_F(ListingTest, ABadContinuationTokenIsInvalidArgument) {
  auto e = h.fails("s3", "ListObjectsV2", {{"Bucket", "releases"}, {"ContinuationToken", "bogus"}});
  EXPECT_EQ(e.code, "InvalidArgument");
  EXPECT_EQ(e.message, "The continuation token provided is incorrect");
}

TEST(S3Test, ContentMd5IsChecked) {
  Harness h;
  h.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  // base64 of md5("hello")
  h.ok("s3", "PutObject",
       {{"Bucket", "releases"},
        {"Key", "k"},
        {"Body", "hello"},
        {"ContentMD5", "XUFAKrxLKna5cZ2REBfFkg=="}});
  EXPECT_EQ(h.fails("s3", "PutObject",
                    {{"Bucket", "releases"},
                     {"Key", "k"},
                     {"Body", "bye"},
                     {"ContentMD5", "XUFAKrxLKna5cZ2REBfFkg=="}})
                .code,
            "BadDigest");
  EXPECT_EQ(
      h.fails("s3", "PutObject",
              {{"Bucket", "releases"}, {"Key", "k"}, {"Body", "bye"}, {"ContentMD5", "short"}})
          .code,
      "InvalidDigest");
}

TEST(S3Test, LargeObjectsAreFileBackedAndReadBackWhole) {
  Harness h;
  h.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  std::string big(Backend::kFileBackedBytes + 10, 'x');
  big[123] = 'y';
  h.ok("s3", "PutObject", {{"Bucket", "releases"}, {"Key", "big"}, {"Body", big}});
  auto got = h.ok("s3", "GetObject", {{"Bucket", "releases"}, {"Key", "big"}});
  EXPECT_EQ(got.at("Body").as_string(), big);
  EXPECT_TRUE(std::filesystem::exists(h.world().scratch_dir() / "s3"));
}

TEST(S3Test, MetadataAndContentTypeRoundTrip) {
  Harness h;
  h.ok("s3", "CreateBucket", {{"Bucket", "releases"}});
  h.ok("s3", "PutObject",
       {{"Bucket", "releases"},
        {"Key", "k"},
        {"Body", "x"},
        {"ContentType", "application/zip"},
        {"Metadata", {{"release", "v1"}}}});
  auto head = h.ok("s3", "HeadObject", {{"Bucket", "releases"}, {"Key", "k"}});
  EXPECT_EQ(head.at("ContentType"), "application/zip");
  EXPECT_EQ(head.at("Metadata").at("release"), "v1");
  EXPECT_FALSE(head.contains("Body"));
}

TEST(StsTest, GetCallerIdentityAnswersForTheRoot) {
  Harness h;
  auto id = h.ok("sts", "GetCallerIdentity");
  EXPECT_EQ(id.at("Account"), "123456789012");
  EXPECT_EQ(id.at("Arn"), "arn:aws:iam::123456789012:root");
  EXPECT_EQ(id.at("UserId"), "123456789012");
}

}  // namespace
}  // namespace deploysim::fake::s3

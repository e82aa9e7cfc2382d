// IAM decisions per second: a user with 10 attached policies of 10 statements each, all with
// conditions (the issue's case), beside a baseline of one Allow-everything statement; and one
// authorized call through the dispatcher beside the same call made as root (no evaluation).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "fake_services/all/install.h"
#include "fake_services/iam/evaluator.h"

namespace {

using namespace deploysim::fake::iam;

std::string statement(int p, int s) {
  // Nine statements that do not apply to the request (other services, other prefixes), and the
  // last one of the last policy that allows it: the evaluator must look at every statement.
  bool last = p == 9 && s == 9;
  std::string action = last ? "s3:GetObject" : fmt::format("ec2:Describe{}x{}*", p, s);
  return fmt::format(
      R"({{"Sid":"S{}x{}","Effect":"Allow","Action":["{}","s3:List{}*"],)"
      R"("Resource":"arn:aws:s3:::bucket-{}/home/${{aws:username}}/*",)"
      R"("Condition":{{"IpAddress":{{"aws:SourceIp":["203.0.113.0/24","10.{}.0.0/16"]}},)"
      R"("StringLike":{{"aws:PrincipalTag/team":["web*","ops-{}"]}},)"
      R"("DateLessThan":{{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}}})",
      p, s, action, s, last ? "9" : std::to_string(p), s, s);
}

struct Fixture {
  std::vector<Policy> policies;
  std::vector<PolicySource> sources;
  Request request;

  explicit Fixture(bool heavy) {
    if (heavy) {
      for (int p = 0; p < 10; ++p) {
        std::string doc = R"({"Version":"2012-10-17","Statement":[)";
        for (int s = 0; s < 10; ++s) doc += (s ? "," : "") + statement(p, s);
        doc += "]}";
        auto parsed = parse_policy(doc, {PolicyKind::Identity, true});
        if (!parsed.ok()) throw std::runtime_error(parsed.error().message);
        policies.push_back(std::move(parsed).value());
      }
    } else {
      policies.push_back(
          parse_policy(
              R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})",
              {PolicyKind::Identity, true})
              .value());
    }
    for (std::size_t i = 0; i < policies.size(); ++i) {
      sources.push_back(
          {&policies[i], PolicyType::Identity, "p" + std::to_string(i), "user-managed"});
    }
    request.action = "s3:GetObject";
    request.resource = "arn:aws:s3:::bucket-9/home/alice/report.csv";
    request.principal = {RequestPrincipal::Type::User, "arn:aws:iam::123456789012:user/alice", "",
                         "123456789012", ""};
    request.context["aws:username"] = {{"alice"}, false};
    request.context["aws:sourceip"] = {{"203.0.113.7"}, false};
    request.context["aws:principaltag/team"] = {{"web-frontend"}, false};
    request.context["aws:currenttime"] = {{"2026-11-26T12:00:00Z"}, false};
  }
};

void BM_IamBaselineOneAllowAll(benchmark::State& state) {
  Fixture f(false);
  for (auto _ : state) {
    Evaluation ev = evaluate(f.request, f.sources);
    if (ev.decision != Decision::Allowed) state.SkipWithError("not allowed");
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_IamTenPoliciesOfTenConditionalStatements(benchmark::State& state) {
  Fixture f(true);
  for (auto _ : state) {
    Evaluation ev = evaluate(f.request, f.sources);
    if (ev.decision != Decision::Allowed) state.SkipWithError("not allowed");
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
}

// A whole call through the dispatcher, as root (not evaluated) and as a user with the policies.
void dispatcher_call(benchmark::State& state, bool as_user) {
  deploysim::world::World w({}, deploysim::fake::models());
  deploysim::fake::install_services(w);
  (void)w.call("s3", "CreateBucket", {{"Bucket", "bucket-9"}});
  (void)w.call("s3", "PutObject",
               {{"Bucket", "bucket-9"}, {"Key", "home/alice/report.csv"}, {"Body", "x"}});
  (void)w.call("iam", "CreateUser",
               {{"UserName", "alice"},
                {"Tags", boost::json::array{
                             boost::json::object{{"Key", "team"}, {"Value", "web-frontend"}}}}});
  for (int p = 0; p < 10; ++p) {
    std::string doc = R"({"Version":"2012-10-17","Statement":[)";
    for (int s = 0; s < 10; ++s) {
      // Without the IP condition: calls from scenarios carry no aws:SourceIp.
      std::string st = statement(p, s);
      auto at = st.find(R"("IpAddress")");
      auto end = st.find("]},", at);
      st.erase(at, end + 3 - at);
      doc += (s ? "," : "") + st;
    }
    doc += "]}";
    auto created = w.call("iam", "CreatePolicy",
                          {{"PolicyName", "p" + std::to_string(p)}, {"PolicyDocument", doc}});
    if (!created.ok()) {
      state.SkipWithError(created.error().message.c_str());
      return;
    }
    (void)w.call(
        "iam", "AttachUserPolicy",
        {{"UserName", "alice"}, {"PolicyArn", created.value().body.at("Policy").at("Arn")}});
  }
  auto who = w.dispatcher().resolve_principal(as_user ? "user/alice" : "root", w.config().account);
  deploysim::api::Call call{
      "s3", "GetObject", {{"Bucket", "bucket-9"}, {"Key", "home/alice/report.csv"}}, who.value()};
  call.journal = false;
  for (auto _ : state) {
    auto r = w.dispatcher().call(call);
    if (!r.ok()) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DispatcherGetObjectAsRoot(benchmark::State& state) {
  dispatcher_call(state, false);
}
void BM_DispatcherGetObjectAsUserWithTenPolicies(benchmark::State& state) {
  dispatcher_call(state, true);
}

}  // namespace

BENCHMARK(BM_IamBaselineOneAllowAll);
BENCHMARK(BM_IamTenPoliciesOfTenConditionalStatements);
BENCHMARK(BM_DispatcherGetObjectAsRoot);
BENCHMARK(BM_DispatcherGetObjectAsUserWithTenPolicies);

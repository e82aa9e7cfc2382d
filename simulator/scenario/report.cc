#include "simulator/scenario/report.h"

#include <fmt/format.h>

namespace deploysim::scenario {
namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters even when escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string json_report(const std::vector<ScenarioOutcome>& outcomes) {
  json::array scenarios;
  std::size_t passed = 0;
  for (const auto& o : outcomes) {
    if (o.passed) ++passed;
    json::array steps;
    for (std::size_t i = 0; i < o.steps.size(); ++i) {
      const auto& s = o.steps[i];
      json::object step{{"index", i + 1},
                        {"step", s.label},
                        {"location", s.where.str()},
                        {"outcome", s.passed ? "passed" : "failed"},
                        {"time", sim::format_iso8601(s.time)},
                        {"response", s.response}};
      if (!s.passed) step["failure"] = s.failure;
      steps.push_back(std::move(step));
    }
    json::object entry{{"file", o.file},
                       {"name", o.name},
                       {"seed", o.seed},
                       {"outcome", o.load_failed ? "invalid"
                                   : o.passed    ? "passed"
                                                 : "failed"},
                       {"simulated_seconds", static_cast<double>(o.simulated.count()) / 1000.0},
                       {"simulated_events", o.events},
                       {"steps", std::move(steps)}};
    if (o.load_failed) entry["error"] = o.load_error;
    scenarios.push_back(std::move(entry));
  }
  json::object root{{"passed", passed},
                    {"failed", outcomes.size() - passed},
                    {"scenarios", std::move(scenarios)}};
  return sim::pretty_json(root) + "\n";
}

std::string junit_report(const std::vector<ScenarioOutcome>& outcomes) {
  std::size_t failures = 0, errors = 0;
  double total = 0;
  std::string cases;
  for (const auto& o : outcomes) {
    total += o.wall_seconds;
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">\n",
                         xml_escape(o.file), xml_escape(o.name.empty() ? o.file : o.name),
                         o.wall_seconds);
    if (o.load_failed) {
      ++errors;
      cases += fmt::format("      <error message=\"{}\"/>\n", xml_escape(o.load_error));
    } else if (!o.passed) {
      ++failures;
      std::string summary = o.failure_summary();
      std::string first_line = summary.substr(0, summary.find('\n'));
      cases += fmt::format(
          "      <failure message=\"{}\">{}\nreproduce: deploysim run --seed {} "
          "{}</failure>\n",
          xml_escape(first_line), xml_escape(summary), o.seed, xml_escape(o.file));
    }
    cases += "    </testcase>\n";
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"deploysim\" "
      "tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n{}  </testsuite>\n"
      "</testsuites>\n",
      outcomes.size(), failures, errors, total, cases);
}

}  // namespace deploysim::scenario

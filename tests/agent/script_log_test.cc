// The diagnostics log tail: the agent's ScriptLog, measured numbers from the reference.
#include <gtest/gtest.h>

#include "fake_services/codedeploy_agent/agent.h"

namespace deploysim::fake::agent {
namespace {

std::size_t kept(int count, std::size_t length) {
  ScriptLog log;
  for (int i = 0; i < count; ++i) log.append(std::string(length - 1, 'x') + "\n");
  return log.text().size() / length;
}

TEST(ScriptLogTest, KeepsTheNewestWholeEntriesUnder2048Characters) {
  EXPECT_EQ(kept(50, 100), 20u);
  EXPECT_EQ(kept(50, 1000), 2u);
  EXPECT_EQ(kept(1, 2047), 1u);
}

TEST(ScriptLogTest, ASingleEntryOf2048OrMoreEmptiesTheTail) {
  ScriptLog log;
  log.append("short\n");
  log.append(std::string(2048, 'y'));
  EXPECT_EQ(log.text(), "");
}

TEST(ScriptLogTest, TheAgentsOffByOneKeepsFewerAtTheBoundary) {
  ScriptLog log;
  log.append(std::string(1000, 'a'));
  log.append(std::string(900, 'b'));
  log.append(std::string(100, 'c'));
  EXPECT_EQ(log.text(), std::string(900, 'b') + std::string(100, 'c'));
}

}  // namespace
}  // namespace deploysim::fake::agent

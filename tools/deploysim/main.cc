// deploysim: an offline, deterministic simulator of the AWS pieces a deployment touches.
#include <cstdio>
#include <iostream>

#include "tools/deploysim/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "deploysim: simulate IAM, EC2, Auto Scaling, S3 and CodeDeploy offline, "
      "deterministically"};
  app.set_version_flag("--version", std::string("deploysim ") + DEPLOYSIM_VERSION);
  app.require_subcommand(1);
  deploysim::cli::RunFlags run;
  deploysim::cli::CallFlags call;
  deploysim::cli::add_run_command(app, run);
  deploysim::cli::add_call_command(app, call);
  deploysim::cli::ValidateFlags validate;
  deploysim::cli::add_validate_command(app, validate);
  deploysim::cli::LocalFlags local;
  deploysim::cli::add_local_command(app, local);
  deploysim::cli::add_operations_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // usage errors: 2, like a scenario that cannot be read
  }
  if (app.got_subcommand("run")) return deploysim::cli::run_command(run);
  if (app.got_subcommand("call")) return deploysim::cli::call_command(call);
  if (app.got_subcommand("validate")) return deploysim::cli::validate_command(validate);
  if (app.got_subcommand("local")) return deploysim::cli::local_command(local);
  if (app.got_subcommand("operations")) return deploysim::cli::operations_command();
  return 2;
}

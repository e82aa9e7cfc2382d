// The text of the runner (bash) and of the stand-in commands, written into each session's folder.
#pragma once

namespace deploysim::sandbox {

// Runs inside the sandbox: reads "run N" lines from $IO/ctl, runs the script described by
// $IO/N.{argv,env,timeout,runas} with stdout/stderr on the FIFOs $IO/N.{out,err}, and answers
// "pid N P" and "exit N RC" on $IO/status. Each script is a job (its own process group); a
// watchdog sends SIGTERM to that group at the deadline and SIGKILL 5 s later.
inline constexpr const char* kRunnerScript = R"runner(#!/bin/bash
IO=$1
set -m
exec 3<"$IO/ctl" 4>"$IO/status"
while IFS=' ' read -r -u 3 cmd n; do
  [ "$cmd" = run ] || continue
  mapfile -d '' -t argv <"$IO/$n.argv"
  mapfile -d '' -t envv <"$IO/$n.env"
  timeout=$(cat "$IO/$n.timeout")
  runas=$(cat "$IO/$n.runas" 2>/dev/null)
  prefix=()
  if [ -n "$runas" ]; then
    entry=
    while IFS=: read -r name _ uid gid _ home shell; do
      if [ "$name" = "$runas" ]; then entry=1; break; fi
    done </etc/passwd 2>/dev/null
    if [ -z "$entry" ] || [ -z "$uid" ] || [ -z "$shell" ]; then
      argv=(/bin/sh -c 'echo "su: user $0 does not exist or the user entry does not contain all the required fields" >&2; exit 1' "$runas")
    elif [ "${shell##*/}" = nologin ] || [ "${shell##*/}" = false ]; then
      argv=(/bin/sh -c 'echo "This account is currently not available."; exit 1')
    else
      envv+=("HOME=$home" "USER=$runas" "LOGNAME=$runas" "SHELL=$shell")
      prefix=(setpriv "--reuid=$uid" "--regid=$gid" --init-groups)
    fi
  fi
  exec 5>"$IO/$n.out" 6>"$IO/$n.err"
  env -i "${envv[@]}" "${prefix[@]}" "${argv[@]}" </dev/null >&5 2>&6 3<&- 4>&- 5>&- 6>&- &
  pid=$!
  exec 5>&- 6>&-
  echo "pid $n $pid" >&4
  ( exec 3<&- 4>&-; sleep "$timeout"; kill -TERM -- "-$pid" 2>/dev/null; sleep 5; kill -KILL -- "-$pid" 2>/dev/null ) &
  watchdog=$!
  wait "$pid"
  rc=$?
  kill -- "-$watchdog" 2>/dev/null
  echo "exit $n $rc" >&4
done
)runner";

// service, systemctl, yum, dnf, apt-get, apt: record what was asked, succeed.
inline constexpr const char* kStandInScript = R"standin(#!/bin/sh
# deploysim stand-in: records the request in the instance and succeeds.
dir="${DEPLOYSIM_INSTANCE_ROOT}/var/lib/deploysim"
mkdir -p "$dir" 2>/dev/null
printf '%s\n' "$(basename "$0") $*" >>"$dir/stand-ins.log"
exit 0
)standin";

inline constexpr const char* kStandIns[] = {"service", "systemctl", "yum", "dnf", "apt-get", "apt"};

}  // namespace deploysim::sandbox

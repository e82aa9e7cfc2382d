// The text of the runner (bash) and of the stand-in commands, written into each session's folder.
#pragma once

namespace deploysim::sandbox {

// Runs inside the sandbox: reads "run N" lines from $IO/ctl, runs the script described by
// $IO/N.req with stdout/stderr on the FIFOs $IO/N.{out,err}, and answers
// "pid N P" and "exit N RC" on $IO/status. Each script runs under GNU timeout, in its own
// process group, which gets SIGTERM at the deadline and SIGKILL 5 s later.
inline constexpr const char* kRunnerScript = R"runner(#!/bin/bash
IO=$1
set -m
exec 3<"$IO/ctl" 4>"$IO/status"
while IFS=' ' read -r -u 3 cmd n; do
  if [ "$cmd" = ping ]; then echo pong >&4; continue; fi
  [ "$cmd" = run ] || continue
  # $IO/N.req: timeout, runas, argc, argv..., env... (NUL-separated)
  mapfile -d '' -t req <"$IO/$n.req"
  timeout=${req[0]}
  runas=${req[1]}
  argv=("${req[@]:3:${req[2]}}")
  envv=("${req[@]:$((3 + req[2]))}")
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
  # GNU timeout runs the script in its own process group and signals that whole group: SIGTERM
  # at the deadline, SIGKILL 5 s later.
  env -i "${envv[@]}" timeout -k 5 "$timeout" "${prefix[@]}" "${argv[@]}" </dev/null >&5 2>&6 3<&- 4>&- 5>&- 6>&- &
  pid=$!
  exec 5>&- 6>&-
  echo "pid $n $pid" >&4
  wait "$pid"
  echo "exit $n $?" >&4
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

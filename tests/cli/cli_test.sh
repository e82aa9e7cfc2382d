#!/usr/bin/env bash
# The CLI's promises: exit statuses, outputs and error forms a CI pipeline relies on.
# usage: cli_test.sh DEPLOYSIM SOURCE_DIR
set -u
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {  # check NAME EXPECTED_STATUS COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $got, wanted $want"
    sed 's/^/  | /' "$work/err" | head -20
  fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $1: '$3' not in $2:"
    sed 's/^/  | /' "$2" | head -20
  fi
}

scenario="$src/scenarios/s3_revision_store.yaml"
check "version" 0 "$bin" --version
contains "version text" "$work/out" "deploysim 0."
check "help" 0 "$bin" run --help
contains "run help lists --shard" "$work/out" "--shard"

check "a passing scenario exits 0" 0 "$bin" run "$scenario" --junit "$work/j.xml" --json "$work/r.json"
contains "progress on stderr" "$work/err" "✓ sim.PutRevision"
contains "junit written" "$work/j.xml" "tests=\"1\" failures=\"0\" errors=\"0\""
contains "json written" "$work/r.json" "\"outcome\": \"passed\""

cat >"$work/fails.yaml" <<'YAML'
name: fails on purpose
steps:
  - s3.CreateBucket: {Bucket: releases}
  - expect:
      s3.ListBuckets: {}
      match: {Buckets: {$count: 2}}
YAML
check "a failing step exits 1" 1 "$bin" run "$work/fails.yaml" --seed 5
contains "failure names the path" "$work/err" "differs at Buckets: expected 2 elements, got 1"
contains "failure prints a reproduce line" "$work/err" "reproduce: deploysim run --seed 5"

printf 'name: broken\nsteps:\n  - s3.PutObjekt: {}\n' >"$work/bad.yaml"
check "an invalid scenario exits 2" 2 "$bin" run "$work/bad.yaml" "$scenario"
contains "file:line:col" "$work/err" "bad.yaml:3:5: error: s3 has no operation 'PutObjekt'"
contains "the valid file still ran" "$work/err" "1 of 2 scenarios passed"
check "a missing file exits 2" 2 "$bin" run "$work/nope.yaml"
check "a bad shard exits 2" 2 "$bin" run --shard 3/2 "$scenario"

check "shard 2/2 of one file runs nothing" 0 "$bin" run --shard 2/2 "$scenario"
contains "nothing ran" "$work/err" "0 of 0 scenarios passed"
check "shard 1/2 of two files runs the first" 1 "$bin" run --shard 1/2 "$work/fails.yaml" "$scenario"
contains "only the first ran" "$work/err" "0 of 1 scenarios passed"

check "call prints the response" 0 "$bin" call sts GetCallerIdentity
contains "caller identity" "$work/out" "\"Arn\": \"arn:aws:iam::123456789012:root\""
check "call errors exit 254" 254 "$bin" call s3 DeleteBucket --input '{"Bucket":"nope"}'
contains "error JSON on stderr" "$work/err" "\"Code\": \"NoSuchBucket\""
check "bad --input JSON exits 252" 252 "$bin" call s3 ListBuckets --input '{oops'
echo "{}" >"$work/empty.json"
check "call with @file input" 0 "$bin" call s3 ListBuckets --input @"$work/empty.json"
check "an empty input file is invalid JSON" 252 "$bin" call s3 ListBuckets --input @/dev/null
echo '{"Bucket": "kept-bucket"}' >"$work/in.json"
check "call --state keeps the world" 0 "$bin" call s3 CreateBucket --input @"$work/in.json" --state "$work/w.db"
check "the next call sees it" 0 "$bin" call s3 HeadBucket --input @"$work/in.json" --state "$work/w.db"
check "run continues the same world" 0 "$bin" run --state "$work/w.db" "$scenario"
check "a non-state file is refused" 2 "$bin" call s3 ListBuckets --state "$work/in.json"
# IAM entities live in the state file too: a user made by one call is decided on by the next.
check "iam user in a state file" 0 "$bin" call iam CreateUser --input '{"UserName":"dev"}' --state "$work/iam.db"
check "a denied call exits 254" 254 "$bin" call --as user/dev s3 ListBuckets --state "$work/iam.db"
contains "with AWS's message" "$work/err" "is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows"
check "attach a managed policy" 0 "$bin" call iam AttachUserPolicy --input '{"UserName":"dev","PolicyArn":"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}' --state "$work/iam.db"
check "then it is allowed" 0 "$bin" call --as user/dev s3 ListBuckets --state "$work/iam.db"
check "an unknown user is NoSuchEntity" 254 "$bin" call --as user/ghost s3 ListBuckets --state "$work/iam.db"
# Auto Scaling groups, with a hook's wait in flight, continue in the next run.
check "a group saved mid-wait" 0 "$bin" run --state "$work/asg.db" "$src/tests/cli/asg_state_1.yaml"
check "continues where it stopped" 0 "$bin" run --state "$work/asg.db" "$src/tests/cli/asg_state_2.yaml"
# A CodeDeploy deployment in flight continues in the next run.
check "a deployment saved mid-flight" 0 "$bin" run --state "$work/cd.db" "$src/tests/cli/codedeploy_state_1.yaml"
check "finishes in the next run" 0 "$bin" run --state "$work/cd.db" "$src/tests/cli/codedeploy_state_2.yaml"
# The README's list of operations is deploysim operations' output.
check "operations" 0 "$bin" operations
sed -n '/<!-- operations:begin -->/,/<!-- operations:end -->/p' "$src/README.md" | sed '1d;$d' >"$work/readme-ops"
if cmp -s "$work/out" "$work/readme-ops"; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL the README's operations differ from deploysim operations:"; diff "$work/readme-ops" "$work/out" | head; fi
# The flagship's output: what happened under each step, and the table of instances.
check "run --story --summary" 0 "$bin" run --story --summary "$src/scenarios/02_scale_out_gets_v1.yaml"
contains "the new instances wait on the hook" "$work/err" "Pending:Wait (1 hook)"
contains "their deployments are Auto Scaling's" "$work/err" "deployment created by autoscaling for site/production"
contains "the story shows the simulated clock" "$work/err" "T+00:04:17  autoscaling site                     desired capacity 3 -> 6"
contains "the table's header" "$work/err" "instance             group  state       last deployment"
contains "the table names the revision" "$work/err" "InService   d-"
contains "and what it installed" "$work/err" "Succeeded (site/v1.tgz)"
check "--quiet silences the story" 0 "$bin" run -q --story --summary "$src/scenarios/02_scale_out_gets_v1.yaml"
[ -s "$work/err" ] && { failed=$((failed + 1)); echo "FAIL -q printed:"; head -3 "$work/err"; } || passed=$((passed + 1))
check "an unwritable report" 2 "$bin" run -q --report /nonexistent/dir/r.html "$src/scenarios/s3_revision_store.yaml"
contains "says which file" "$work/err" "deploysim run: cannot write /nonexistent/dir/r.html"
# A blue/green deployment's waits (the copy's instances, Ready, the termination wait) resume.
check "blue/green saved while provisioning" 0 "$bin" run --state "$work/bg.db" "$src/tests/cli/bg_state_1.yaml"
check "reaches Ready and is rerouted" 0 "$bin" run --state "$work/bg.db" "$src/tests/cli/bg_state_2.yaml"
check "its termination wait ends on time" 0 "$bin" run --state "$work/bg.db" "$src/tests/cli/bg_state_3.yaml"
# An armed fault is kept in the state file until it fires.
check "arm a fault" 0 "$bin" call sim InjectFault --input '{"Kind":"LaunchFails","Count":1}' --state "$work/fault.db"
image=$("$bin" call ec2 DescribeImages --input '{"Owners":["amazon"]}' --state "$work/fault.db" | sed -n 's/.*"ImageId": "\(ami-[0-9a-f]*\)".*/\1/p' | head -1)
check "the next launch fails" 254 "$bin" call ec2 RunInstances --input "{\"ImageId\":\"$image\",\"MinCount\":1,\"MaxCount\":1}" --state "$work/fault.db"
contains "for want of capacity" "$work/err" "InsufficientInstanceCapacity"
check "the one after it works" 0 "$bin" call ec2 RunInstances --input "{\"ImageId\":\"$image\",\"MinCount\":1,\"MaxCount\":1}" --state "$work/fault.db"

# --- validate ---
fixtures="$src/../shared/fixtures/agent"
check "validate a good bundle" 0 "$bin" validate "$fixtures/sample_app_bundle_linux"
contains "validate says valid" "$work/out" "valid (0 errors"
printf 'version: "0.0"\nos: linux\nhooks:\n  AfterInstal:\n    - location: a.sh\n' >"$work/appspec.yml"
check "validate a bad appspec" 1 "$bin" validate "$work/appspec.yml"
contains "error with its place" "$work/out" "appspec.yml:1:10: error: The deployment failed because an invalid version value (0.0)"
contains "unknown hook warning" "$work/out" "warning: unknown lifecycle event 'AfterInstal' (did you mean AfterInstall?)"
check "validate --json" 1 "$bin" validate --json "$work/appspec.yml"
contains "json diagnostics" "$work/out" '"valid":false'
printf 'version: 0.0\nos: linux\nhooks:\n  AfterInstal:\n    - location: a.sh\n' >"$work/warn.yml"
check "warnings alone are valid" 0 "$bin" validate "$work/warn.yml"
check "--strict makes warnings errors" 1 "$bin" validate --strict "$work/warn.yml"
check "validate an unreadable path" 2 "$bin" validate "$work/no-such-bundle"
(cd "$fixtures" && tar czf "$work/sample.tgz" sample_app_bundle_linux)
check "validate an archive (top folder stripped)" 0 "$bin" validate "$work/sample.tgz"

# --- local ---
check "local deploys the sample" 0 "$bin" local -l "$fixtures/sample_app_bundle_linux" --instance-root "$work/inst"
contains "success line" "$work/out" "AppSpec file valid. Local deployment successful"
check "a second deployment continues the instance" 0 "$bin" local -l "$fixtures/sample_app_bundle_linux" --instance-root "$work/inst" --json
contains "previous revision's stop ran" "$work/out" '"event":"ApplicationStop","status":"Succeeded"'
check "local from a tgz" 0 "$bin" local -l "$work/sample.tgz" -t tgz
check "bad type" 1 "$bin" local -l "$work/sample.tgz" -t rar
contains "type message" "$work/err" "ERROR: type rar is not a valid type. Must be one of tgz,tar,zip,directory"
check "missing location" 1 "$bin" local -l "$work/nowhere"
contains "location message" "$work/err" "is specified as a file or directory which does not exist"
check "directory type on a file" 1 "$bin" local -l "$work/sample.tgz"
contains "type directory message" "$work/err" "is specified with type directory but it is a file"
check "bad event order" 1 "$bin" local -l "$fixtures/sample_app_bundle_linux" -e ValidateService,Install
contains "order message" "$work/err" "The only events that can be specified before Install are BeforeBlockTraffic,AfterBlockTraffic,ApplicationStop,DownloadBundle,BeforeInstall."
check "custom event not in the appspec" 1 "$bin" local -l "$fixtures/sample_app_bundle_linux" -e CustomEvent
contains "custom event message" "$work/out" "doesn't exist in your appspec.yml file: CustomEvent"
check "custom event in the appspec" 0 "$bin" local -l "$fixtures/sample_custom_event_app_bundle_linux" -e BeforeInstall,CustomEvent
mkdir -p "$work/failing/scripts"
printf 'version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n' >"$work/failing/appspec.yml"
printf '#!/bin/bash\necho checking the page\nexit 3\n' >"$work/failing/scripts/check.sh"
chmod +x "$work/failing/scripts/check.sh"
check "a failing hook exits 1" 1 "$bin" local -l "$work/failing"
contains "the script error is shown" "$work/out" "error code 4: Script at specified location: scripts/check.sh failed with exit code 3"
contains "the log tail is shown" "$work/out" "[stdout]checking the page"
contains "later events are skipped" "$work/out" "BeforeAllowTraffic"

mkdir -p "$work/nobwrap"
check "without bubblewrap, local falls back" 0 env PATH="$work/nobwrap" "$bin" local -l "$fixtures/sample_app_bundle_linux"
contains "the fallback is announced once" "$work/err" "bubblewrap cannot run here"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

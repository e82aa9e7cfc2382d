#!/usr/bin/env bash
# deploysim run --report, opened in headless Chromium: the page renders without script errors, a
# lane per instance and every lifecycle event the data holds, lanes legible at 110 instances, and
# a failed event's diagnostics shown when it is clicked (report.html#first-failure clicks it).
# usage: report_test.sh DEPLOYSIM PROJECT_DIR
set -euo pipefail
bin=$1
project=$2
chromium=$(command -v chromium || true)
if [[ -z "$chromium" ]]; then
  echo "FAIL: chromium is not installed (tools/setup installs it)"
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*"; exit 1; }

"$bin" run -q --report "$work/report.html" "$project/scenarios/codedeploy_autoscaling.yaml" \
  "$project/tests/report/fleet_100.yaml" || fail "the scenarios did not pass"
[[ -s "$work/report.html" ]] || fail "no report written"
grep -q '<script src' "$work/report.html" && fail "the page loads an external script"

# Chromium's background services would reach for the network: off (see the machine's notes).
dom() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --dump-dom "$1" 2>"$work/chromium.log"
}
dom "file://$work/report.html" >"$work/dom.html" || fail "chromium could not load the page"
dom "file://$work/report.html#first-failure" >"$work/clicked.html" || fail "chromium failed (#first-failure)"
dom "file://$work/report.html#zoom=0:150-260" >"$work/zoomed.html" || fail "chromium failed (#zoom)"

# A run with a file that is not a scenario and a scenario that fails still gets its page, and
# the page shows both failures.
printf 'name: broken\nsteps:\n  - advance: soon\n' >"$work/broken.yaml"
printf 'name: fails\nsteps:\n  - s3.HeadBucket: {Bucket: missing}\n' >"$work/fails.yaml"
status=0
"$bin" run -q --report "$work/failed.html" "$work/broken.yaml" "$work/fails.yaml" \
  "$project/scenarios/s3_revision_store.yaml" 2>/dev/null || status=$?
[[ $status -eq 2 ]] || fail "a file that is not a scenario should exit 2, not $status"
dom "file://$work/failed.html" >"$work/failed-dom.html" || fail "chromium could not load the failed run's page"
grep -q 'data-rendered="true"' "$work/failed-dom.html" || fail "the failed run's page did not render"
grep -q 'data-errors' "$work/failed-dom.html" && fail "script errors on the failed run's page"
grep -q "advance: &#39;soon&#39; is not a duration\|advance: 'soon' is not a duration" "$work/failed-dom.html" ||
  fail "the page does not show the load error"
grep -q "NoSuchBucket\|404" "$work/failed-dom.html" || fail "the page does not show the failed step"

python3 - "$work/report.html" "$work/dom.html" "$work/clicked.html" "$work/zoomed.html" <<'EOF'
import html.parser, json, re, sys

page, dom, clicked, zoomed = (open(p, encoding="utf-8").read() for p in sys.argv[1:])
data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))

class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.body, self.lanes, self.events, self.spans = {}, [], [], []
        self.details, self.in_details, self.text = [], 0, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        if tag == "body": self.body = a
        if tag == "g" and cls == "lane": self.lanes.append(a["data-instance"])
        if tag == "rect" and cls.startswith("event"): self.events.append(a)
        if tag == "rect" and cls == "span": self.spans.append(a)
        if tag == "div" and cls.startswith("details"):
            self.details.append(cls); self.in_details = 1
        elif self.in_details and tag == "div": self.in_details += 1
    def handle_endtag(self, tag):
        if self.in_details and tag == "div": self.in_details -= 1
    def handle_data(self, d):
        if self.in_details: self.text.append(d)

def parse(text):
    d = Dom(); d.feed(text); return d

errors = []
d = parse(dom)
if d.body.get("data-rendered") != "true": errors.append("the page did not finish rendering")
if d.body.get("data-errors"): errors.append("script errors: " + d.body["data-errors"])
lanes = [l["id"] for s in data["scenarios"] for l in s["timeline"]["lanes"]]
events = [e for s in data["scenarios"] for e in s["timeline"]["events"]]
if d.lanes != lanes: errors.append(f"{len(d.lanes)} lanes drawn, {len(lanes)} in the data")
if len(d.events) != len(events): errors.append(f"{len(d.events)} events drawn, {len(events)} in the data")
if len(lanes) < 110: errors.append(f"only {len(lanes)} lanes: the fleet scenario should give 110+")
failed = [e for e in d.events if "failed" in e["class"]]
if len(failed) != sum(e["status"] == "Failed" for e in events) or not failed:
    errors.append(f"{len(failed)} failed events drawn")
for state in ("Pending", "Pending:Wait", "InService", "Terminated"):
    if not any(s.get("data-state") == state for s in d.spans):
        errors.append(f"no lane shows {state}")
# Legible: each lane at least 14 px high, none overlapping the next.
ys = sorted({float(s["y"]) for s in d.spans})
gaps = [b - a for a, b in zip(ys, ys[1:])]
if gaps and min(gaps) < 14: errors.append(f"lanes only {min(gaps)} px apart")
if any("hidden" not in c for c in d.details): errors.append("diagnostics shown before any click")

c = parse(clicked)
shown = [cl for cl in c.details if "hidden" not in cl]
text = "".join(c.text)
first = next(e for e in events if e["status"] == "Failed")
if len(shown) != 1: errors.append("#first-failure did not open the diagnostics")
for part in (first["deployment"], first["name"], first["errorCode"], "AccessDenied"):
    if part not in text: errors.append(f"the diagnostics lack {part!r}: {text[:300]!r}")

# Zoomed into 150-260 s of the first scenario: only what happened then is drawn, on that scale.
z = parse(zoomed)
first_scenario = data["scenarios"][0]["timeline"]
in_view = sum(1 for e in first_scenario["events"] if e["to"] >= 150 and e["from"] <= 260)
others = sum(len(s["timeline"]["events"]) for s in data["scenarios"][1:])
if 'data-view="150-260"' not in zoomed: errors.append("#zoom did not zoom the first scenario")
if len(z.events) != in_view + others:
    errors.append(f"zoomed: {len(z.events)} events drawn, {in_view + others} expected")
if ">T+00:02:30<" not in zoomed or ">T+00:00:00<" in zoomed.split("</section>")[0]:
    errors.append("zoomed: the axis does not start at T+00:02:30")
if z.body.get("data-errors"): errors.append("script errors when zoomed: " + z.body["data-errors"])

if errors:
    print("FAIL:\n  " + "\n  ".join(errors)); sys.exit(1)
print(f"ok: {len(lanes)} lanes, {len(events)} events, diagnostics of {first['deployment']} shown")
EOF

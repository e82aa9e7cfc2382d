// deploysim run --report FILE.html: one self-contained page. The data of every scenario is
// embedded as JSON; a small script draws it as SVG (built with DOM calls, never from markup, so
// nothing in a scenario can inject into the page).
#include <fmt/format.h>

#include "simulator/scenario/runner.h"
#include "simulator/scenario/timeline.h"

namespace deploysim::scenario {
namespace {

constexpr const char* kHead = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>deploysim timeline</title>
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #1f2933; }
  h1 { font-size: 18px; margin: 0 0 8px; }
  h2 { font-size: 15px; margin: 24px 0 4px; }
  .meta { color: #52606d; margin-bottom: 6px; }
  .passed { color: #047857; } .failed { color: #b91c1c; }
  .legend span { display: inline-block; margin: 0 10px 4px 0; }
  .legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: -1px; }
  svg { display: block; margin: 6px 0 0; }
  svg text { font-size: 11px; fill: #1f2933; }
  svg .axis line { stroke: #cbd2d9; }
  svg .label { font-family: ui-monospace, monospace; }
  svg .event { cursor: default; }
  svg .event.failed { cursor: pointer; stroke: #7f1d1d; stroke-width: 1; }
  .details { border: 1px solid #e4e7eb; background: #f8fafc; padding: 8px 12px; margin: 8px 0;
             max-width: 1200px; }
  .details pre { white-space: pre-wrap; margin: 4px 0 0; font-size: 12px; }
  .hidden { display: none; }
  .controls { margin: 4px 0; color: #52606d; font-size: 12px; }
  .controls button { font-size: 12px; }
  svg { user-select: none; }
</style>
</head>
<body>
<h1>deploysim timeline</h1>
<div id="report"></div>
<script type="application/json" id="data">)html";

constexpr const char* kTail = R"html(</script>
<script>
"use strict";
window.addEventListener("error", function (e) {
  document.body.dataset.errors = (document.body.dataset.errors || "") + e.message + "\n";
});
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const colours = {
    "Pending": "#cbd5e1", "Pending:Wait": "#f59e0b", "Pending:Proceed": "#fcd34d",
    "InService": "#34d399", "Standby": "#a78bfa", "EnteringStandby": "#c4b5fd",
    "Terminating": "#f87171", "Terminating:Wait": "#fb923c", "Terminating:Proceed": "#fca5a5",
    "Terminated": "#6b7280", "Detaching": "#94a3b8", "Detached": "#e2e8f0",
    "pending": "#cbd5e1", "running": "#6ee7b7", "stopping": "#d1d5db", "stopped": "#9ca3af",
    "shutting-down": "#fca5a5", "terminated": "#6b7280"
  };
  const outcome = {
    "Succeeded": "#047857", "Failed": "#dc2626", "InProgress": "#2563eb", "Ready": "#7c3aed",
    "Stopped": "#a16207", "Created": "#64748b", "Queued": "#64748b", "Baking": "#64748b",
    "Skipped": "#9ca3af", "Pending": "#9ca3af", "Unknown": "#9ca3af",
    "Successful": "#047857", "Cancelled": "#a16207", "WaitingForSpotInstanceId": "#64748b",
    "PreInService": "#2563eb", "MidLifecycleAction": "#f59e0b"
  };
  function el(tag, attrs, parent, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(tag, cls, parent, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function clock(s) {
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    return "T+" + String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" +
           String(r).padStart(2, "0");
  }
  function tip(node, text) { el("title", {}, node, text); }
  // Greedy rows so that overlapping bands do not cover each other.
  function stack(items) {
    const ends = [];
    return items.map(function (it) {
      let row = ends.findIndex(function (e) { return e <= it.from; });
      if (row < 0) { row = ends.length; ends.push(0); }
      ends[row] = Math.max(it.to, it.from + 1e-9);
      return row;
    });
  }
  const data = JSON.parse(document.getElementById("data").textContent);
  const root = document.getElementById("report");
  // What is on the page now (a test reads these).
  function counts() {
    document.body.dataset.lanes = document.querySelectorAll("g.lane").length;
    document.body.dataset.events = document.querySelectorAll("rect.event").length;
  }
  data.scenarios.forEach(function (sc, index) {
    // A scenario that could not be loaded, or stopped early, has some of these or none.
    const t = Object.assign({lanes: [], deployments: [], events: [], activities: [], end: 0},
                            sc.timeline || {});
    const section = html("section", "scenario", root);
    section.dataset.scenario = sc.file;
    html("h2", "", section, sc.name);
    const meta = html("div", "meta", section);
    html("span", sc.passed ? "passed" : "failed", meta, sc.passed ? "passed" : "FAILED");
    if (sc.load_failed) {  // not a scenario: nothing ran, nothing to draw
      meta.appendChild(document.createTextNode(" · " + sc.file + " could not be loaded"));
      html("pre", "failed", section, sc.error);
      return;
    }
    meta.appendChild(document.createTextNode(" · " + sc.file + " · seed " + sc.seed + " · " +
      clock(t.end) + " simulated · " + t.lanes.length + " instances · " +
      t.deployments.length + " deployments"));
    if (sc.error) html("pre", "failed", section, sc.error);
    const legend = html("div", "legend", section);
    const seen = {};
    t.lanes.forEach(function (l) { l.spans.forEach(function (s) { seen[s.state] = 1; }); });
    Object.keys(seen).forEach(function (s) {
      const item = html("span", "", legend);
      html("i", "", item).style.background = colours[s] || "#e5e7eb";
      item.appendChild(document.createTextNode(s));
    });
    const W = 1000, L = 190, R = 60, row = 16, end = Math.max(t.end, 1);
    const depRows = stack(t.deployments);
    const nDep = t.deployments.length ? Math.max.apply(null, depRows) + 1 : 0;
    const groups = [];
    t.activities.forEach(function (a) { if (groups.indexOf(a.group) < 0) groups.push(a.group); });
    const top = 28, stepsY = top, depY = stepsY + row, actY = depY + nDep * row;
    const laneY = actY + groups.length * row + 6;
    const H = laneY + t.lanes.length * row + 8;
    const laneIndex = {};
    t.lanes.forEach(function (l, i) { laneIndex[l.id] = i; });
    // Drag across the chart to zoom into that stretch of time; the button goes back.
    const controls = html("div", "controls", section);
    const reset = html("button", "hidden", controls, "show the whole run");
    const hint = html("span", "hint", controls, "drag across the chart to zoom in");
    const plot = html("div", "plot", section);
    const details = html("div", "details hidden", section);
    function draw(from, to) {
      plot.textContent = "";
      section.dataset.view = from + "-" + to;
      const span = Math.max(to - from, 1e-3);
      const inView = function (a, b) { return b >= from && a <= to; };
      const x = function (s) { return L + (Math.max(from, Math.min(s, to)) - from) / span * W; };
      const svg = el("svg", {width: L + W + R, height: H, viewBox: "0 0 " + (L + W + R) + " " + H});
      plot.appendChild(svg);
      const axis = el("g", {class: "axis"}, svg);
      const nice = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                    21600, 43200, 86400];
      const step = nice.find(function (n) { return span / n <= 10; }) || Math.ceil(span / 10);
      for (let s = Math.ceil(from / step) * step; s <= to + 1e-9; s += step) {
        el("line", {x1: x(s), x2: x(s), y1: 18, y2: H}, axis);
        el("text", {x: x(s), y: 12, "text-anchor": "middle"}, axis, clock(s));
      }
      el("text", {x: 4, y: stepsY + 11}, svg, "steps");
      if (nDep) el("text", {x: 4, y: depY + 11}, svg, "deployments");
      (sc.steps || []).forEach(function (st) {
        if (!inView(st.t, st.t)) return;
        const m = el("rect", {x: x(st.t) - 1, y: stepsY + 2, width: 2, height: row - 4,
                              fill: st.passed ? "#475569" : "#dc2626", class: "step"}, svg);
        tip(m, clock(st.t) + " " + st.label);
      });
      t.deployments.forEach(function (d, i) {
        if (!inView(d.from, d.to)) return;
        const y = depY + depRows[i] * row;
        const g = el("g", {class: "deployment"}, svg);
        g.dataset.id = d.id;
        const width = Math.max(2, x(d.to) - x(d.from));
        el("rect", {x: x(d.from), y: y + 2, width: width, height: row - 4, rx: 2,
                    fill: outcome[d.status] || "#64748b", opacity: 0.85}, g);
        // The label only where it fits (about 6.5 px a character); the tooltip always has it.
        const label = width > 6.5 * (d.id.length + d.status.length + 1) + 6 ? d.id + " " + d.status
                    : width > 6.5 * d.id.length + 6 ? d.id : "";
        if (label) el("text", {x: x(d.from) + 3, y: y + 11, style: "fill:#fff"}, g, label);
        tip(g, d.id + " (" + d.application + "/" + d.group + ", " + d.creator + "): " + d.status +
            (d.revision ? " " + d.revision : "") + " " + clock(d.from) + "–" + clock(d.to) +
            (d.error ? "\n" + d.error : ""));
      });
      groups.forEach(function (name, gi) {
        const y = actY + gi * row;
        el("text", {x: 4, y: y + 11, class: "label"}, svg,
           name.length > 26 ? name.slice(0, 25) + "…" : name);
        t.activities.forEach(function (a) {
          if (a.group !== name || !inView(a.from, a.to)) return;
          const r = el("rect", {x: x(a.from), y: y + 4, width: Math.max(2, x(a.to) - x(a.from)),
                                height: row - 8, fill: outcome[a.status] || "#64748b",
                                opacity: 0.6, class: "activity"}, svg);
          tip(r, a.description + " — " + a.status + " " + clock(a.from) + "–" + clock(a.to) +
              "\n" + a.cause);
        });
      });
      t.lanes.forEach(function (l, i) {
        const y = laneY + i * row;
        const g = el("g", {class: "lane"}, svg);
        g.dataset.instance = l.id;
        el("text", {x: 4, y: y + 11, class: "label"}, g, l.id);
        l.spans.forEach(function (s) {
          if (!inView(s.from, s.to)) return;
          const r = el("rect", {x: x(s.from), y: y + 1, width: Math.max(1, x(s.to) - x(s.from)),
                                height: row - 2, fill: colours[s.state] || "#e5e7eb",
                                class: "span"}, g);
          r.dataset.state = s.state;
          tip(r, l.id + (l.group ? " (" + l.group + ")" : "") + ": " + s.state + " " +
              clock(s.from) + "–" + clock(s.to));
        });
      });
      t.events.forEach(function (e) {
        if (!(e.lane in laneIndex) || !inView(e.from, e.to)) return;
        const y = laneY + laneIndex[e.lane] * row;
        const failed = e.status === "Failed";
        const r = el("rect", {x: x(e.from), y: y + row / 2,
                              width: Math.max(2, x(e.to) - x(e.from)), height: row / 2 - 1,
                              fill: outcome[e.status] || "#64748b",
                              class: "event" + (failed ? " failed" : "")}, svg);
        r.dataset.event = e.name;
        r.dataset.status = e.status;
        r.dataset.instance = e.lane;
        tip(r, e.deployment + " " + e.name + " on " + e.lane + ": " + e.status + " " +
            clock(e.from) + "–" + clock(e.to) + (failed ? "\n(click for diagnostics)" : ""));
        if (failed) {
          r.addEventListener("click", function () {
            details.textContent = "";
            details.classList.remove("hidden");
            html("strong", "", details, e.deployment + " · " + e.lane + " · " + e.name + " · Failed");
            html("div", "", details, "errorCode: " + (e.errorCode || "-") +
                 (e.scriptName ? " · script: " + e.scriptName : ""));
            html("div", "", details, e.message || "");
            if (e.logTail) html("pre", "", details, e.logTail);
          });
        }
      });
      // Zooming: the time under the pointer, a band while dragging, the new view on release.
      const time = function (px) { return from + Math.max(0, Math.min(px - L, W)) / W * span; };
      const local = function (ev) {
        const box = svg.getBoundingClientRect();
        return (ev.clientX - box.left) * (L + W + R) / box.width;
      };
      let start = null, band = null;
      svg.addEventListener("mousedown", function (ev) {
        if (local(ev) < L || ev.target.classList.contains("failed")) return;
        start = local(ev);
        band = el("rect", {x: start, y: 18, width: 0, height: H - 18, fill: "#2563eb",
                           opacity: 0.15}, svg);
        ev.preventDefault();
      });
      svg.addEventListener("mousemove", function (ev) {
        if (start === null) return;
        const now = local(ev);
        band.setAttribute("x", Math.min(start, now));
        band.setAttribute("width", Math.abs(now - start));
      });
      svg.addEventListener("mouseup", function (ev) {
        if (start === null) return;
        const a = time(Math.min(start, local(ev))), b = time(Math.max(start, local(ev)));
        start = null;
        if (Math.abs(b - a) * W / span < 5) { band.remove(); return; }
        zoom(a, b);
      });
      counts();
    }
    function zoom(from, to) {
      reset.classList.toggle("hidden", from <= 0 && to >= end);
      hint.classList.toggle("hidden", !(from <= 0 && to >= end));
      draw(from, to);
    }
    reset.addEventListener("click", function () { zoom(0, end); });
    section.zoom = zoom;
    zoom(0, end);
    section.dataset.index = index;
  });
  // report.html#first-failure opens the diagnostics of the first failed lifecycle event.
  const first = document.querySelector(".event.failed");
  if (first) {
    const link = document.createElement("a");
    link.href = "#first-failure";
    link.textContent = "show the first failed lifecycle event";
    link.addEventListener("click", function () {
      first.dispatchEvent(new MouseEvent("click"));
      first.closest("section").scrollIntoView();
    });
    root.parentNode.insertBefore(link, root);
    if (location.hash === "#first-failure") first.dispatchEvent(new MouseEvent("click"));
  }
  // report.html#zoom=I:FROM-TO shows scenario I from FROM to TO seconds (a link to a moment).
  const z = /^#zoom=(\d+):([\d.]+)-([\d.]+)$/.exec(location.hash);
  const zoomed = z && document.querySelectorAll("section.scenario")[Number(z[1])];
  if (zoomed && zoomed.zoom) zoomed.zoom(Number(z[2]), Number(z[3]));
  counts();
  document.body.dataset.rendered = "true";
})();
</script>
</body>
</html>
)html";

// JSON inside <script>: "</" and the line separators must not end or break the element.
std::string embeddable(const std::string& json_text) {
  std::string out;
  out.reserve(json_text.size());
  for (std::size_t i = 0; i < json_text.size(); ++i) {
    char c = json_text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '\xE2' && i + 2 < json_text.size() && json_text[i + 1] == '\x80' &&
               (json_text[i + 2] == '\xA8' || json_text[i + 2] == '\xA9')) {
      out += json_text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string html_report(const std::vector<ScenarioOutcome>& outcomes) {
  json::array scenarios;
  for (const auto& o : outcomes) {
    json::array steps;
    for (const auto& s : o.steps) {
      steps.push_back(
          json::object{{"t", static_cast<double>((s.time - o.started).count()) / 1000.0},
                       {"label", s.label},
                       {"passed", s.passed}});
    }
    scenarios.push_back(json::object{{"file", o.file},
                                     {"name", o.name.empty() ? o.file : o.name},
                                     {"seed", o.seed},
                                     {"passed", o.passed},
                                     {"steps", std::move(steps)},
                                     {"timeline", o.timeline},
                                     {"error", o.failure_summary()},
                                     {"load_failed", o.load_failed}});
  }
  return std::string(kHead) +
         embeddable(json::serialize(json::object{{"scenarios", std::move(scenarios)}})) + kTail;
}

}  // namespace deploysim::scenario

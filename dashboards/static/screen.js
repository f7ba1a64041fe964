// The monitoring screen: one EventSource, one snapshot per event, every label set with textContent (crawled
// text is hostile and never becomes markup).
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var LEVEL = { none: "无", low: "低", medium: "中", high: "高" };
  var SENT = { neg: "负面", neu: "中性", pos: "正面" };
  var STATUS = { new: "待处置", acknowledged: "已签收", resolved: "已办结", false_alarm: "误报" };
  var COLORS = { none: "#4b5d73", low: "#3fa7d6", medium: "#f2a541", high: "#e4572e" };
  var charts = {};
  var big = { fontSize: 18, color: "#d8e2ef" };

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: "canvas" });
    return charts[id];
  }

  function text(el, value) { el.textContent = value == null ? "" : String(value); }

  function hhmm(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString("zh-CN", { hour12: false, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  function feed(id, items, render) {
    var list = document.getElementById(id);
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (item) {
      var li = document.createElement("li");
      render(li, item);
      list.appendChild(li);
    });
    if (!items.length) { var li = document.createElement("li"); li.className = "empty"; text(li, "暂无"); list.appendChild(li); }
  }

  function span(parent, cls, value) {
    var s = document.createElement("span");
    s.className = cls; text(s, value); parent.appendChild(s); return s;
  }

  function update(snap) {
    if (snap.error) { text(document.getElementById("conn"), snap.error); return; }
    var t = snap.totals;
    text(document.getElementById("t-posts"), t.posts);
    text(document.getElementById("t-relevant"), t.relevant);
    text(document.getElementById("t-medium"), t.medium);
    text(document.getElementById("t-high"), t.high);
    text(document.getElementById("t-alerts"), t.open_alerts);

    var times = snap.volume.map(function (b) { return b.t; });
    var last = times.length ? times[times.length - 1] : null;
    chart("chart-volume").setOption({
      animation: false,
      grid: { left: 60, right: 20, top: 40, bottom: 40 },
      legend: { top: 0, right: 10, textStyle: big, data: ["涉旅帖子", "中高风险"] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: times.map(hhmm), axisLabel: { color: "#9fb3c8", fontSize: 14 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#9fb3c8", fontSize: 14 }, splitLine: { lineStyle: { color: "#243447" } } },
      series: [
        { name: "涉旅帖子", type: "bar", data: snap.volume.map(function (b) { return b.posts; }), itemStyle: { color: "#3fa7d6" },
          markArea: last ? { itemStyle: { color: "rgba(242,165,65,0.18)" }, data: [[{ xAxis: hhmm(last) }, { xAxis: hhmm(last) }]] } : undefined },
        { name: "中高风险", type: "line", data: snap.volume.map(function (b) { return b.risky; }), itemStyle: { color: "#e4572e" }, lineStyle: { width: 3 } }
      ]
    });
    var sent = ["neg", "neu", "pos"].map(function (k) { return { name: SENT[k], value: snap.sentiment[k] || 0 }; });
    chart("chart-sentiment").setOption({
      animation: false,
      color: ["#e4572e", "#9fb3c8", "#76c893"],
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "60%"], data: sent, label: { color: "#d8e2ef", fontSize: 18, overflow: "none", formatter: "{b}\n{c}" } }]
    });
    var stations = snap.stations.map(function (s) { return s.station; });
    chart("chart-stations").setOption({
      animation: false,
      legend: { top: 0, right: 10, textStyle: big, data: ["低", "中", "高"] },
      grid: { left: 110, right: 20, top: 40, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#9fb3c8", fontSize: 14 }, splitLine: { lineStyle: { color: "#243447" } } },
      yAxis: { type: "category", data: stations, axisLabel: { color: "#d8e2ef", fontSize: 16 } },
      series: ["low", "medium", "high"].map(function (lv) {
        return { name: LEVEL[lv], type: "bar", stack: "lv", itemStyle: { color: COLORS[lv] },
          data: snap.stations.map(function (s) { return s.levels[lv]; }) };
      })
    });

    snap.spots.forEach(function (s) {
      var tile = root.querySelector('.spot-tile[data-spot="' + CSS.escape(s.spot) + '"]');
      if (!tile) return;
      var worst = s.levels.high ? "high" : s.levels.medium ? "medium" : s.levels.low ? "low" : "none";
      tile.className = "spot-tile level-" + worst;
      text(tile.querySelector(".count"), s.posts);
      text(tile.querySelector(".lv"), "高 " + s.levels.high + " · 中 " + s.levels.medium);
    });

    feed("events", snap.events, function (li, e) {
      span(li, "n", e.posts + "条");
      var trend = e.last_hour > 0 ? "↑" + e.last_hour : "—";
      span(li, "trend" + (e.last_hour > 0 ? " up" : ""), trend);
      span(li, "title", e.title || e.id);
    });
    feed("latest", snap.latest_risky, function (li, p) {
      span(li, "badge level-" + p.risk.level, LEVEL[p.risk.level]);
      span(li, "when", hhmm(p.published_at || p.crawled_at));
      span(li, "spot", (p.spots || []).join("、"));
      span(li, "title", p.title || p.text);
    });
    feed("alert-feed", snap.alerts, function (li, a) {
      span(li, "badge level-" + a.level, LEVEL[a.level]);
      span(li, "when", hhmm(a.raised_at));
      span(li, "status status-" + (a.status || "new"), STATUS[a.status || "new"]);
      span(li, "title", a.summary + (a.jurisdiction ? "（" + a.jurisdiction + "）" : ""));
    });
    root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
    root.dataset.relevant = String(t.relevant);
    text(document.getElementById("conn"), "更新于 " + hhmm(snap.at));
  }

  function tick() { text(document.getElementById("clock"), new Date().toLocaleTimeString("zh-CN", { hour12: false })); }
  setInterval(tick, 1000); tick();

  var source = new EventSource("/api/screen/stream");
  source.addEventListener("snapshot", function (ev) { update(JSON.parse(ev.data)); });
  source.onerror = function () {
    // The stream ends with the session; a reconnect that is refused (signed out, idle) closes it for good.
    if (source.readyState === EventSource.CLOSED) { window.location.href = "/login?next=%2Fscreen"; return; }
    text(document.getElementById("conn"), "连接中断，正在重连…");
  };
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();

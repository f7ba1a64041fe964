// The monitoring screen: one EventSource, one snapshot per change and a heartbeat in between; every label set
// with textContent (crawled text is hostile and never becomes markup). Charts follow their boxes through a
// ResizeObserver; a new high alert flashes and chimes (mutable, remembered); "N 分钟未更新" shows when the
// server has said nothing for WEB_SCREEN_STALE_S; an ended session or a revoked screen token is told on screen.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var LEVEL = { none: "无", low: "低", medium: "中", high: "高" };
  var SENT = { neg: "负面", neu: "中性", pos: "正面" };
  var STATUS = { new: "待处置", acknowledged: "已签收", resolved: "已办结", false_alarm: "误报" };
  var COLORS = { none: "#4b5d73", low: "#3fa7d6", medium: "#f2a541", high: "#e4572e" };
  var play = window.yuqingChime(root, document.getElementById("mute"), "yq-screen-mute");
  var staleAfter = Number(root.dataset.stale || 60) * 1000;
  var charts = {}, last = null, lastAt = null, lastMessage = Date.now(), source = null, ended = false;
  var knownHigh = null, flashUntil = {};

  function text(el, value) { el.textContent = value == null ? "" : String(value); }
  function $(id) { return document.getElementById(id); }
  function base() { return parseFloat(getComputedStyle(root).fontSize) || 16; }

  function chart(id) {
    if (!charts[id]) {
      var box = $(id);
      charts[id] = echarts.init(box, null, { renderer: "canvas" });
      // Sized after layout and again whenever the box changes (grid, fonts, the reduced layout), not only
      // when the window does.
      new ResizeObserver(function () { charts[id].resize(); }).observe(box);
    }
    return charts[id];
  }

  function hhmm(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString("zh-CN", { hour12: false, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  }
  function clock(iso) {
    var d = iso ? new Date(iso) : new Date();
    return isNaN(d) ? "" : d.toLocaleTimeString("zh-CN", { hour12: false });
  }

  function feed(id, items, render) {
    var list = $(id);
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

  function link(li, href) {
    var a = document.createElement("a");
    a.href = href; a.target = "_blank"; a.rel = "noopener";
    li.appendChild(a); return a;
  }
  function path(prefix, id) { return prefix + encodeURIComponent(id).replace(/%3A/gi, ":"); }

  // ECharts is 1 MB to evaluate: fetched at once (preloaded in <head>) but run only after the first snapshot's
  // numbers, lists and map are painted, so they never wait for it; the charts follow. A snapshot's charts
  // are drawn after its other parts are painted (laying three charts out is the slowest part of an update).
  var chartsAsked = false, drawSoon = false;
  function withCharts() {
    if (window.echarts) { draw(); return; }
    if (chartsAsked) return;
    chartsAsked = true;
    var script = document.createElement("script");
    script.src = "/static/vendor/echarts.min.js";
    script.onload = draw;
    document.head.appendChild(script);
  }
  function drawAfterPaint() {
    if (drawSoon) return;
    drawSoon = true;
    requestAnimationFrame(function () { setTimeout(function () { drawSoon = false; withCharts(); }, 0); });
  }

  function draw() {
    if (!last || !window.echarts) return;
    var snap = last, f = base(), axis = { color: "#9fb3c8", fontSize: Math.round(f * 0.85) };
    var legend = { color: "#d8e2ef", fontSize: Math.round(f * 0.95) };
    var times = snap.volume.map(function (b) { return b.t; });
    var current = times.length ? times[times.length - 1] : null;
    chart("chart-volume").setOption({
      animation: false,
      grid: { left: f * 3, right: f, top: f * 2.2, bottom: f * 2 },
      legend: { top: 0, right: 10, textStyle: legend, itemWidth: f * 1.5, itemHeight: f * 0.8, data: ["涉旅帖子", "中高风险"] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: times.map(hhmm), axisLabel: axis },
      yAxis: { type: "value", minInterval: 1, axisLabel: axis, splitLine: { lineStyle: { color: "#243447" } } },
      series: [
        { name: "涉旅帖子", type: "bar", data: snap.volume.map(function (b) { return b.posts; }), itemStyle: { color: "#3fa7d6" },
          markArea: current ? { itemStyle: { color: "rgba(242,165,65,0.18)" }, data: [[{ xAxis: hhmm(current) }, { xAxis: hhmm(current) }]] } : undefined },
        { name: "中高风险", type: "line", data: snap.volume.map(function (b) { return b.risky; }), itemStyle: { color: "#e4572e" }, lineStyle: { width: Math.max(2, f / 6) } }
      ]
    });
    var sent = ["neg", "neu", "pos"].map(function (k) { return { name: SENT[k], value: snap.sentiment[k] || 0 }; });
    chart("chart-sentiment").setOption({
      animation: false,
      color: ["#e4572e", "#9fb3c8", "#76c893"],
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "62%"], data: sent, label: { color: "#d8e2ef", fontSize: Math.round(f), overflow: "none", formatter: "{b}\n{c}" } }]
    });
    var stations = snap.stations.map(function (s) { return s.station; });
    chart("chart-stations").setOption({
      animation: false,
      legend: { top: 0, right: 10, textStyle: legend, itemWidth: f * 1.5, itemHeight: f * 0.8, data: ["低", "中", "高"] },
      grid: { left: f * 7, right: f, top: f * 2.2, bottom: f * 1.8 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1, axisLabel: axis, splitLine: { lineStyle: { color: "#243447" } } },
      yAxis: { type: "category", data: stations, axisLabel: { color: "#d8e2ef", fontSize: Math.round(f * 0.9), width: f * 6.5, overflow: "truncate" } },
      series: ["low", "medium", "high"].map(function (lv) {
        return { name: LEVEL[lv], type: "bar", stack: "lv", itemStyle: { color: COLORS[lv] },
          data: snap.stations.map(function (s) { return s.levels[lv]; }) };
      })
    }, { replaceMerge: ["series"] });
  }

  // A new high alert (not in the first snapshot this page saw): banner, its feed line and its spot flash, chime.
  function newAlerts(snap) {
    var high = snap.alerts.filter(function (a) { return a.level === "high"; });
    if (knownHigh === null) { knownHigh = {}; high.forEach(function (a) { knownHigh[a.id] = true; }); return; }
    var fresh = high.filter(function (a) { return !knownHigh[a.id]; });
    fresh.forEach(function (a) { knownHigh[a.id] = true; flashUntil[a.id] = Date.now() + 10000; });
    if (!fresh.length) return;
    var banner = $("new-alert");
    text(banner, "新高风险预警：" + fresh.map(function (a) { return a.summary; }).join("；"));
    banner.hidden = false; banner.classList.remove("flash"); void banner.offsetWidth; banner.classList.add("flash");
    root.dataset.flashes = String(Number(root.dataset.flashes || 0) + 1);
    setTimeout(function () { banner.hidden = true; banner.classList.remove("flash"); }, 12000);
    fresh.forEach(function (a) {
      (a.spots || []).forEach(function (s) {
        var g = root.querySelector('.map-spot[data-spot="' + CSS.escape(s) + '"]');
        if (g) { g.classList.remove("flash"); void g.getBoundingClientRect(); g.classList.add("flash"); }
      });
    });
    play();
  }

  function update(snap) {
    if (snap.error) { connState(snap.error); return; }
    last = snap;
    var t = snap.totals;
    text($("t-posts"), t.posts);
    text($("t-relevant"), t.relevant);
    text($("t-medium"), t.medium);
    text($("t-high"), t.high);
    text($("t-alerts"), t.open_alerts);
    drawAfterPaint();

    snap.spots.forEach(function (s) {
      var tile = root.querySelector('.spot-tile[data-spot="' + CSS.escape(s.spot) + '"]');
      if (tile) {
        tile.className = "spot-tile level-" + s.level;
        text(tile.querySelector(".count"), s.posts);
        text(tile.querySelector(".lv"), "高 " + s.levels.high + " · 中 " + s.levels.medium + (s.open_alerts.length ? " · 预警" : ""));
      }
      var g = root.querySelector('.map-spot[data-spot="' + CSS.escape(s.spot) + '"]');
      if (g) {
        g.setAttribute("class", "map-spot level-" + s.level + (g.classList.contains("flash") ? " flash" : ""));
        g.dataset.posts = String(s.posts);
      }
    });

    newAlerts(snap);
    feed("events", snap.events, function (li, e) {
      var a = e.first_post_id ? link(li, path("/posts/", e.first_post_id)) : li;
      span(a, "n", e.posts + "条");
      span(a, "trend" + (e.last_hour > 0 ? " up" : ""), e.last_hour > 0 ? "↑" + e.last_hour : "—");
      span(a, "title", e.title || e.id);
    });
    feed("latest", snap.latest_risky, function (li, p) {
      var a = link(li, path("/posts/", p.id));
      span(a, "badge level-" + p.risk.level, LEVEL[p.risk.level]);
      span(a, "when", hhmm(p.shown_at) + (p.dated ? "" : "（采集）"));
      span(a, "spot", (p.spots || []).join("、"));
      span(a, "title", p.title || p.text);
    });
    feed("alert-feed", snap.alerts, function (li, al) {
      if ((flashUntil[al.id] || 0) > Date.now()) li.className = "flash";
      li.dataset.id = al.id;
      var a = link(li, path("/alerts/", al.id));
      span(a, "badge level-" + al.level, LEVEL[al.level]);
      span(a, "when", hhmm(al.raised_at));
      span(a, "status status-" + (al.status || "new"), STATUS[al.status || "new"]);
      span(a, "title", al.summary + (al.jurisdiction ? "（" + al.jurisdiction + "）" : ""));
    });
    root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
    root.dataset.relevant = String(t.relevant);
  }

  // Every server message (snapshot or heartbeat) is proof of life: "更新于" is the server's time of it.
  function heard(at) {
    lastMessage = Date.now();
    lastAt = at;
    root.dataset.messages = String(Number(root.dataset.messages) + 1);
    connState("");
    staleCheck();
  }

  // "更新于" always names the server's last message; a broken link is said beside it.
  function connState(trouble) {
    var said = lastAt ? "更新于 " + clock(lastAt) : "";
    text($("conn"), trouble ? (said ? said + " · " : "") + trouble : said);
  }

  function staleCheck() {
    var box = $("stale"), age = Date.now() - lastMessage;
    if (ended || age < staleAfter) { box.hidden = true; root.classList.remove("is-stale"); return; }
    var s = Math.floor(age / 1000);
    text(box, s < 60 ? s + " 秒未更新" : Math.floor(s / 60) + " 分钟未更新");
    box.hidden = false; root.classList.add("is-stale");
  }

  function end(reason) {
    ended = true;
    if (source) source.close();
    text($("ended-text"), reason);
    if (root.dataset.mode === "token") $("ended-link").hidden = true;
    $("ended").hidden = false;
    root.dataset.ended = "1";
    staleCheck();
  }

  var handlers = {
    snapshot: function (ev) { var snap = JSON.parse(ev.data); heard(snap.at); update(snap); },
    heartbeat: function (ev) { heard(JSON.parse(ev.data).at); },
    ended: function (ev) { end(JSON.parse(ev.data).reason); }
  };

  function failed() {
    if (ended) return;
    connState("连接中断，正在重连…");
    if (source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
    // Refused for good (an HTTP error): find out whether the session or token ended, else try again.
    fetch("/api/screen?hours=1", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) {
        if (resp.status === 401 || resp.status === 403) {
          end(root.dataset.mode === "token" ? "大屏令牌已撤销或无效，请向管理员索取新的大屏地址" : "会话已结束（已退出、超时或账号变更），请重新登录");
        } else { setTimeout(connect, 5000); }
      })
      .catch(function () { setTimeout(connect, 5000); });
  }

  function connect() {
    if (ended) return;
    if (source) source.close();
    // The first time: the stream screen-stream.js opened as the page began, and what it has heard so far.
    var early = window.yuqingScreenStream ? window.yuqingScreenStream() : null;
    window.yuqingScreenStream = null; // taken (or not come yet: then it stays away)
    source = early ? early.source : new EventSource("/api/screen/stream");
    Object.keys(handlers).forEach(function (name) { source.addEventListener(name, handlers[name]); });
    source.onerror = failed;
    if (early) early.held.forEach(function (ev) { if (!ended) (ev.type === "error" ? failed : handlers[ev.type])(ev); });
  }


  // Fonts follow the viewport: redraw the charts' type when the page's size changes.
  var drawn = base();
  new ResizeObserver(function () { if (base() !== drawn) { drawn = base(); draw(); } }).observe(root);

  setInterval(function () { text($("clock"), clock()); staleCheck(); }, 1000);
  text($("clock"), clock());
  // The page came with its first snapshot: drawn now, before the stream is even open.
  var first = document.getElementById("first-snapshot");
  if (first) { var snap = JSON.parse(first.textContent); heard(snap.at); update(snap); }
  connect();
})();

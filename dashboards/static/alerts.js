// The alert console: a live list over server-sent events (no polling), waiting times that tick against the
// 1-3-5 minute goals, a flash and a chime for a new high alert (mutable), and 签收 that answers at once.
// Every value is set with textContent: crawled text never becomes markup.
(function () {
  "use strict";
  var GOALS = [60, 180, 300];
  var MUTE_KEY = "yq-alerts-mute";
  var offset = 0; // server clock minus this browser's, so waiting times agree with the server's

  function text(el, value) { el.textContent = value == null ? "" : String(value); }
  function el(tag, cls, value) { var e = document.createElement(tag); if (cls) e.className = cls; if (value != null) text(e, value); return e; }

  function waitClass(s) { return s <= GOALS[0] ? "ok" : s <= GOALS[1] ? "warn" : s <= GOALS[2] ? "late" : "overdue"; }
  function waited(s) {
    if (s == null) return "—";
    s = Math.max(0, Math.floor(s));
    if (s < 3600) return Math.floor(s / 60) + "分" + String(s % 60).padStart(2, "0") + "秒";
    return Math.floor(s / 3600) + "小时" + Math.floor((s % 3600) / 60) + "分";
  }
  function setNow(iso) { var t = Date.parse(iso); if (!isNaN(t)) offset = t - Date.now(); }

  // Running waits tick every second; a finished one (acknowledged) keeps the time it took.
  function tick() {
    document.querySelectorAll('.wait[data-waiting="1"]').forEach(function (cell) {
      var raised = Date.parse(cell.dataset.raised);
      if (isNaN(raised)) return;
      var s = (Date.now() + offset - raised) / 1000;
      var prefix = cell.id === "alert-wait" ? "已等待 " : "";
      text(cell, prefix + waited(s));
      cell.className = cell.className.replace(/\bwait-\w+/, "wait-" + waitClass(s));
    });
  }

  function notice(box, message) { text(box, message); box.hidden = false; }

  // 签收: shown at once, then confirmed by the server; a colleague's earlier 签收 is told, then refreshed.
  function acknowledge(form, onConflict) {
    var row = form.closest("tr");
    var status = row ? row.querySelector(".status") : document.getElementById("alert-status");
    var pending = row ? null : document.getElementById("ack-pending");
    var before = status.textContent;
    text(status, "已签收");
    status.className = status.className.replace(/\bstatus-\w+/, "status-acknowledged");
    if (pending) text(pending, "（确认中…）");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    var csrf = form.querySelector("input[name=csrf]").value;
    fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: "{}"
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) { return { resp: resp, body: body }; });
    }).then(function (r) {
      if (r.resp.ok) {
        if (pending) text(pending, "（已确认）");
        form.remove();
        var wait = row ? row.querySelector(".wait") : document.getElementById("alert-wait");
        if (wait) wait.dataset.waiting = "0";
        return;
      }
      if (r.resp.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
      text(status, r.resp.status === 409 ? "已签收" : before);
      if (pending) text(pending, "");
      onConflict(r.body.detail || "签收失败，请重试", r.resp.status);
    }).catch(function () {
      text(status, before);
      if (pending) text(pending, "");
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      onConflict("网络中断，签收未成功，请重试", 0);
    });
  }

  function alertPage() {
    var box = document.getElementById("notice");
    document.querySelectorAll("form[data-ack]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        acknowledge(form, function (message, status) {
          notice(box, message);
          // The page then shows the alert as it is now; the notice is kept across the reload.
          if (status === 409) setTimeout(function () { location.replace(location.pathname + "?notice=conflict"); }, 1500);
        });
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) { if (!window.confirm(form.dataset.confirm)) ev.preventDefault(); });
    });
  }

  // ---- the list ----
  var root, known = {}, flashUntil = {}, source = null, play = null;

  function cell(tr, cls, value) { var td = el("td", cls, value); tr.appendChild(td); return td; }

  function row(a, csrf) {
    var tr = el("tr", "level-" + a.level + ((flashUntil[a.id] || 0) > Date.now() ? " flash" : ""));
    tr.dataset.id = a.id; tr.dataset.status = a.status;
    var w = cell(tr, "wait wait-" + (a.wait_class || "none"), waited(a.wait_s));
    w.dataset.raised = a.raised_at || ""; w.dataset.waiting = a.waiting ? "1" : "0";
    var lv = el("td"); lv.appendChild(el("span", "badge level-" + a.level, a.level_name)); tr.appendChild(lv);
    cell(tr, "rule", a.rule_name);
    var link = el("a", null, a.summary); link.href = "/alerts/" + encodeURIComponent(a.id).replace(/%3A/g, ":");
    var s = el("td"); s.appendChild(link); tr.appendChild(s);
    cell(tr, null, (a.spots || []).join("、"));
    cell(tr, null, a.jurisdiction || "");
    cell(tr, null, a.similar_count || 0);
    cell(tr, "status status-" + a.status, a.status_name);
    cell(tr, null, a.assignee || a.acknowledged_by || "");
    var act = el("td"); tr.appendChild(act);
    if (a.status === "new") {
      var form = el("form", "inline"); form.method = "post"; form.dataset.ack = "";
      form.action = "/api/alerts/" + encodeURIComponent(a.id) + "/acknowledge";
      var token = el("input"); token.type = "hidden"; token.name = "csrf"; token.value = csrf; form.appendChild(token);
      var b = el("button", "ack", "签收"); b.type = "submit"; form.appendChild(b);
      act.appendChild(form);
    }
    return tr;
  }

  function update(page) {
    var live = document.getElementById("live");
    if (page.error) { text(live, page.error); return; }
    setNow(page.now);
    text(document.getElementById("alert-total"), page.total);
    text(document.getElementById("page-count"), page.pages);
    text(document.getElementById("n-unacked"), page.unacknowledged);
    text(document.getElementById("n-overdue"), page.overdue);
    var body = document.getElementById("alert-rows");
    while (body.firstChild) body.removeChild(body.firstChild);
    page.alerts.forEach(function (a) { body.appendChild(row(a, root.dataset.csrf)); });
    if (!page.alerts.length) { var tr = el("tr", "empty"); var td = cell(tr, null, "没有符合条件的预警"); td.colSpan = 10; body.appendChild(tr); }
    bindAcks();
    var fresh = page.new_high.filter(function (a) { return !known[a.id]; });
    page.new_high.forEach(function (a) { known[a.id] = true; });
    fresh.forEach(function (a) { flashUntil[a.id] = Date.now() + 20000; }); // kept across redraws
    if (fresh.length) {
      var banner = document.getElementById("new-alert");
      text(banner, "新高风险预警：" + fresh.map(function (a) { return a.summary; }).join("；"));
      banner.hidden = false; banner.classList.remove("flash"); void banner.offsetWidth; banner.classList.add("flash");
      fresh.forEach(function (a) {
        var tr = body.querySelector('tr[data-id="' + CSS.escape(a.id) + '"]');
        if (tr) tr.classList.add("flash");
      });
      play();
    }
    tick();
    root.dataset.updates = String(Number(root.dataset.updates) + 1);
    text(live, "实时 · 更新于 " + new Date(Date.now() + offset).toLocaleTimeString("zh-CN", { hour12: false }));
  }

  function connect() {
    if (source) source.close();
    source = new EventSource(root.dataset.stream.replace(/&amp;/g, "&"));
    source.addEventListener("listing", function (ev) { update(JSON.parse(ev.data)); });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); return; }
      text(document.getElementById("live"), "连接中断，正在重连…");
    };
  }

  function bindAcks() {
    var box = document.getElementById("console-notice");
    root.querySelectorAll("form[data-ack]:not([data-bound])").forEach(function (form) {
      form.dataset.bound = "1";
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        acknowledge(form, function (message, status) {
          notice(box, message);
          if (status === 409) connect(); // the list as it is now, at once
        });
      });
    });
  }

  function consolePage() {
    root = document.getElementById("console");
    setNow(root.dataset.now);
    JSON.parse(root.dataset.knownHigh || "[]").forEach(function (id) { known[id] = true; });
    play = window.yuqingChime(root, document.getElementById("mute"), MUTE_KEY);
    bindAcks();
    connect();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("console")) consolePage();
    if (document.getElementById("alert")) alertPage();
    var one = document.getElementById("alert");
    if (one && one.dataset.now) setNow(one.dataset.now);
    setInterval(tick, 1000);
    tick();
  });
})();

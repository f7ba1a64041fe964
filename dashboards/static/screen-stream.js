// The wall screen's event stream, opened as the page starts (an async script in <head>): the first snapshot is
// on its way while the page is parsed. screen.js takes the stream over, with what it has heard until then
// (errors included, in their order).
(function () {
  "use strict";
  if (window.yuqingScreenStream === null) return; // screen.js ran first and opened the stream itself
  var NAMES = ["snapshot", "heartbeat", "ended", "error"];
  var source = new EventSource("/api/screen/stream"), held = [];
  function keep(ev) { held.push(ev); }
  NAMES.forEach(function (name) { source.addEventListener(name, keep); });
  window.yuqingScreenStream = function () {
    NAMES.forEach(function (name) { source.removeEventListener(name, keep); });
    window.yuqingScreenStream = null;
    return { source: source, held: held };
  };
})();

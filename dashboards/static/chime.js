// The duty room's chime for a new high alert, and its mute button (remembered by the browser under
// `storageKey`): shared by the wall screen and the alert console. Each chime played is counted in
// root.dataset.chimes (what the browser tests read).
window.yuqingChime = function (root, button, storageKey) {
  "use strict";
  var muted = false, audio = null;

  function setMute(on) {
    muted = on;
    try { localStorage.setItem(storageKey, on ? "1" : "0"); } catch (e) { /* private mode */ }
    button.textContent = on ? "声音提醒：关" : "声音提醒：开";
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  var stored = null;
  try { stored = localStorage.getItem(storageKey); } catch (e) { /* private mode */ }
  setMute(stored === "1");
  button.addEventListener("click", function () { setMute(!muted); });

  return function play() {
    if (muted) return;
    root.dataset.chimes = String(Number(root.dataset.chimes) + 1);
    try {
      audio = audio || new Audio("/static/alert.wav");
      audio.currentTime = 0;
      var p = audio.play();
      if (p && p.catch) p.catch(function () { /* the browser may refuse sound before the room clicks once */ });
    } catch (e) { /* no audio device */ }
  };
};

/* YarpWaitingRoom keep-alive: while this page is open, POST /_wr/alive for the admitted visitor (README: keep-alive). */
(function (g, url, every, src) {
  // Beats at once, then every interval (a same-origin fetch sends the cookies); a 4xx other than 429 (no admission,
  // admission ended) stops it for good.
  function run(stopped) {
    var t, beat = function () {
      fetch(url, { method: 'POST' }).then(function (r) {
        if (r.status > 399 && r.status < 500 && r.status != 429) { clearInterval(t); stopped(); }
      }, function () {});
    };
    t = setInterval(beat, +every);
    beat();
    return { beat: beat, end: function () { clearInterval(t); } };
  }
  // In the dedicated worker (this same file): a worker's timer keeps its pace in a hidden tab.
  if (!g.document) { g.onmessage = run(function () { g.postMessage(0); }).beat; return; }
  var on = null, done = false;
  function end() { if (on) { on.end(); on = null; } }
  function local() { end(); on = run(function () { done = true; on = null; }); }
  function start() {
    if (done || on) return;
    try {
      var w = new Worker(src);
      w.onmessage = function () { done = true; end(); };
      w.onerror = local;
      on = { beat: function () { w.postMessage(0); }, end: function () { w.terminate(); } };
    } catch (e) { local(); }
  }
  g.addEventListener('pagehide', end);
  g.addEventListener('pageshow', start);
  g.document.addEventListener('visibilitychange', function () {
    if (on && g.document.visibilityState == 'visible') on.beat();
  });
  start();
})(self, '{alive}', '{every}', '{script}');

// The Relance snippet: paste it in <head>. It defines `relance` as a command
// queue at once (so relance('track', ...) works before anything loads), then
// loads the tag once the page's `load` event has fired, so Relance adds
// nothing but this snippet to the page's critical path; the tag replays the
// queue in order and replaces `relance` with the live function. The build
// puts the content-hashed tag URL in place of the placeholder and minifies
// this file.
(function (w, d, url) {
  if (w.relance) return;
  var r = function () { r.q.push(arguments); };
  r.q = [];
  w.relance = r;
  var load = function () {
    var s = d.createElement('script');
    s.async = true;
    s.src = url;
    d.head.appendChild(s);
  };
  if (d.readyState === 'complete') load();
  else w.addEventListener('load', load);
})(window, document, '__RELANCE_TAG_URL__');

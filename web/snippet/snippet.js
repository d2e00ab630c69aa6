// The Relance snippet: paste it in <head>. It defines `relance` as a command
// queue at once (so relance('track', ...) works before anything loads), then
// loads the tag asynchronously; the tag replays the queue in order and
// replaces `relance` with the live function. The build puts the
// content-hashed tag URL in place of the placeholder and minifies this file.
(function (w, d, url) {
  if (w.relance) return;
  var r = function () { r.q.push(arguments); };
  r.q = [];
  w.relance = r;
  var s = d.createElement('script');
  s.async = true;
  s.src = url;
  d.head.appendChild(s);
})(window, document, '__RELANCE_TAG_URL__');

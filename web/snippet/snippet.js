// The Relance snippet: paste it in <head>. It defines `relance` as a command
// queue at once (so relance('track', ...) works before anything loads).
//
// Then it starts the three downloads Relance needs with fetch(), which, unlike
// a script, does not delay the page's `load` event: the site configuration,
// the engine (WebAssembly.compileStreaming compiles it off the main thread
// while the page loads) and the tag (into the HTTP cache: its name is
// content-hashed, so it is cached for good). Only once `load` has fired does
// it add the tag as a script (in a task of its own, after the load event's),
// so Relance adds nothing but this snippet to the page's critical path; the
// tag picks the started downloads up from `relance.p` (or fetches them itself
// if they failed or never started), replays the queue in order and replaces
// `relance` with the live function.
//
// `base` is the collector's origin ('' for the page's own). The build puts the
// content-hashed names in place of the placeholders and minifies this file.
(function (w, d, base, tag, wasm) {
  if (w.relance) return;
  var r = function () { r.q.push(arguments); };
  r.q = [];
  w.relance = r;
  var quiet = function () {};
  // In a task of its own, right after this one: a page's first fetch() sets
  // up the Fetch API (a few ms, tens on a slow phone), which must not hold up
  // the HTML parser that runs this snippet.
  setTimeout(function () {
    try {
      // The tag reports its own failures; these catches only keep an unused
      // rejection (the tag blocked, say) out of the console.
      r.p = {
        wasmUrl: base + '/' + wasm,
        config: fetch(base + '/v1/config', { credentials: 'omit' }),
        wasm: WebAssembly.compileStreaming(fetch(base + '/' + wasm))
      };
      r.p.config['catch'](quiet);
      r.p.wasm['catch'](quiet);
      // The tag's download in a task of its own: each request costs a few ms
      // (up to 10 at 4x CPU throttle), and the three together made one of
      // Relance's longer start-up tasks. The tag is needed only after `load`.
      setTimeout(function () {
        fetch(base + '/' + tag, { mode: 'no-cors', credentials: 'include' })['catch'](quiet);
      }, 0);
    } catch (e) { /* no fetch or no streaming compile: the tag fetches everything itself */ }
  }, 0);
  // The tag's script is added in a task of its own, posted from the `load`
  // listener: requesting a script costs a few ms (10 at 4x CPU throttle), and
  // the page's load task (the end of parsing, the load event, often the
  // page's first layout) must not grow with it. A MessageChannel message,
  // unlike a zero-delay timer, is not held for up to a second in a
  // background tab. The channel lives in this closure until its message runs.
  var c;
  var load = function () {
    c = new MessageChannel();
    c.port1.onmessage = function () {
      var s = d.createElement('script');
      s.async = true;
      s.src = base + '/' + tag;
      d.head.appendChild(s);
    };
    c.port2.postMessage(0);
  };
  if (d.readyState === 'complete') load();
  else w.addEventListener('load', load);
})(window, document, '__RELANCE_BASE__', '__RELANCE_TAG__', '__RELANCE_WASM__');

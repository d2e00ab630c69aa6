// Automatic capture: turns browser happenings into engine signals.
//
// page_view on start and on SPA navigations (see navigation.ts), scroll depth
// (at 25/50/75/100 %), time on page and tick every 5 s, idle time (at 10, 30,
// 60, 120, 300 s without input), exit intent (the pointer leaves through the
// top of the window, once per page) and visibility. A page hide flushes the
// queue with sendBeacon. Returns a function that removes everything.

import { isNewPage, NavigationKind } from './navigation';

export interface CaptureTarget {
  signal(type: string, props?: Record<string, unknown>, withContext?: boolean): unknown;
  pageView(): unknown;
  onHide(): void;
}

const SCROLL_MARKS = [25, 50, 75, 100];
const IDLE_MARKS = [10, 30, 60, 120, 300];
const TICK_MS = 5000;

export function installCapture(w: Window, t: CaptureTarget): () => void {
  const d = w.document;
  const undo: (() => void)[] = [];
  const on = (target: EventTarget, type: string, f: EventListener, opts?: AddEventListenerOptions) => {
    target.addEventListener(type, f, opts);
    undo.push(() => target.removeEventListener(type, f, opts));
  };

  let href = w.location.href;
  let pageStart = Date.now();
  let scrollMark = 0;
  let exitSent = false;
  let lastInput = Date.now();
  let idleMark = 0;

  const newPage = () => {
    pageStart = Date.now();
    scrollMark = 0;
    exitSent = false;
    idleMark = 0;
    t.pageView();
  };

  // --- SPA navigations
  const navigated = (kind: NavigationKind) => {
    const next = w.location.href;
    const isNew = isNewPage(href, next, kind);
    href = next;
    if (isNew) newPage();
  };
  const h = w.history;
  const origPush = h.pushState;
  const origReplace = h.replaceState;
  let watching = true;
  const push = function (this: History, ...args: Parameters<History['pushState']>) {
    const r = origPush.apply(this, args);
    if (watching) navigated('push');
    return r;
  };
  const replace = function (this: History, ...args: Parameters<History['replaceState']>) {
    const r = origReplace.apply(this, args);
    if (watching) navigated('replace');
    return r;
  };
  h.pushState = push;
  h.replaceState = replace;
  // Put the originals back only if ours are still installed: a router or
  // another library that wrapped them after us calls ours, and putting the
  // originals back would remove its wrapper too. Ours then passes through.
  undo.push(() => {
    watching = false;
    if (h.pushState === push) h.pushState = origPush;
    if (h.replaceState === replace) h.replaceState = origReplace;
  });
  on(w, 'popstate', () => navigated('pop'));

  // --- scroll depth
  let scrollQueued = false;
  on(w, 'scroll', () => {
    lastInput = Date.now();
    if (scrollQueued) return;
    scrollQueued = true;
    w.setTimeout(() => {
      scrollQueued = false;
      const el = d.documentElement;
      const max = Math.max(1, el.scrollHeight - w.innerHeight);
      const depth = Math.min(100, Math.round(((w.scrollY || el.scrollTop) / max) * 100));
      let mark = 0;
      for (const m of SCROLL_MARKS) if (depth >= m) mark = m;
      if (mark > scrollMark) {
        scrollMark = mark;
        t.signal('scroll', { depth: mark });
      }
    }, 200);
  }, { passive: true });

  // --- input (idle), exit intent
  const input = () => { lastInput = Date.now(); idleMark = 0; };
  for (const type of ['mousemove', 'keydown', 'pointerdown', 'touchstart']) on(d, type, input, { passive: true });
  on(d, 'mouseout', ((e: MouseEvent) => {
    if (exitSent || e.relatedTarget || e.clientY > 0) return;
    exitSent = true;
    t.signal('exit_intent', {});
  }) as EventListener);

  // --- time, idle, tick
  const timer = w.setInterval(() => {
    const visible = d.visibilityState !== 'hidden';
    if (visible) t.signal('time', { seconds: Math.round((Date.now() - pageStart) / 1000) });
    const idle = Math.floor((Date.now() - lastInput) / 1000);
    let mark = 0;
    for (const m of IDLE_MARKS) if (idle >= m) mark = m;
    if (mark > idleMark) {
      idleMark = mark;
      t.signal('idle', { seconds: idle });
    }
    t.signal('tick', {}, false);
  }, TICK_MS);
  undo.push(() => w.clearInterval(timer));

  // --- visibility and page hide
  on(d, 'visibilitychange', () => {
    const hidden = d.visibilityState === 'hidden';
    t.signal('visibility', { hidden });
    if (hidden) t.onHide();
  });
  on(w, 'pagehide', () => t.onHide());

  return () => { for (const f of undo.reverse()) f(); };
}

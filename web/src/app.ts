// Assembles the runtime in a page: storage, queue, transport, engine, capture.
// Shared by the tag (tag.ts) and the npm entry (npm.ts).

import { buildContext } from './context';
import { installCapture } from './capture';
import type { EngineLike } from './engine';
import { uuid } from './ids';
import { SendLease } from './lease';
import { EventQueue, QUEUE_PREFIX } from './queue';
import { Runtime, STATE_KEY, UiPort } from './runtime';
import { safeStore } from './storage';
import { Transport } from './transport';
import type { ConsentChoice } from './api';

export interface CoreLike {
  createEngine(config: Record<string, unknown>): EngineLike;
}

export interface StartOptions {
  window: Window;
  core: CoreLike;
  config: Record<string, unknown>;
  // Collector base URL ('' = same origin as the page).
  origin: string;
  ui?: UiPort;
  autoCapture?: boolean;
}

export interface Instance {
  command(name: string, args: unknown[]): void;
  // The first page view (separate so that queued consent and debug commands
  // can be applied before it).
  firstPage(): void;
  flush(): Promise<void>;
  shutdown(): void;
  runtime: Runtime;
}

type Section = Record<string, unknown>;

function section(config: Section, name: string): Section {
  const v = config[name];
  return v && typeof v === 'object' ? (v as Section) : {};
}

function num(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : dflt;
}

// POST /v1/forget sits beside the events endpoint: the events URL with its
// last path segment replaced by "forget" (query and fragment dropped), so a
// collector behind a prefix or under a custom transport.endpoint is reached
// the same way: /s/v1/events -> /s/v1/forget (docs/api.md, "Withdrawing consent").
export function forgetUrlOf(eventsUrl: string): string {
  const path = eventsUrl.replace(/[?#].*$/, '');
  return path.slice(0, path.lastIndexOf('/') + 1) + 'forget';
}

/** Assembles the runtime and listens to the page at once (see assemble). */
export function start(o: StartOptions): Instance {
  const a = assemble(o);
  a.listen();
  return a.instance;
}

/**
 * Assembles the runtime and restores the visitor state; `listen()` then
 * installs capture and the page listeners and starts sending what an earlier
 * page left queued. boot() runs the two in separate tasks: together they cost
 * 15 to 25 ms of main-thread time at 4x CPU throttle (docs/design/
 * performance.md, "Session 9"). `instance` works before `listen()`, as boot's
 * replay of queued consent needs, and its shutdown() undoes only what was
 * installed.
 */
export function assemble(o: StartOptions): { instance: Instance; listen: () => void } {
  const w = o.window;
  const log = (level: 'debug' | 'warn' | 'error', ...args: unknown[]) => {
    try { (console as unknown as Record<string, (...a: unknown[]) => void>)[level](...args); } catch { /* no console */ }
  };
  const transportCfg = section(o.config, 'transport');
  const consentCfg = section(o.config, 'consent');
  const endpoint = o.origin + String(transportCfg.endpoint || '/v1/events');
  const optinUrl = o.origin + String(transportCfg.optin_endpoint || '/v1/optin');
  const forgetUrl = forgetUrlOf(endpoint);
  const store = safeStore(() => w.localStorage);
  const now = () => Date.now();
  const queue = new EventQueue(store, num(transportCfg.queue_limit, 500) || 500, now);
  const lease = new SendLease(store, uuid(), now);
  const fetchFn = (url: string, init: Record<string, unknown>) => w.fetch(url, init as RequestInit);
  let runtime: Runtime;
  const transport = new Transport({
    queue, lease, endpoint, fetch: fetchFn, now, random: Math.random,
    beacon: typeof w.navigator.sendBeacon === 'function' ? (u, b) => w.navigator.sendBeacon(u, b) : undefined,
    setTimeout: (f, ms) => w.setTimeout(f, ms),
    clearTimeout: (h) => w.clearTimeout(h as number),
    log: (level, message) => log(level, message),
    batchSize: num(transportCfg.batch_size, 20) || 20,
    flushMs: num(transportCfg.flush_ms, 1000),
    durable: () => store.durable,
    beforeBatch: () => {
      const lost = queue.lost();
      if (lost > 0) {
        queue.clearLost(lost);
        queue.withSlack(() => runtime.track('custom.queue_overflow', { lost }));
      }
    },
  });
  const engine = o.core.createEngine(o.config);
  const context = () => buildContext({
    href: w.location.href, title: w.document.title, referrer: w.document.referrer,
    width: w.innerWidth, height: w.innerHeight, userAgent: w.navigator.userAgent,
    language: w.navigator.language,
  });
  runtime = new Runtime({
    engine, store, queue, transport, context, uuid: () => uuid(), now, log, ui: o.ui,
    fetch: fetchFn, optinUrl, setTimeout: (f, ms) => w.setTimeout(f, ms),
    pendingLimit: num(consentCfg.pending_limit, 50),
    gpc: (w.navigator as unknown as { globalPrivacyControl?: boolean }).globalPrivacyControl === true,
    consentRequired: consentCfg.required === true, forgetUrl,
  });
  runtime.restore();
  runtime.resumeForget(); // a withdrawal an earlier page could not deliver goes first
  // The state as this tab left it: another tab's write before listen() is
  // adopted there (the storage listener was not in place to hear it).
  const restored = store.get(STATE_KEY);

  const pageView = () => runtime.signal('page_view', {});
  const onHide = () => { transport.flushOnHide(); lease.release(); };
  // The engine counts the visitor hidden only when every tab is (docs/design/
  // engine-contract.md, "Tabs"), so it must hear of every way a tab stops
  // showing: a page that goes away (closed, reloaded, left) is hidden for good,
  // and one opened in the background starts hidden (firstPage). Registered
  // before capture's pagehide, which flushes the queue. Repeating "hidden"
  // changes nothing.
  const gone = () => { runtime.signal('visibility', { hidden: true }); };
  const back = (e: Event) => {
    if ((e as PageTransitionEvent).persisted && w.document.visibilityState !== 'hidden') {
      runtime.signal('visibility', { hidden: false }); // restored from the back/forward cache
    }
  };
  let uninstall = () => { /* nothing installed */ };
  const online = () => transport.online();
  // Tabs share one visitor: when another tab saves the state, adopt it so
  // sessions and counts do not fork.
  // Another tab queued an event: if this tab holds the send lease, it sends it.
  const storage = (e: StorageEvent) => {
    if (e.key === STATE_KEY && typeof e.newValue === 'string') runtime.adoptState(e.newValue);
    else if (e.key && e.key.startsWith(QUEUE_PREFIX) && e.newValue) transport.notify();
  };
  // A consent choice made in one tab is made in every open tab of the site. A
  // refusal leaves no state behind for the others to adopt (nothing may be
  // stored then), so they went on tracking and wrote their state back.
  // BroadcastChannel stores nothing; without it, tabs stay on their own.
  let channel: BroadcastChannel | null = null;
  const consent = (choice: ConsentChoice) => {
    const a = runtime.consent(choice);
    if (!channel || !choice || typeof choice !== 'object' || (a.errors && a.errors.length)) return;
    const told: ConsentChoice = {};
    if (typeof choice.analytics === 'boolean') told.analytics = choice.analytics;
    if (typeof choice.marketing === 'boolean') told.marketing = choice.marketing;
    try { channel.postMessage(told); } catch { /* closed */ }
  };

  const listen = () => {
    if (o.autoCapture !== false) {
      w.addEventListener('pagehide', gone);
      w.addEventListener('pageshow', back);
      uninstall = installCapture(w, { signal: (t, p, c) => runtime.signal(t, p, c), pageView, onHide });
    }
    w.addEventListener('online', online);
    w.addEventListener('storage', storage as EventListener);
    const latest = store.get(STATE_KEY);
    if (latest !== restored && typeof latest === 'string') runtime.adoptState(latest);
    const Channel = (w as unknown as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
    try {
      if (typeof Channel === 'function') channel = new Channel('relance:consent');
    } catch { /* tabs stay on their own */ }
    if (channel) channel.onmessage = (e: MessageEvent) => { runtime.consent(e.data as ConsentChoice, true); };
    if (queue.size() > 0) transport.notify(); // left over from an earlier page
  };

  const command = (name: string, args: unknown[]) => {
    switch (name) {
      case 'track': runtime.track(args[0] as string, args[1] as Record<string, unknown>); break;
      case 'identify': runtime.identify(args[0] as string, args[1] as Record<string, unknown>); break;
      case 'consent': consent(args[0] as ConsentChoice); break;
      case 'showOffer':
        if (typeof args[0] === 'string' && args[0]) runtime.signal('show_offer', { offer_id: args[0] });
        else log('error', 'relance: showOffer needs an offer id, e.g. relance("showOffer", "welcome")');
        break;
      case 'page': pageView(); break;
      case 'debug':
        // A string such as 'false' is truthy: only a boolean says on or off.
        if (typeof args[0] === 'boolean') runtime.setDebug(args[0]);
        else log('error', `relance: debug needs true or false (got ${typeof args[0] === 'string' ? JSON.stringify(args[0]) : String(args[0])})`);
        break;
      default: log('error', `relance: unknown command "${String(name)}"`);
    }
  };
  const instance: Instance = {
    command,
    firstPage: () => {
      if (o.autoCapture !== false) {
        pageView();
        if (w.document.visibilityState === 'hidden') runtime.signal('visibility', { hidden: true });
      }
      // This page view's decisions are carried out: undecided slots may show.
      try { o.ui?.endAntiFlicker?.(); } catch { /* the UI's own problem */ }
    },
    flush: () => transport.flush(),
    runtime,
    shutdown: () => {
      uninstall();
      w.removeEventListener('online', online);
      w.removeEventListener('pagehide', gone);
      w.removeEventListener('pageshow', back);
      w.removeEventListener('storage', storage as EventListener);
      if (channel) channel.close();
      transport.stop();
      runtime.dispose();
    },
  };
  return { instance, listen };
}

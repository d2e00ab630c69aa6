// The runtime: one engine crossing per browser happening, then carry out the
// actions (persist the state, queue or hold events, hand offers and
// personalizations to the UI, post opt-ins). It decides nothing itself:
// sessions, consent gating and validation are the engine's.

import { Actions, asActions, EngineLike, Signal } from './engine';
import type { EventContext } from './context';
import type { QueuedEvent } from './queue';
import { EventQueue } from './queue';
import { KeyValueStore, parseStored } from './storage';
import type { Transport, FetchLike } from './transport';
import type { ConsentChoice } from './api';
import type { OfferModel, OfferResult, OfferSubmission, PersonalizeAction } from './ui/types';
import { retryDelayMs } from './backoff';

export const STATE_KEY = 'rl:state';
// Set while a POST /v1/forget has failed and waits for its retry, so that a
// page closed meanwhile leaves it to the next page. A flag, not personal data.
export const FORGET_KEY = 'rl:forget';

// The UI module's functions (web/src/ui), all optional so the runtime works
// without it (e.g. analytics only).
export interface UiPort {
  renderOffer?: (model: OfferModel, callbacks: {
    onDismiss?: (i: { offer_id: string; variant: string }) => void;
    onSubmit?: (s: OfferSubmission) => void;
  }) => unknown;
  hideOffer?: (offerId?: string) => unknown;
  showOfferResult?: (result: OfferResult) => unknown;
  applyPersonalizations?: (list: PersonalizeAction[]) => unknown;
  revealSlots?: (slots: string[]) => unknown;
  endAntiFlicker?: () => unknown;
  printDebug?: (what: string, entries: unknown[]) => unknown;
}

export interface RuntimeDeps {
  engine: EngineLike;
  store: KeyValueStore;
  queue: EventQueue;
  transport: Transport;
  context: () => EventContext;
  uuid: () => string;
  now: () => number;
  log: (level: 'debug' | 'warn' | 'error', ...args: unknown[]) => void;
  ui?: UiPort;
  fetch?: FetchLike;
  optinUrl?: string;
  setTimeout?: (f: () => void, ms: number) => unknown;
  // Bound of events kept in memory while consent is pending.
  pendingLimit?: number;
  // The browser sends Global Privacy Control (navigator.globalPrivacyControl):
  // told to the engine with each signal (it applies the site's honor_gpc).
  gpc?: boolean;
  // The site requires consent (config consent.required): analytics consent
  // not given yet counts as not granted.
  consentRequired?: boolean;
  // POST here when the visitor withdraws analytics consent, so the collector
  // clears its HttpOnly rl_id cookie (docs/collector.md, "Privacy").
  forgetUrl?: string;
}

// What happens to the events already queued when analytics consent is
// withdrawn (docs/api.md, "Withdrawing consent"): "send" (the default)
// delivers them, as they were captured while consent was given; "drop"
// removes them.
export type QueuedOnWithdrawal = 'send' | 'drop';

export class Runtime {
  private _held: QueuedEvent[] = [];
  private _debugOn = false;
  private _disposed = false;
  private _stateWarned = false;
  // Analytics consent as the last visitor state said; null before the first.
  private _granted: boolean | null = null;
  // The next consent signal came from another tab (BroadcastChannel or a
  // state adopted): the tab where the visitor chose does the forgetting.
  private _echo = false;
  // The `queued` of the consent call being carried out.
  private _queuedOnWithdrawal: QueuedOnWithdrawal = 'send';

  constructor(private readonly d: RuntimeDeps) {}

  // Restores the persisted visitor state (corrupt or old: the engine resets
  // or migrates it).
  restore(): Actions {
    return this._restoreFrom(this.d.store.get(STATE_KEY) || '', true);
  }

  // Another tab saved a newer state: adopt it (not written back, which would
  // echo between the tabs). While this tab holds events for consent, the
  // consent of that state (docs/design/engine-contract.md, visitor state) is
  // first applied here as a consent signal, so they are released as if the
  // visitor had answered in this tab: restoring a state takes its consent
  // without a word about held events, which then waited for good.
  adoptState(text: string): Actions {
    const other = parseStored<{ consent?: Record<string, unknown> }>(text);
    const c = other && other.consent;
    if (this._held.length && c && typeof c === 'object') {
      const choice: Record<string, boolean> = {};
      if (typeof c.analytics === 'boolean') choice.analytics = c.analytics;
      if (typeof c.marketing === 'boolean') choice.marketing = c.marketing;
      this.consent(choice, true);
    }
    this._echo = true;
    try { return this._restoreFrom(text, false); } finally { this._echo = false; }
  }

  private _restoreFrom(text: string, persist: boolean): Actions {
    let a: Actions;
    try {
      a = asActions(this.d.engine.restore(text, this.d.now()));
    } catch (e) {
      this.d.log('error', 'relance: could not restore the visitor state', e);
      return {};
    }
    this._carryOut(persist ? a : { ...a, state: undefined }, 'restore');
    return a;
  }

  // One happening in, its actions carried out. Never throws into the page.
  signal(type: string, props?: Record<string, unknown>, withContext = true): Actions {
    if (this._disposed) return {};
    const s: Signal = { type, id: this.d.uuid() };
    if (props) s.props = props;
    if (withContext) s.context = this.d.context();
    if (this.d.gpc) s.gpc = true;
    let a: Actions;
    try {
      a = asActions(this.d.engine.observe(s, this.d.now()));
    } catch (e) {
      this.d.log('error', `relance: ${type} failed`, e);
      return {};
    }
    this._carryOut(a, type === 'track' && props ? String(props.event) : type);
    return a;
  }

  track(event: string, properties?: Record<string, unknown>): Actions {
    if (typeof event !== 'string' || !event) {
      this.d.log('error', 'relance: track needs an event type, e.g. relance("track", "add_to_cart", {...})');
      return {};
    }
    return this.signal('track', { event, properties: properties ?? {} });
  }

  identify(userId: string, traits?: Record<string, unknown>): Actions {
    return this.signal('identify', { user_id: userId, traits: traits ?? {} });
  }

  // The two keys go to the engine as given (a left-out key keeps its value),
  // so a wrong type gets its error naming the field (`/props/analytics: must
  // be true or false`) instead of being silently ignored, which a site whose
  // banner sent "true" would never notice.
  //
  // `fromOtherTab`: the choice was made in another tab, which already told the
  // collector and applied `queued`; this tab only follows it.
  consent(choice: ConsentChoice, fromOtherTab = false): Actions {
    if (!choice || typeof choice !== 'object') {
      this.d.log('error', 'relance: consent needs an object, e.g. relance("consent", {analytics: true, marketing: false})');
      return {};
    }
    if (choice.queued !== undefined && choice.queued !== 'send' && choice.queued !== 'drop') {
      this.d.log('error', 'relance: consent: /queued: must be "send" or "drop"');
      return {};
    }
    const props: Record<string, unknown> = {};
    if (choice.analytics !== undefined) props.analytics = choice.analytics;
    if (choice.marketing !== undefined) props.marketing = choice.marketing;
    this._echo = fromOtherTab;
    this._queuedOnWithdrawal = choice.queued || 'send';
    try {
      return this.signal('consent', props);
    } finally {
      this._echo = false;
      this._queuedOnWithdrawal = 'send';
    }
  }

  setDebug(on: boolean): Actions {
    this._debugOn = !!on;
    return this.signal('debug', { on: !!on }, false);
  }

  heldCount(): number { return this._held.length; }

  dispose(): void {
    this._disposed = true;
    try { this.d.engine.dispose?.(); } catch { /* already gone */ }
  }

  private _carryOut(a: Actions, what: string): void {
    for (const err of a.errors || []) {
      this.d.log('error', `relance: ${what}: ${err.path ? err.path + ': ' : ''}${err.message}`);
    }
    if (a.state !== undefined) this._followConsent(a.state, what);
    if (a.persist === false) {
      this.d.store.remove(STATE_KEY); // no consent to store: keep nothing from before either
    } else if (a.state !== undefined) {
      // Said once per page: the state changes every few seconds (time on page).
      if (!this.d.store.set(STATE_KEY, JSON.stringify(a.state)) && !this._stateWarned) {
        this._stateWarned = true;
        this.d.log('warn', 'relance: the visitor state could not be saved (storage full or disabled)');
      }
    }
    // Held events are older than this signal's: released (or dropped) first.
    if (a.release_held) {
      const consent = a.release_held.consent;
      const held = this._held;
      this._held = [];
      this._enqueue(held.map((e) => ({ ...e, consent })));
    } else if (a.drop_held) {
      this._held = [];
    }
    if (a.events && a.events.length) {
      const deliver = a.deliver || 'queue';
      if (deliver === 'queue') this._enqueue(a.events);
      else if (deliver === 'hold') this._hold(a.events);
    }
    if (a.personalize && a.personalize.length) this._ui('applyPersonalizations', a.personalize);
    if (a.reveal && a.reveal.length) this._ui('revealSlots', a.reveal);
    if (a.offer && a.offer.show) this._renderOffer(a.offer.show);
    if (a.offer && a.offer.hide) this._ui('hideOffer', a.offer.hide.offer_id);
    if (a.offer_result) this._ui('showOfferResult', a.offer_result);
    if (a.optin) this._postOptin(a.optin, 0);
    if (this._debugOn && a.debug && a.debug.length) {
      if (this.d.ui && this.d.ui.printDebug) this._ui('printDebug', what, a.debug);
      else this.d.log('debug', 'relance debug', what, a.debug);
    }
  }

  // Reads analytics consent from a new visitor state. Without it, events go
  // without cookies (the transport's anonymous mode: the collector neither
  // reads nor sets rl_id). When this tab's visitor withdraws it after a
  // grant, the queued events are kept or dropped per `queued`, and the
  // collector is asked to forget the browser.
  private _followConsent(state: unknown, what: string): void {
    const c = state && typeof state === 'object' ? (state as { consent?: { analytics?: unknown } }).consent : undefined;
    const v = c && typeof c === 'object' ? c.analytics : undefined;
    const granted = v === true || ((v === null || v === undefined) && !this.d.consentRequired);
    const withdrawn = this._granted === true && !granted && what === 'consent' && !this._echo;
    this._granted = granted;
    if (withdrawn && this._queuedOnWithdrawal === 'drop') this.d.queue.clear();
    const t = this.d.transport as Partial<Transport>;
    if (typeof t.setAnonymous === 'function') t.setAnonymous(!granted);
    if (!withdrawn) return;
    this._held = [];
    this._forget(0);
  }

  // A forget an earlier page could not deliver (FORGET_KEY): sent now, once
  // the state is restored and before anything else goes. Call after restore().
  resumeForget(): void {
    if (this.d.store.get(FORGET_KEY) !== null) this._forget(0);
  }

  // POST /v1/forget: the collector's answer clears the rl_id cookie. Retried
  // with backoff while the collector is down, and remembered in storage until
  // answered (the next page sends it if this one closes first); given up
  // when consent is granted again meanwhile (the new cookie is then wanted).
  private _forget(attempt: number): void {
    const f = this.d.fetch;
    if (!f || !this.d.forgetUrl || this._disposed) return;
    if (this._granted) {
      this.d.store.remove(FORGET_KEY);
      return;
    }
    const retry = () => {
      this.d.store.set(FORGET_KEY, '1');
      if (attempt >= 8 || !this.d.setTimeout) {
        // The flag stays: the next page tries again.
        this.d.log('error', 'relance: the collector could not be told to forget this browser');
        return;
      }
      const ms = retryDelayMs(attempt, null, Math.random, this.d.now());
      this.d.setTimeout(() => this._forget(attempt + 1), ms);
    };
    f(this.d.forgetUrl, {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}',
      keepalive: true, credentials: 'include',
    }).then((res) => {
      if (res.status === 429 || res.status >= 500) return retry();
      this.d.store.remove(FORGET_KEY);  // answered: nothing left to send
      if (res.status >= 400) this.d.log('error', `relance: the collector refused to forget this browser (HTTP ${res.status})`);
    }, retry);
  }

  private _enqueue(events: QueuedEvent[]): void {
    if (!events.length) return;
    this.d.queue.add(events);
    this.d.transport.notify();
  }

  private _hold(events: QueuedEvent[]): void {
    const limit = this.d.pendingLimit ?? 50;
    for (const e of events) {
      this._held.push(e);
      if (this._held.length > limit) this._held.shift();
    }
  }

  private _renderOffer(model: OfferModel): void {
    this._ui('renderOffer', model, {
      onDismiss: (i: { offer_id: string; variant: string }) =>
        this.signal('offer_dismissed', { offer_id: i.offer_id, variant: i.variant }),
      onSubmit: (s: OfferSubmission) =>
        this.signal('offer_submit', {
          offer_id: s.offer_id, variant: s.variant, fields: s.fields,
          consent_checked: s.consent_checked, honeypot: s.honeypot,
        }),
    });
  }

  private _ui(name: keyof UiPort, ...args: unknown[]): void {
    const f = this.d.ui && (this.d.ui[name] as ((...a: unknown[]) => unknown) | undefined);
    if (typeof f !== 'function') return;
    try { f(...args); } catch (e) { this.d.log('error', `relance: ui ${name} failed`, e); }
  }

  // The opt-in has its own endpoint and idempotency key (its id): retried a
  // few times with backoff; the collector keeps one per id.
  private _postOptin(body: Record<string, unknown>, attempt: number): void {
    const f = this.d.fetch;
    if (!f || !this.d.optinUrl) return;
    const retry = () => {
      if (attempt >= 5 || !this.d.setTimeout) {
        this.d.log('error', 'relance: the opt-in could not be delivered');
        return;
      }
      const ms = retryDelayMs(attempt, null, Math.random, this.d.now());
      this.d.setTimeout(() => this._postOptin(body, attempt + 1), ms);
    };
    f(this.d.optinUrl, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      keepalive: true, credentials: 'include',
    }).then((res) => {
      if (res.status === 429 || res.status >= 500) retry();
      else if (res.status >= 400) this.d.log('error', `relance: the opt-in was refused (HTTP ${res.status})`);
    }, retry);
  }
}

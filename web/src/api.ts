// The public API of the Relance browser runtime, shared by the script tag
// (`relance('track', ...)`) and the npm package (`createRelance(...)`).

/** A product as the commerce events describe it. */
export interface Product {
  id: string;
  name?: string;
  category?: string;
  price?: number;
  currency?: string;
  [extra: string]: unknown;
}

/** One line of a cart or an order. */
export interface LineItem {
  id: string;
  quantity: number;
  price: number;
  name?: string;
  [extra: string]: unknown;
}

/** Properties of each event type the runtime lets a site track (docs/events.md). */
export interface EventProperties {
  product_view: { product: Product; [extra: string]: unknown };
  add_to_cart: { product: Product; quantity: number; price: number; currency: string; [extra: string]: unknown };
  remove_from_cart: { product: Product; quantity: number; price?: number; currency?: string; [extra: string]: unknown };
  checkout_started: { value?: number; currency?: string; items?: LineItem[]; [extra: string]: unknown };
  purchase: { order_id: string; revenue: number; currency: string; items: LineItem[]; [extra: string]: unknown };
}

/** A site's own event type: `custom.` + [a-z][a-z0-9_]{0,63}. */
export type CustomEventType = `custom.${string}`;

/** The visitor's consent choice. Missing keys keep their previous value. */
export interface ConsentChoice {
  analytics?: boolean;
  marketing?: boolean;
  /**
   * When this call withdraws analytics consent: what becomes of the events
   * queued before it. "send" (default): delivered, without cookies, as they
   * were captured while consent was given; "drop": removed from the queue.
   */
  queued?: 'send' | 'drop';
}

export interface Relance {
  /** Tracks a commerce event; validated by the engine, a console error names any bad field. */
  track<K extends keyof EventProperties>(type: K, properties: EventProperties[K]): void;
  /** Tracks a custom event. */
  track(type: CustomEventType, properties?: Record<string, unknown>): void;
  /** Ties the visitor to your user id; traits feed segments and conditions. */
  identify(userId: string, traits?: Record<string, unknown>): void;
  /** Records the visitor's consent (releases or drops held events per the site configuration). */
  consent(choice: ConsentChoice): void;
  /** Asks to show an offer now (its caps still apply). */
  showOffer(offerId: string): void;
  /** Records a page view by hand (SPA navigations are captured automatically). */
  page(): void;
  /** Turns the engine's explanations on the console on or off. */
  debug(on: boolean): void;
  /** Sends what is queued now; resolves when that attempt is over. */
  flush(): Promise<void>;
  /** Resolves once the engine is running (calls made before are queued, in order). */
  readonly ready: Promise<void>;
  /** Removes listeners and timers, frees the engine. Queued events stay persisted. */
  shutdown(): void;
}

/** Options of createRelance (npm) — the tag reads the same from its own origin. */
export interface RelanceOptions {
  /** The collector's base URL, e.g. "https://shop.example" or "" for the page's origin. */
  endpoint: string;
  /** The compiled site configuration; fetched from `${endpoint}/v1/config` when absent. */
  config?: Record<string, unknown>;
  /** Where the engine's .wasm is (default: next to the relance package's files). */
  wasmUrl?: string;
  /** The .wasm bytes, e.g. in tests or under Node. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Capture page views, scroll, time, idle, exit intent and visibility (default true). */
  autoCapture?: boolean;
  /** Hand offers and personalizations to the built-in UI (default true). */
  ui?: boolean;
}

/** The command names the snippet's queue accepts: relance(name, ...args). */
export type Command =
  | ['track', string, Record<string, unknown>?]
  | ['identify', string, Record<string, unknown>?]
  | ['consent', ConsentChoice]
  | ['showOffer', string]
  | ['page']
  | ['debug', boolean];

// The public types of the `relance` package (see docs/bindings.md).

/** A JSON value, as the engine reads it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A targeting condition in the GrowthBook/MongoDB style: `{"page.path": {"$regex": "^/p/"}}`. */
export type Condition = { [pathOrOperator: string]: unknown };

/** The object a condition is evaluated against: `{page: {...}, visitor: {...}}`. */
export type ConditionContext = { [key: string]: unknown };

/** Named lists that `$inGroup` / `$notInGroup` refer to: `{"vip_ids": [1, 2, 3]}`. */
export type SavedGroups = { [name: string]: unknown[] };

/** One fault in an input: where (a JSON Pointer, "" for the whole input) and what. */
export interface PathError {
  path: string;
  message: string;
}

/** The answer of `validateEvent`. */
export interface ValidationResult {
  ok: boolean;
  errors: PathError[];
}

/** A condition compiled once, evaluated many times. Holds WebAssembly memory. */
export interface CompiledCondition {
  /** True when `context` satisfies the condition. Throws a RelanceError on an unreadable context. */
  evaluate(context: ConditionContext, savedGroups?: SavedGroups): boolean;
  /** Frees the WebAssembly memory now (a FinalizationRegistry frees forgotten handles later). */
  dispose(): void;
}

/** Many conditions answered together: one crossing into WebAssembly per context. */
export interface ConditionSet {
  /** Number of conditions in the set. */
  readonly size: number;
  /** One boolean per condition, in the order given to compileConditions. */
  evaluateAll(context: ConditionContext, savedGroups?: SavedGroups): boolean[];
  dispose(): void;
}

/** The actions the engine answers (docs/design/engine-contract.md, "Actions"). Every key is optional. */
export interface EngineActions {
  events?: Array<Record<string, unknown>>;
  deliver?: 'queue' | 'hold' | 'drop';
  release_held?: { consent: { analytics?: boolean | null; marketing?: boolean | null } };
  errors?: PathError[];
  offer?: { show?: Record<string, unknown>; hide?: { offer_id: string } };
  offer_result?: { ok: boolean; errors?: Array<{ field: string; message: string }> };
  optin?: Record<string, unknown>;
  personalize?: Array<Record<string, unknown>>;
  reveal?: string[];
  state?: Record<string, unknown>;
  persist?: boolean;
  notes?: unknown[];
  debug?: unknown[];
  [key: string]: unknown;
}

/** A signal: one browser happening (engine contract, "Signals"). */
export interface EngineSignal {
  type: string;
  id?: string;
  props?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

/** The on-site decision engine for one visitor (engine contract). Holds WebAssembly memory. */
export interface Engine {
  /** Restores the persisted visitor state (may be empty, corrupt or old: migrated or reset). */
  restore(stateText: string, nowMs: number): EngineActions;
  /** One browser happening in, the actions the host must carry out. */
  observe(signal: EngineSignal, nowMs: number): EngineActions;
  /** The visitor state as persisted. */
  state(): Record<string, unknown>;
  /** The compiled form of the configuration (what the collector serves as GET /v1/config, marked `compiled: 2`). */
  config(): Record<string, unknown>;
  dispose(): void;
}

/** Options of `load()`. Give at most one of `wasmUrl` / `wasmBinary`. */
export interface LoadOptions {
  /** Where to fetch relance-core.wasm (browsers). Default: next to this module. */
  wasmUrl?: string | URL;
  /** The bytes of relance-core.wasm, or a compiled module (no fetch, no file read). */
  wasmBinary?: ArrayBuffer | Uint8Array | WebAssembly.Module;
}

/** The engine loaded in this JavaScript realm. */
export interface RelanceCore {
  /** The engine's version ("0.1.0"). */
  readonly version: string;
  /** Evaluates one condition once. Throws a RelanceError (with `.errors`) on an invalid condition. */
  evaluateCondition(condition: Condition, context: ConditionContext, savedGroups?: SavedGroups): boolean;
  /** Compiles a condition for repeated use. Throws a RelanceError on an invalid condition. */
  compileCondition(condition: Condition): CompiledCondition;
  /** Compiles many conditions; error paths start with the index ("/3/page.path/$regex"). */
  compileConditions(conditions: Condition[]): ConditionSet;
  /** Checks an event against the v1 contract (docs/events.md). Never throws. */
  validateEvent(event: unknown): ValidationResult;
  /** Same, from raw JSON text (a request body): also reports size, UTF-8 and syntax faults. */
  validateEventText(text: string): ValidationResult;
  /** Creates a decision engine from a site configuration. Throws a RelanceError listing every config error. */
  createEngine(config: unknown): Engine;
}

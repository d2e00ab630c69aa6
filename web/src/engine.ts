// What the runtime needs from the engine (js-bindings `core.createEngine`),
// and the actions it answers (docs/design/engine-contract.md, "Actions").

import type { OfferModel, OfferResult, PersonalizeAction } from './ui/types';
import type { EventContext } from './context';
import type { QueuedEvent } from './queue';

export interface Signal {
  type: string;
  id: string;
  props?: Record<string, unknown>;
  context?: EventContext;
  gpc?: boolean;
}

export interface Actions {
  events?: QueuedEvent[];
  deliver?: 'queue' | 'hold' | 'drop';
  release_held?: { consent: { analytics?: boolean | null; marketing?: boolean | null } };
  drop_held?: boolean;
  errors?: { path: string; message: string }[];
  offer?: { show?: OfferModel; hide?: { offer_id: string } };
  offer_result?: OfferResult;
  optin?: Record<string, unknown>;
  personalize?: PersonalizeAction[];
  reveal?: string[];
  state?: unknown;
  persist?: boolean;
  notes?: unknown[];
  debug?: unknown[];
}

export interface EngineLike {
  restore(stateText: string, nowMs: number): Actions | string;
  observe(signal: Signal | string, nowMs: number): Actions | string;
  state(): unknown;
  dispose?(): void;
}

// Engines may answer parsed objects or JSON text; a broken answer becomes an
// error action rather than an exception in the page.
export function asActions(a: Actions | string | null | undefined): Actions {
  if (a === null || a === undefined) return {};
  if (typeof a === 'string') {
    try {
      const v = JSON.parse(a);
      return v && typeof v === 'object' ? (v as Actions) : {};
    } catch {
      return { errors: [{ path: '', message: 'the engine answered unreadable JSON' }] };
    }
  }
  return a;
}

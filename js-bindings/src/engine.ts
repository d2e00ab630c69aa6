// The decision engine wrapper over the Embind class `Engine` that
// src/wasm/engine_bindings.cc adds (docs/design/engine-contract.md).
// Accepts either binding shape: a static `Engine.create(configJson)` or a
// constructor `new Engine(configJson)`; config errors come from an
// `errors()` method ("" or a JSON array), an `ok()` method, or a JSON answer
// from create() ({"ok": false, "errors": [...]}).
import { RelanceError, parseErrors } from './errors.js';
import { Owned, type NativeHandle } from './handles.js';
import type { Engine, EngineActions, EngineSignal, PathError } from './types.js';

interface NativeEngine extends NativeHandle {
  restore(text: string, now: number): string;
  observe(signal: string, now: number): string;
  state(): string;
  config?(): string;
  errors?(): string;
  ok?(): boolean;
}

function asObject(answer: unknown): any {
  if (typeof answer !== 'string') return answer ?? {};
  if (answer === '') return {};
  return JSON.parse(answer);
}

function configErrors(native: NativeEngine): PathError[] {
  if (typeof native.errors === 'function') {
    const e = native.errors();
    return typeof e === 'string' ? parseErrors(e) : ((e as PathError[]) ?? []);
  }
  if (typeof native.ok === 'function' && !native.ok()) return [{ path: '', message: 'configuration refused' }];
  return [];
}

export function createEngine(module: any, config: unknown): Engine {
  const Bound = module.Engine;
  if (typeof Bound !== 'function') {
    throw new Error('relance: this build has no decision engine (src/wasm/engine_bindings.cc is missing)');
  }
  const configText = typeof config === 'string' ? config : JSON.stringify(config);
  let made: unknown = typeof Bound.create === 'function' ? Bound.create(configText) : new Bound(configText);
  if (typeof made === 'string') {
    const answer = JSON.parse(made);
    throw new RelanceError('invalid configuration', answer.errors ?? [{ path: '', message: 'refused' }]);
  }
  const native = made as NativeEngine;
  const errors = configErrors(native);
  if (errors.length) {
    native.delete();
    throw new RelanceError('invalid configuration', errors);
  }
  const engine: Engine = {
    restore(stateText: string, nowMs: number): EngineActions {
      return asObject(owned.get().restore(stateText ?? '', nowMs));
    },
    observe(signal: EngineSignal, nowMs: number): EngineActions {
      const text = typeof signal === 'string' ? signal : JSON.stringify(signal);
      return asObject(owned.get().observe(text, nowMs));
    },
    state(): Record<string, unknown> {
      return asObject(owned.get().state());
    },
    config(): Record<string, unknown> {
      const n = owned.get();
      return typeof n.config === 'function' ? asObject(n.config()) : {};
    },
    dispose(): void {
      owned.dispose();
    },
  };
  const owned = new Owned<NativeEngine>(engine, native);
  return engine;
}

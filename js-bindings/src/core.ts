// The typed API over the Embind module: one JSON crossing per call.
import { createEngine } from './engine.js';
import { RelanceError, parseErrors } from './errors.js';
import { Owned, type NativeHandle } from './handles.js';
import type {
  CompiledCondition, Condition, ConditionContext, ConditionSet, RelanceCore, SavedGroups, ValidationResult,
} from './types.js';

interface NativeCondition extends NativeHandle {
  errors(): string;
  lastError(): string;
  evaluate(context: string, groups: string): number;
}

interface NativeConditionSet extends NativeHandle {
  errors(): string;
  size(): number;
  /** A view of wasm memory (1 byte per condition), or the errors JSON. */
  evaluateAll(context: string, groups: string): Uint8Array | string;
}

const groupsText = (g?: SavedGroups): string => (g == null ? '' : JSON.stringify(g));

function contextText(context: ConditionContext): string {
  const text = JSON.stringify(context);
  if (text === undefined) throw new TypeError('relance: the context must be a JSON value');
  return text;
}

export function wrapModule(m: any): RelanceCore {
  const version: string = m.version();

  function compileCondition(condition: Condition): CompiledCondition {
    const native: NativeCondition = new m.CompiledCondition(JSON.stringify(condition) ?? '');
    const errors = parseErrors(native.errors());
    if (errors.length) {
      native.delete();
      throw new RelanceError('invalid condition', errors);
    }
    const handle: CompiledCondition = {
      evaluate(context, savedGroups) {
        const n = owned.get();
        const r = n.evaluate(contextText(context), groupsText(savedGroups));
        if (r < 0) throw new RelanceError('cannot evaluate', parseErrors(n.lastError()));
        return r === 1;
      },
      dispose() {
        owned.dispose();
      },
    };
    const owned = new Owned(handle, native);
    return handle;
  }

  function compileConditions(conditions: Condition[]): ConditionSet {
    if (!Array.isArray(conditions)) throw new TypeError('relance: compileConditions takes an array');
    const native: NativeConditionSet = new m.ConditionSet(JSON.stringify(conditions));
    const errors = parseErrors(native.errors());
    if (errors.length) {
      native.delete();
      throw new RelanceError('invalid conditions', errors);
    }
    const size = native.size();
    const set: ConditionSet = {
      size,
      evaluateAll(context, savedGroups) {
        const answer = owned.get().evaluateAll(contextText(context), groupsText(savedGroups));
        if (typeof answer === 'string') throw new RelanceError('cannot evaluate', parseErrors(answer));
        // A view of wasm memory: copied now, before anything else runs in the module.
        const out = new Array<boolean>(answer.length);
        for (let i = 0; i < answer.length; i++) out[i] = answer[i] === 1;
        return out;
      },
      dispose() {
        owned.dispose();
      },
    };
    const owned = new Owned(set, native);
    return set;
  }

  return {
    version,
    evaluateCondition(condition, context, savedGroups) {
      const answer = JSON.parse(m.evaluateCondition(JSON.stringify(condition) ?? '', contextText(context), groupsText(savedGroups)));
      if (!answer.ok) throw new RelanceError('invalid condition', answer.errors);
      return answer.value === true;
    },
    compileCondition,
    compileConditions,
    validateEvent(event: unknown): ValidationResult {
      let text: string | undefined;
      try {
        text = JSON.stringify(event);
      } catch (e) {
        return { ok: false, errors: [{ path: '', message: `not serializable as JSON: ${(e as Error).message}` }] };
      }
      if (text === undefined) return { ok: false, errors: [{ path: '', message: 'an event must be a JSON object' }] };
      return JSON.parse(m.validateEvent(text)) as ValidationResult;
    },
    validateEventText(text: string): ValidationResult {
      return JSON.parse(m.validateEvent(String(text))) as ValidationResult;
    },
    createEngine(config: unknown) {
      return createEngine(m, config);
    },
  };
}

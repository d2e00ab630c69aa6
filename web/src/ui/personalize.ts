// Carries out `actions.personalize` on the page: each action targets the
// elements of a named slot (`data-relance-slot="hero"`) or a CSS selector.
// Texts go in with textContent; HTML is re-sanitised (sanitize.ts); only a few
// attributes may be set and no URL may run script. A refused action is
// reported with its index and why; the others still apply.

import { isSafeUrl, sanitizeHtml } from './sanitize';
import type { PersonalizeAction, PersonalizeReport } from './types';

const SETTABLE_ATTRS = new Set(['href', 'src', 'alt', 'title']);
const HIDDEN_MARK = 'data-relance-hidden';

/** Applies `actions` under `root` (the document by default) and says what happened. */
export function applyPersonalizations(
  actions: PersonalizeAction[] | null | undefined,
  root: Document | Element = document,
): PersonalizeReport {
  const report: PersonalizeReport = { applied: 0, errors: [] };
  if (!Array.isArray(actions)) return report;
  actions.forEach((action, index) => {
    const fail = (message: string) =>
      report.errors.push({ index, rule_id: action && action.rule_id, message });
    if (!action || typeof action !== 'object') return fail('not an object');
    const targets = findTargets(action, root);
    if (typeof targets === 'string') return fail(targets);
    if (targets.length === 0) return;  // the slot is not on this page: nothing to do, not an error
    const problem = checkAction(action);
    if (problem) return fail(problem);
    for (const el of targets) apply(action, el);
    report.applied += 1;
  });
  return report;
}

// Returns the elements, or an error message.
function findTargets(action: PersonalizeAction, root: Document | Element): Element[] | string {
  if (typeof action.slot === 'string' && action.slot !== '') {
    return Array.from(root.querySelectorAll('[data-relance-slot]')).filter(
      (el) => el.getAttribute('data-relance-slot') === action.slot);
  }
  if (typeof action.selector === 'string' && action.selector !== '') {
    try {
      return Array.from(root.querySelectorAll(action.selector));
    } catch {
      return `invalid selector "${action.selector}"`;
    }
  }
  return 'needs a "slot" or a "selector"';
}

// The attribute name and value of a set_attr action, in either accepted form.
function attrOf(action: PersonalizeAction): { name: string; value: string } | null {
  const v = action.value;
  if (v && typeof v === 'object' && typeof v.name === 'string' && typeof v.value === 'string') {
    return { name: v.name.toLowerCase(), value: v.value };
  }
  const name = typeof action.name === 'string' ? action.name : action.attr;
  if (typeof name === 'string' && typeof v === 'string') return { name: name.toLowerCase(), value: v };
  return null;
}

// Returns why the action cannot be applied, or '' when it can.
function checkAction(action: PersonalizeAction): string {
  switch (action.op) {
    case 'set_text':
    case 'set_html':
      return typeof action.value === 'string' ? '' : `${action.op} needs a string "value"`;
    case 'add_class':
    case 'remove_class':
      if (typeof action.value !== 'string' || !/^\s*[-_a-zA-Z0-9]+(\s+[-_a-zA-Z0-9]+)*\s*$/.test(action.value)) {
        return `${action.op} needs class names (letters, digits, - and _)`;
      }
      return '';
    case 'set_attr': {
      const attr = attrOf(action);
      if (!attr) return 'set_attr needs "name" and a string "value"';
      if (!SETTABLE_ATTRS.has(attr.name)) return `attribute "${attr.name}" is not allowed (href, src, alt, title)`;
      if ((attr.name === 'href' || attr.name === 'src') && !isSafeUrl(attr.value)) {
        return `unsafe URL refused in ${attr.name}`;
      }
      return '';
    }
    case 'hide':
    case 'show':
      return '';
    default:
      return `unknown op "${String(action.op)}"`;
  }
}

function apply(action: PersonalizeAction, el: Element): void {
  switch (action.op) {
    case 'set_text':
      el.textContent = action.value as string;
      break;
    case 'set_html': {
      const fragment = sanitizeHtml(action.value as string, el.ownerDocument);
      el.textContent = '';
      el.appendChild(fragment);
      break;
    }
    case 'set_attr': {
      const attr = attrOf(action)!;
      el.setAttribute(attr.name, attr.value);
      break;
    }
    case 'add_class':
      el.classList.add(...(action.value as string).trim().split(/\s+/));
      break;
    case 'remove_class':
      el.classList.remove(...(action.value as string).trim().split(/\s+/));
      break;
    case 'hide':
      el.setAttribute(HIDDEN_MARK, '');
      (el as HTMLElement).style.setProperty('display', 'none', 'important');
      break;
    case 'show':
      el.removeAttribute('hidden');
      if (el.hasAttribute(HIDDEN_MARK) || (el as HTMLElement).style.display === 'none') {
        el.removeAttribute(HIDDEN_MARK);
        (el as HTMLElement).style.removeProperty('display');
      }
      break;
  }
}

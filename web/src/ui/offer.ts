// Renders an opt-in offer (the engine's `actions.offer.show`) in a Shadow DOM
// and reports what the visitor does. One offer at a time: rendering a new one
// replaces the current one. Every configured text goes in with textContent.
//
// Accessibility: role="dialog" labelled by the title and described by the
// body; the dialog layout is modal (aria-modal, focus trapped with Tab and
// Shift+Tab); the banner layout is not (focus moves in but is not trapped).
// Escape, the close button and a click on the backdrop dismiss; focus goes
// back to where it was. Field errors sit under their field (aria-invalid,
// aria-describedby). A honeypot field, hidden from people and assistive
// technology, catches bots.

import { OFFER_CSS } from './offer_styles';
import type { OfferCallbacks, OfferField, OfferModel, OfferResult, OfferSubmission } from './types';

/** The attribute naming the offer on its host element (outside the shadow root). */
export const OFFER_HOST_ATTR = 'data-relance-offer';

// The offer on screen. Its members are named _x so that the chunk's build
// shortens them (web/build.mjs: mangleProps); nothing outside this file
// reads them.
interface Rendered {
  _model: OfferModel;
  _host: HTMLElement;
  _shadow: ShadowRoot;
  _callbacks: OfferCallbacks;
  _returnFocus: Element | null;
  _converted: boolean;
  _submitted: boolean;
  _onKeyDown: (e: KeyboardEvent) => void;
}

let current: Rendered | null = null;

const DEFAULT_TYPES: Record<string, string> = { email: 'email', phone: 'tel', first_name: 'text' };
const AUTOCOMPLETE: Record<string, string> = { email: 'email', phone: 'tel', first_name: 'given-name' };
const THEME_VARS: Record<string, string> = {
  accent: '--relance-accent', accent_text: '--relance-accent-text', background: '--relance-background',
  text: '--relance-text', radius: '--relance-radius', font: '--relance-font',
};
// Colours, lengths and font lists; nothing that loads a resource.
const SAFE_CSS_VALUE = /^(?!.*(url|image|expression|var)\s*\()[-#%.,'"\s\w()]{1,80}$/i;

/**
 * Shows `model` (replacing any offer on screen) and returns its host element.
 * `callbacks.onDismiss` fires when the visitor closes it without converting;
 * `callbacks.onSubmit` when they submit the form (answer with showOfferResult).
 */
export function renderOffer(model: OfferModel, callbacks: OfferCallbacks = {}, doc: Document = document): HTMLElement {
  if (!model || typeof model !== 'object' || typeof model.offer_id !== 'string') {
    throw new TypeError('relance: renderOffer needs a model with a string offer_id');
  }
  if (current) close(false);
  const returnFocus = doc.activeElement && doc.activeElement !== doc.body ? doc.activeElement : null;

  const host = doc.createElement('div');
  host.setAttribute(OFFER_HOST_ATTR, model.offer_id);
  applyTheme(host, model);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent = OFFER_CSS;
  shadow.appendChild(style);

  const banner = model.layout === 'banner';
  const panel = el(doc, 'div', banner ? 'panel banner' : 'panel');
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-modal', banner ? 'false' : 'true');
  panel.setAttribute('tabindex', '-1');
  const inner = el(doc, 'div', 'inner');
  panel.appendChild(inner);

  const closeButton = el(doc, 'button', 'close');
  closeButton.setAttribute('type', 'button');
  closeButton.setAttribute('aria-label', text(model.close_label) || 'Close');
  closeButton.textContent = '\u00d7';
  panel.appendChild(closeButton);
  if (model.preview) inner.appendChild(textEl(doc, 'span', 'badge', 'preview'));

  const title = textEl(doc, 'h2', 'title', text(model.title));
  title.id = 'rl-title';
  inner.appendChild(title);
  panel.setAttribute('aria-labelledby', 'rl-title');
  if (text(model.body)) {
    const body = textEl(doc, 'p', 'body', text(model.body));
    body.id = 'rl-body';
    inner.appendChild(body);
    panel.setAttribute('aria-describedby', 'rl-body');
  }
  const advantage = advantageText(model);
  if (advantage) inner.appendChild(textEl(doc, 'p', 'advantage', advantage));

  const form = buildForm(doc, model);
  inner.appendChild(form);
  const success = textEl(doc, 'p', 'success', text(model.success) || 'Thank you!');
  success.setAttribute('role', 'status');
  success.setAttribute('tabindex', '-1');
  success.hidden = true;
  inner.appendChild(success);

  if (banner) {
    shadow.appendChild(panel);
  } else {
    const backdrop = el(doc, 'div', 'backdrop');
    backdrop.appendChild(panel);
    backdrop.addEventListener('click', (e) => { if (e.target === backdrop) close(true); });
    shadow.appendChild(backdrop);
  }

  const rendered: Rendered = {
    _model: model, _host: host, _shadow: shadow, _callbacks: callbacks, _returnFocus: returnFocus,
    _converted: false, _submitted: false, _onKeyDown: (e) => onKeyDown(rendered, panel, e),
  };
  current = rendered;
  closeButton.addEventListener('click', () => close(true));
  form.addEventListener('submit', (e) => { e.preventDefault(); submit(rendered, form); });
  // Listen on the document (capture) so Escape works wherever focus is.
  doc.addEventListener('keydown', rendered._onKeyDown, true);

  (doc.body || doc.documentElement).appendChild(host);
  const first = form.querySelector('input:not([tabindex="-1"])') as HTMLElement | null;
  (first || panel).focus();
  return host;
}

/** Removes the offer on screen (if `offerId` is given, only when it is that one). Calls no callback. */
export function hideOffer(offerId?: string): void {
  if (!current) return;
  if (offerId !== undefined && offerId !== null && current._model.offer_id !== offerId) return;
  close(false);
}

/** Shows the engine's verdict on the last submission: field errors, or the success message. */
export function showOfferResult(result: OfferResult): void {
  const r = current;
  if (!r || !result || typeof result !== 'object') return;
  const root = r._shadow;
  const submitButton = root.querySelector('.submit') as HTMLButtonElement | null;
  if (submitButton) submitButton.removeAttribute('aria-busy');
  r._submitted = false;
  clearErrors(root);
  if (result.ok) {
    r._converted = true;
    (root.querySelector('form') as HTMLElement).hidden = true;
    const success = root.querySelector('.success') as HTMLElement;
    if (typeof result.message === 'string' && result.message) success.textContent = result.message;
    success.hidden = false;
    success.focus();
    return;
  }
  let firstInvalid: HTMLElement | null = null;
  for (const error of Array.isArray(result.errors) ? result.errors : []) {
    if (!error || typeof error.message !== 'string') continue;
    const name = typeof error.field === 'string' ? error.field : '';
    const input = name ? (root.querySelector(`[data-field="${cssIdent(name)}"]`) as HTMLElement | null) : null;
    const slot = input ? root.getElementById(`rl-err-${cssIdent(name)}`) : root.querySelector('.form-error');
    if (slot) slot.textContent = slot.textContent ? `${slot.textContent} ${error.message}` : error.message;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      firstInvalid = firstInvalid || input;
    }
  }
  if (firstInvalid) firstInvalid.focus();
}

function buildForm(doc: Document, model: OfferModel): HTMLFormElement {
  const form = doc.createElement('form');
  form.noValidate = true;  // the engine validates, with its own messages
  for (const field of Array.isArray(model.fields) ? model.fields : []) {
    if (!field || !(field.name in DEFAULT_TYPES)) continue;
    form.appendChild(buildField(doc, field));
  }
  // The honeypot: off screen, out of the tab order and of the accessibility tree.
  const hp = el(doc, 'div', 'hp');
  hp.setAttribute('aria-hidden', 'true');
  const hpLabel = textEl(doc, 'label', '', 'Website');
  const hpInput = doc.createElement('input');
  hpInput.type = 'text';
  hpInput.name = text(model.honeypot) || 'website';
  hpInput.className = 'honeypot';
  hpInput.tabIndex = -1;
  hpInput.autocomplete = 'off';
  hpLabel.appendChild(hpInput);
  hp.appendChild(hpLabel);
  form.appendChild(hp);

  if (model.consent && text(model.consent.text)) {
    const wrap = el(doc, 'div', 'consent');
    const box = doc.createElement('input');
    box.type = 'checkbox';
    box.id = 'rl-f-consent';
    box.setAttribute('data-field', 'consent');
    box.setAttribute('aria-describedby', 'rl-err-consent');
    if (model.consent.required) box.setAttribute('aria-required', 'true');
    const label = textEl(doc, 'label', '', text(model.consent.text));
    label.setAttribute("for", "rl-f-consent");
    const error = textEl(doc, 'p', 'error', '');
    error.id = 'rl-err-consent';
    const line = el(doc, 'div', 'consent-wrap');
    line.append(box, label, error);
    wrap.appendChild(line);
    form.appendChild(wrap);
  }
  const formError = textEl(doc, 'p', 'error form-error', '');
  formError.setAttribute('role', 'alert');
  form.appendChild(formError);
  const button = textEl(doc, 'button', 'submit', text(model.button) || 'Subscribe');
  button.setAttribute('type', 'submit');
  form.appendChild(button);
  return form;
}

function buildField(doc: Document, field: OfferField): HTMLElement {
  const wrap = el(doc, 'div', 'field');
  const id = `rl-f-${field.name}`;
  const label = textEl(doc, 'label', '', text(field.label) || field.name);
  label.setAttribute("for", id);
  const input = doc.createElement('input');
  input.id = id;
  input.name = field.name;
  input.type = field.type && ['email', 'tel', 'text'].includes(field.type) ? field.type : DEFAULT_TYPES[field.name];
  input.autocomplete = AUTOCOMPLETE[field.name] as AutoFill;
  input.setAttribute('data-field', field.name);
  input.setAttribute('aria-describedby', `rl-err-${field.name}`);
  if (field.required) {
    input.required = true;
    input.setAttribute('aria-required', 'true');
  }
  if (text(field.placeholder)) input.placeholder = text(field.placeholder);
  const error = textEl(doc, 'p', 'error', '');
  error.id = `rl-err-${field.name}`;
  wrap.append(label, input, error);
  return wrap;
}

function submit(r: Rendered, form: HTMLFormElement): void {
  if (r._submitted || r._converted) return;  // one submission at a time
  const fields: OfferSubmission['fields'] = {};
  for (const input of Array.from(form.querySelectorAll('input[data-field]')) as HTMLInputElement[]) {
    const name = input.getAttribute('data-field');
    if (name === 'email' || name === 'phone' || name === 'first_name') fields[name] = input.value.trim();
  }
  const consent = form.querySelector('#rl-f-consent') as HTMLInputElement | null;
  const honeypot = form.querySelector('.honeypot') as HTMLInputElement;
  r._submitted = true;
  (form.querySelector('.submit') as HTMLElement).setAttribute('aria-busy', 'true');
  r._callbacks.onSubmit?.({
    offer_id: r._model.offer_id, variant: r._model.variant || '', fields,
    consent_checked: consent ? consent.checked : false, honeypot: honeypot.value,
  });
}

function onKeyDown(r: Rendered, panel: HTMLElement, e: KeyboardEvent): void {
  if (current !== r) return;
  if (e.key === 'Escape') {
    e.preventDefault();
    e.stopPropagation();
    close(true);
    return;
  }
  if (e.key !== 'Tab' || r._model.layout === 'banner') return;
  // Focus trap of the modal dialog: wrap around at both ends.
  const focusable = (Array.from(panel.querySelectorAll('button, input, a[href], select, textarea')) as HTMLElement[])
    .filter((x) => !(x as HTMLInputElement).disabled && x.tabIndex >= 0 && x.getClientRects().length > 0);
  if (focusable.length === 0) return;
  const active = r._shadow.activeElement;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  const inside = active !== null && focusable.includes(active as HTMLElement);
  if (e.shiftKey && (active === first || !inside)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !inside)) {
    e.preventDefault();
    first.focus();
  }
}

// Removes the current offer; `byVisitor` reports a dismissal unless it converted.
function close(byVisitor: boolean): void {
  const r = current;
  if (!r) return;
  current = null;
  r._host.ownerDocument.removeEventListener('keydown', r._onKeyDown, true);
  r._host.remove();
  const back = r._returnFocus as HTMLElement | null;
  if (back && back.isConnected && typeof back.focus === 'function') back.focus();
  if (byVisitor && !r._converted) {
    r._callbacks.onDismiss?.({ offer_id: r._model.offer_id, variant: r._model.variant || '' });
  }
}

function clearErrors(root: ShadowRoot): void {
  for (const e of Array.from(root.querySelectorAll('.error'))) e.textContent = '';
  for (const i of Array.from(root.querySelectorAll('[aria-invalid]'))) i.removeAttribute('aria-invalid');
}

function applyTheme(host: HTMLElement, model: OfferModel): void {
  const theme = model.theme;
  if (!theme || typeof theme !== 'object') return;
  for (const [key, variable] of Object.entries(THEME_VARS)) {
    const value = (theme as Record<string, unknown>)[key];
    if (typeof value === 'string' && SAFE_CSS_VALUE.test(value)) host.style.setProperty(variable, value);
  }
}

function advantageText(model: OfferModel): string {
  const a = model.advantage;
  if (!a || typeof a !== 'object') return '';
  if (text(a.label)) return text(a.label);
  if (text(a.text)) return text(a.text);
  if (a.type === 'free_delivery') return 'Free delivery';
  if (a.type === 'percent' && a.value !== undefined) return `-${String(a.value).replace(/%$/, '')}%`;
  if (a.type === 'gift') return a.value !== undefined ? `Gift: ${String(a.value)}` : 'A gift';
  return a.value !== undefined ? String(a.value) : '';
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function cssIdent(v: string): string {
  return v.replace(/[^-_a-zA-Z0-9]/g, '');
}

function el(doc: Document, tag: string, className: string): HTMLElement {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  return node;
}

function textEl(doc: Document, tag: string, className: string, content: string): HTMLElement {
  const node = el(doc, tag, className);
  node.textContent = content;
  return node;
}

// The web UI of Relance: carries out the engine's visible decisions in the
// page. The runtime (web/src/runtime.ts) calls these once per happening with
// the actions of docs/design/engine-contract.md; nothing here decides.
//
// API (types in ./types.ts):
//   renderOffer(model: OfferModel, callbacks: OfferCallbacks, doc?): HTMLElement
//       actions.offer.show. Replaces any offer on screen. callbacks.onDismiss
//       ({offer_id, variant}) -> signal offer_dismissed; callbacks.onSubmit
//       (OfferSubmission) -> signal offer_submit.
//   hideOffer(offerId?: string): void
//       actions.offer.hide. No callback fires.
//   showOfferResult(result: OfferResult): void
//       actions.offer_result: field errors next to the fields, or the success message.
//   applyPersonalizations(list: PersonalizeAction[], root?): PersonalizeReport
//       actions.personalize. Returns what was applied and each refusal with why.
//   revealSlots(slots: string[], doc?): void
//       actions.reveal: those slots are decided, show them now.
//   endAntiFlicker(doc?): void
//       call once the first page view's actions are carried out: every slot shows.
//   installAntiFlicker(doc?, timeoutMs = 300): void
//       hides undecided [data-relance-slot] until revealed or the timeout;
//       or inline ANTI_FLICKER_SNIPPET_JS / ANTI_FLICKER_CSS in the snippet.
//   printDebug(what: string, entries: DebugEntry[]): void
//       actions.debug, printed as a console group.

export type {
  OfferAdvantage, OfferCallbacks, OfferConsent, OfferField, OfferModel, OfferResult, OfferSubmission,
  OfferTheme, PersonalizeAction, PersonalizeReport,
} from './types';
export type { DebugEntry } from './debug';
export { OFFER_HOST_ATTR, hideOffer, renderOffer, showOfferResult } from './offer';
export { applyPersonalizations } from './personalize';
export { isSafeUrl, sanitizeHtml } from './sanitize';
export {
  ANTI_FLICKER_CLASS, ANTI_FLICKER_CSS, ANTI_FLICKER_OVERRIDE, ANTI_FLICKER_TIMEOUT_MS, REVEALED_ATTR,
  endAntiFlicker, installAntiFlicker, revealSlots,
} from './anti_flicker';
export { ANTI_FLICKER_SNIPPET_JS } from './anti_flicker_snippet';
export { printDebug } from './debug';

// The UI the tag hands the runtime. Personalizations, slot reveals and debug
// output are in the tag itself: they run on the first page view. The offer
// dialog (its code and styles, about a third of the tag) is a chunk of its own
// (relance-offer.<hash>.js, built from offer_chunk.ts), fetched the first time
// an offer is about to show, so pages without an offer never download it.

import { applyPersonalizations } from './ui/personalize';
import { endAntiFlicker, revealSlots } from './ui/anti_flicker';
import { printDebug, type DebugEntry } from './ui/debug';
import type { UiPort } from './runtime';
import { OFFER_UI_GLOBAL, type OfferUi } from './offer_handoff';

/**
 * The tag's UiPort; `loadOffer` fetches the offer chunk (called at most once,
 * and again after a failure). Offer calls are carried out in order once the
 * chunk is in: they all wait on the same promise.
 */
export function tagUi(loadOffer: () => Promise<OfferUi>, log: (...a: unknown[]) => void = console.error): UiPort {
  let offer: Promise<OfferUi> | null = null;
  const withOffer = (f: (ui: OfferUi) => unknown) => {
    if (!offer) {
      const loading = loadOffer();
      offer = loading;
      loading.catch(() => { if (offer === loading) offer = null; }); // the next offer tries again
    }
    offer.then(f).catch((e) => log('relance: the offer could not be shown', e));
  };
  return {
    applyPersonalizations, revealSlots, endAntiFlicker,
    printDebug: (what, entries) => printDebug(what, entries as DebugEntry[]),
    renderOffer: (model, callbacks) => withOffer((ui) => ui.renderOffer(model, callbacks)),
    // Nothing is on screen before the chunk was ever asked for.
    hideOffer: (offerId) => { if (offer) withOffer((ui) => ui.hideOffer(offerId)); },
    showOfferResult: (result) => { if (offer) withOffer((ui) => ui.showOfferResult(result)); },
  };
}

/** Loads the offer chunk at `url` with a script element (the tag's CSP rule covers it). */
export function loadOfferScript(url: string, doc: Document = document): Promise<OfferUi> {
  return new Promise((resolve, reject) => {
    const s = doc.createElement('script');
    s.async = true;
    s.src = url;
    s.onload = () => {
      const ui = (doc.defaultView as unknown as Record<string, OfferUi | undefined>)[OFFER_UI_GLOBAL];
      if (ui) resolve(ui);
      else reject(new Error(`${url} did not provide the offer UI`));
    };
    s.onerror = () => reject(new Error(`could not load ${url}`));
    (doc.head || doc.documentElement).appendChild(s);
  });
}

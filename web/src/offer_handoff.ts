// How the offer chunk (offer_chunk.ts) hands the offer UI to the tag
// (tag_ui.ts): a global set when the chunk runs. Kept apart so that the chunk
// imports nothing else from the tag.

import type { OfferCallbacks, OfferModel, OfferResult } from './ui/types';

/** What the offer chunk provides (web/src/ui/offer.ts). */
export interface OfferUi {
  renderOffer(model: OfferModel, callbacks: OfferCallbacks): unknown;
  hideOffer(offerId?: string): void;
  showOfferResult(result: OfferResult): void;
}

/** The global the offer chunk sets when it runs. */
export const OFFER_UI_GLOBAL = '__relanceOfferUi';

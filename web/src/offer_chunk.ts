// The offer chunk (built to relance-offer.<hash>.js): the offer dialog's code
// and styles, loaded by the tag the first time an offer is about to show
// (tag_ui.ts). It hands them over in a global the tag reads once loaded.

import { hideOffer, renderOffer, showOfferResult } from './ui/offer';
import { OFFER_UI_GLOBAL, type OfferUi } from './offer_handoff';

(window as unknown as Record<string, OfferUi>)[OFFER_UI_GLOBAL] = { renderOffer, hideOffer, showOfferResult };

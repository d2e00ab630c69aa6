// The npm runtime's offer chunk (built to js-bindings/dist/runtime-offer.js
// and .cjs): the offer dialog's code and styles, imported by runtime.js with a
// dynamic import() the first time an offer is about to show, so that a site's
// bundler can split it off as the tag does with relance-offer.<hash>.js. The
// module itself is the OfferUi (offer_handoff.ts).

export { hideOffer, renderOffer, showOfferResult } from './ui/offer';

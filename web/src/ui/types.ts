// The data the web UI receives from the engine (through the runtime) and the
// callbacks through which it reports what the visitor did. Shapes follow
// docs/design/engine-contract.md ("Actions"): `offer.show` is an OfferModel,
// `offer_result` an OfferResult, `personalize` a list of PersonalizeAction.

/** A field of an offer form. `type` is the input type; it defaults from `name`. */
export interface OfferField {
  name: 'email' | 'phone' | 'first_name';
  label: string;
  required?: boolean;
  type?: 'email' | 'tel' | 'text';
  placeholder?: string;
}

/** The consent checkbox; its exact text is kept by the engine as proof. */
export interface OfferConsent {
  text: string;
  required?: boolean;
}

/** An advantage promised by the offer; the code itself arrives later by e-mail. */
export interface OfferAdvantage {
  type: 'free_delivery' | 'percent' | 'gift' | string;
  value?: string | number;
  /** Text shown to the visitor (the engine's name); when absent the UI builds one from type and value. */
  label?: string;
  /** Accepted as a synonym of `label`. */
  text?: string;
}

/**
 * Colours and shape, applied as CSS custom properties on the offer's host
 * element (--relance-accent, --relance-background, --relance-text,
 * --relance-radius, --relance-font). Values that are not plain colours or
 * lengths (e.g. url(...)) are ignored.
 */
export interface OfferTheme {
  accent?: string;
  accent_text?: string;
  background?: string;
  text?: string;
  radius?: string;
  font?: string;
}

/** The render model of `actions.offer.show`. Every text is plain text. */
export interface OfferModel {
  offer_id: string;
  variant?: string;
  /** "dialog": a centred modal (a bottom sheet on narrow screens); "banner": a non-modal bottom bar. */
  layout?: 'dialog' | 'banner';
  title?: string;
  body?: string;
  fields?: OfferField[];
  consent?: OfferConsent | null;
  button?: string;
  success?: string;
  advantage?: OfferAdvantage | null;
  theme?: OfferTheme | null;
  /** Accessible name of the close button (default "Close"). */
  close_label?: string;
  /** The honeypot field's name (default "website"). */
  honeypot?: string;
  /** True for ?relance_preview=ID: shown with a "preview" badge. */
  preview?: boolean;
}

/** What the visitor typed, handed to the runtime (-> signal `offer_submit`). */
export interface OfferSubmission {
  offer_id: string;
  variant: string;
  fields: Partial<Record<'email' | 'phone' | 'first_name', string>>;
  consent_checked: boolean;
  /** The honeypot's value: empty for people, often filled by bots. */
  honeypot: string;
}

/** The runtime's callbacks. Both are called at most once per rendered offer. */
export interface OfferCallbacks {
  /** The visitor closed the offer without converting (-> signal `offer_dismissed`). */
  onDismiss?: (info: { offer_id: string; variant: string }) => void;
  /** The visitor submitted the form (-> signal `offer_submit`); answer with showOfferResult(). */
  onSubmit?: (submission: OfferSubmission) => void;
}

/** `actions.offer_result`: the engine's verdict on a submission. */
export interface OfferResult {
  ok: boolean;
  /** `field` is email, phone, first_name, consent, or anything else (shown above the button). */
  errors?: Array<{ field?: string; message: string }>;
  /** Optional text replacing the model's success message. */
  message?: string;
}

/** One item of `actions.personalize`. */
export interface PersonalizeAction {
  rule_id?: string;
  variant?: string;
  /** Targets `[data-relance-slot="<slot>"]`; or use `selector`. */
  slot?: string;
  selector?: string;
  op: 'set_text' | 'set_html' | 'set_attr' | 'add_class' | 'remove_class' | 'hide' | 'show';
  /**
   * set_text / set_html: the text or (already sanitised) HTML; add_class /
   * remove_class: one or more class names separated by spaces; set_attr: the
   * attribute value (its name in `name`).
   */
  value?: string | { name: string; value: string };
  /** set_attr: the attribute name (href, src, alt or title), as the engine sends it. */
  name?: string;
  /** set_attr: accepted as a synonym of `name`. */
  attr?: string;
}

/** The outcome of applyPersonalizations: what was done and what was refused, with why. */
export interface PersonalizeReport {
  applied: number;
  errors: Array<{ index: number; rule_id?: string; message: string }>;
}

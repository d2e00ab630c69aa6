// The event context sent with each signal: page, UTM, device, locale.
//
// Strings are cut to stay within the event contract's 2048-byte limit
// (UTF-8), never splitting a surrogate pair, so a long URL is shortened
// rather than making the event invalid.

export interface EventContext {
  page: { url: string; path: string; title: string; referrer: string };
  utm?: Partial<Record<'source' | 'medium' | 'campaign' | 'term' | 'content', string>>;
  device: { type: 'mobile' | 'tablet' | 'desktop'; viewport: { w: number; h: number } };
  locale?: string;
}

export interface PageFacts {
  href: string;
  title: string;
  referrer: string;
  width: number;
  height: number;
  userAgent: string;
  language?: string;
}

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

export function buildContext(f: PageFacts): EventContext {
  let path = '/';
  let params: URLSearchParams | null = null;
  try {
    const u = new URL(f.href);
    path = u.pathname;
    params = u.searchParams;
  } catch { /* not a URL: keep "/" */ }
  const ctx: EventContext = {
    page: { url: cut(f.href), path: cut(path), title: cut(f.title || ''), referrer: cut(f.referrer || '') },
    device: { type: deviceType(f.width, f.userAgent), viewport: { w: clampInt(f.width), h: clampInt(f.height) } },
  };
  if (params) {
    const utm: EventContext['utm'] = {};
    let any = false;
    for (const k of UTM_KEYS) {
      const v = params.get('utm_' + k);
      if (v) { utm[k] = cut(v); any = true; }
    }
    if (any) ctx.utm = utm;
  }
  if (f.language && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(f.language)) ctx.locale = f.language;
  return ctx;
}

export function deviceType(width: number, ua: string): 'mobile' | 'tablet' | 'desktop' {
  if (/iPad|Tablet/i.test(ua)) return 'tablet';
  if (/Mobi|Android.+Mobile|iPhone/i.test(ua)) return 'mobile';
  if (width > 0 && width < 768) return 'mobile';
  if (width > 0 && width < 1024) return 'tablet';
  return 'desktop';
}

// Cuts `s` to at most `maxBytes` UTF-8 bytes without breaking a character.
export function cut(s: string, maxBytes = 2048): string {
  if (s.length * 3 <= maxBytes) return s;
  let bytes = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let n = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (c >= 0xd800 && c <= 0xdbff) n = 4; // a pair: 4 bytes for both units
    if (bytes + n > maxBytes) break;
    bytes += n;
    if (n === 4) i++;
  }
  return s.slice(0, i);
}

function clampInt(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.min(100000, Math.round(n)) : 0;
}

// Which single-page-app navigations are new pages.
//
// pushState and popstate: a new page when the path or the query changed (a
// hash-only change is an anchor, not a page). replaceState: only when the
// path changed, because routers use it to tweak the query or hash of the
// current page (filters, scroll anchors) and that must not count a page.

export type NavigationKind = 'push' | 'replace' | 'pop';

export function isNewPage(previousUrl: string, nextUrl: string, kind: NavigationKind): boolean {
  const a = split(previousUrl);
  const b = split(nextUrl);
  if (!a || !b) return previousUrl !== nextUrl;
  if (a.path !== b.path) return true;
  if (kind === 'replace') return false;
  return a.query !== b.query;
}

function split(url: string): { path: string; query: string } | null {
  try {
    const u = new URL(url, 'http://relance.invalid/');
    return { path: u.origin + u.pathname, query: u.search };
  } catch {
    return null;
  }
}

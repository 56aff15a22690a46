/**
 * Turns whatever a user pastes as "the Notion page" into an id: links copied in the app or browser,
 * public notion.site pages, desktop deep links, or a bare id. Pure and synchronous, so the input box
 * can validate on every keystroke.
 *
 * We parse the URL ourselves instead of using the SDK's `extractNotionId`: it falls back to "the first
 * 32 hex characters anywhere" (accepting non-Notion hosts) and returns the database instead of the
 * peeked page for `/ws/Tasks-<db>?v=…&p=<page>` links.
 */
import * as l10n from '@vscode/l10n';

export type NotionTarget = {
  /** Dashed lowercase UUID, 8-4-4-4-12. */
  id: string;
  /** 'unknown' when the URL alone cannot tell: the caller then asks Notion. */
  kind: 'page' | 'database' | 'unknown';
  /** The database view from `?v=`; Notion's API has no use for it, but it tells us the id is a database. */
  viewId?: string;
  /** The block a `#<id>` anchor points at; `id` is still the page that holds it. */
  blockId?: string;
};

export type NotionUrlProblem = 'empty' | 'tooLong' | 'notNotion' | 'noId' | 'malformed';

/**
 * The longest input taken as a Notion link or id. Real links are a few hundred characters; anything longer
 * is refused before any parsing, so a pasted document costs nothing. The forms' fields use the same limit.
 */
export const MAX_NOTION_URL_LENGTH = 2_000;

export type NotionUrlResult = { ok: true; target: NotionTarget } | { ok: false; reason: NotionUrlProblem; message: string };

/**
 * What to tell the person who pasted input that failed for this reason, in VS Code's display language.
 * `length`: how long the input was, for 'tooLong'.
 */
export function notionUrlMessage(reason: NotionUrlProblem, length = 0): string {
  switch (reason) {
    case 'empty':
      return l10n.t('Paste a Notion page URL or id.');
    case 'tooLong':
      return l10n.t(
        'The link is too long ({0} characters; at most {1}). In Notion, use Share → Copy link and paste that link.',
        formatCount(length),
        formatCount(MAX_NOTION_URL_LENGTH),
      );
    case 'notNotion':
      return l10n.t('That is not a Notion link: expected notion.so, notion.com or a notion.site address.');
    case 'noId':
      return l10n.t('This Notion link does not point to a page or database: open the page in Notion and use Share → Copy link.');
    case 'malformed':
      return l10n.t('That is not a valid Notion link or id: a Notion id has 32 hexadecimal characters (0-9, a-f).');
  }
}

const NOTION_DOMAINS = ['notion.so', 'notion.com', 'notion.site'];
const HEX32 = /^[0-9a-f]{32}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Notion always puts a dash between the title slug and the id, so the id is everything after the last dash. */
const SLUG_ID = /(?:^|-)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;
/** An id-shaped tail that is not quite an id (a character too many or too few, a stray letter). */
const DAMAGED_ID = /(?:^|-)(?:[0-9a-f]{24,40}|[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12})$/i;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** `notion.so@evil.com/…`: user info before the host, which is evil.com. */
const USERINFO_FIRST = /^[^/?#@]*@/;
/** `javascript:`, `data:`, `mailto:`…: a scheme without `//`, never a Notion link. */
const OPAQUE_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const HOST_FIRST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:[/?#]|$)/i;
const ANCHOR = /^#(?:block-)?([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** Characters that come along when a link is pasted from chat, markdown or a quoted string. */
const LEADING_WRAPPERS = new Set([...'<"\'`“”‘’']);
const TRAILING_WRAPPERS = new Set([...'>"\'`“”‘’']);
const WHITESPACE = /^\s$/;

/**
 * Linear in the input's length whatever it holds: wrappers are stripped by scanning (a regex anchored at
 * the end, like /[\s>]+$/, retries from every position of a long run and is quadratic), and input longer
 * than any link is refused before a regex or the URL parser sees it.
 */
export function parseNotionUrl(input: string): NotionUrlResult {
  const text = unwrap(input);
  if (!text) return fail('empty');
  if (text.length > MAX_NOTION_URL_LENGTH) return fail('tooLong', text.length);
  if (/\s/.test(text)) return fail('malformed');
  const bareId = normaliseId(text);
  if (bareId) return { ok: true, target: { id: bareId, kind: 'unknown' } };
  const parsed = toUrl(text);
  if (!parsed) return fail('malformed');
  if (!isNotionUrl(parsed.url)) return fail('notNotion');
  return targetFromUrl(parsed.url, parsed.guessedHost);
}

/** Formats a 32-hex id or a UUID (any case) as a dashed lowercase UUID; throws a RangeError on anything else. */
export function formatNotionId(hex32OrUuid: string): string {
  const id = normaliseId(hex32OrUuid.trim());
  if (!id) throw new RangeError(`Not a Notion id: ${JSON.stringify(hex32OrUuid)}`);
  return id;
}

/** The canonical link for an id; notion.so redirects it to the right workspace and title slug. */
export function notionUrlForId(id: string): string {
  return `https://www.notion.so/${formatNotionId(id).replace(/-/g, '')}`;
}

function normaliseId(text: string): string | undefined {
  if (!HEX32.test(text) && !UUID.test(text)) return undefined;
  const hex = text.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function fail(reason: NotionUrlProblem, length?: number): NotionUrlResult {
  return { ok: false, reason, message: notionUrlMessage(reason, length) };
}

function unwrap(input: string): string {
  let start = 0;
  let end = input.length;
  const isWrapper = (char: string, wrappers: Set<string>) => wrappers.has(char) || WHITESPACE.test(char);
  while (start < end && isWrapper(input[start], LEADING_WRAPPERS)) start++;
  while (end > start && isWrapper(input[end - 1], TRAILING_WRAPPERS)) end--;
  return input.slice(start, end);
}

/** 2000 → "2,000" (in the display language's digits and separators where the runtime knows them). */
export function formatCount(n: number): string {
  return n.toLocaleString(l10nLocale());
}

function l10nLocale(): string | undefined {
  const lang = (globalThis as { document?: { documentElement?: { lang?: string } } }).document?.documentElement?.lang;
  try {
    return lang ? Intl.getCanonicalLocales(lang)[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses full URLs, deep links, scheme-less `notion.so/...` and bare paths. `guessedHost` marks input
 * that named no host at all (`Title-<id>`, `hello`): without an id it is garbage, not a Notion link.
 */
function toUrl(text: string): { url: URL; guessedHost: boolean } | undefined {
  const deepLinked = text.replace(/^notion:\/\//i, 'https://');
  try {
    if (SCHEME.test(deepLinked)) return { url: new URL(deepLinked), guessedHost: false };
    if (HOST_FIRST.test(text) || USERINFO_FIRST.test(text)) return { url: new URL(`https://${text}`), guessedHost: false };
    if (OPAQUE_SCHEME.test(text)) return { url: new URL(text), guessedHost: false };
    // A leading "//" stays protocol-relative here, so "//evil.com/x" is rejected by its host.
    if (text.startsWith('/')) return { url: new URL(text, 'https://www.notion.so'), guessedHost: false };
    return { url: new URL(`https://www.notion.so/${text}`), guessedHost: true };
  } catch {
    return undefined;
  }
}

/**
 * Compares whole domain labels so that notion.so.evil.com and evilnotion.so are rejected; look-alike
 * letters (IDN homographs) arrive here as punycode (xn--…) and never equal Notion's domains. Links with
 * user info (`https://notion.so@evil.com`, `https://me@notion.so`) are never Notion's own: refused.
 */
function isNotionUrl(url: URL): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  return NOTION_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

function targetFromUrl(url: URL, guessedHost: boolean): NotionUrlResult {
  const blockId = anchorBlockId(url.hash);
  const peeked = url.searchParams.get('p');
  // A peek link (`?p=…&pm=s|c`) shows a page opened over a database; the user means that page.
  if (peeked) {
    const id = normaliseId(peeked);
    return id ? success({ id, kind: 'page', blockId }) : fail('malformed');
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const id = lastSegmentId(segments);
  if (!id) return fail(guessedHost || segments.some((s) => DAMAGED_ID.test(s)) ? 'malformed' : 'noId');
  const view = url.searchParams.get('v');
  if (view) return success({ id, kind: 'database', viewId: normaliseId(view), blockId });
  // Block anchors only exist inside pages.
  return success({ id, kind: blockId ? 'page' : 'unknown', blockId });
}

/** Workspace names and other path parts come first; the id is in the last segment that has one. */
function lastSegmentId(segments: string[]): string | undefined {
  for (let i = segments.length - 1; i >= 0; i--) {
    const match = SLUG_ID.exec(segments[i]);
    if (match) return normaliseId(match[1]);
  }
  return undefined;
}

function anchorBlockId(hash: string): string | undefined {
  const match = ANCHOR.exec(hash);
  return match ? normaliseId(match[1]) : undefined;
}

/** Leaves optional fields out rather than present-but-undefined, so targets compare cleanly. */
function success(target: NotionTarget): NotionUrlResult {
  const clean: NotionTarget = { id: target.id, kind: target.kind };
  if (target.viewId) clean.viewId = target.viewId;
  if (target.blockId) clean.blockId = target.blockId;
  return { ok: true, target: clean };
}

// How @visen reads which connection a prompt names. Only a connection's whole name, exactly (in any case),
// names it, and only where the prompt says where to write:
//   - `into "Launch notes"` (also to / in / for, with any kind of quotes), anywhere in the prompt;
//   - `into Launch notes` as the prompt's last words (a follow-up Visen offers ends so);
//   - `#Launch-notes` or `#"Launch notes"` (a `-` or `_` in the reference stands for a space).
// A name is never found inside a word or a sentence ("a blog post" does not name `Log`), and page titles are
// never read: a title is set in Notion, by whoever can edit the page, so it cannot choose where a prompt goes.
// A prompt that names two connections, or a name two connections share, names none: @visen asks.

export interface NamedTarget {
  readonly id: string;
  readonly name: string;
}

export interface TargetMatch {
  /** The connections named: one, or several when the prompt is ambiguous. */
  readonly ids: readonly string[];
  /** The prompt without the words that name the connection. */
  readonly prompt: string;
}

const norm = (value: string) => value.trim().replace(/\s+/g, ' ').toLowerCase();
/** A name in quotes of one kind: "…", “…”, '…' or ‘…’ (so an apostrophe inside double quotes is part of it). */
const QUOTED = String.raw`(?:"([^"\n]{1,200})"|“([^”\n]{1,200})”|'([^'\n]{1,200})'|‘([^’\n]{1,200})’)`;
const quotedName = (match: RegExpMatchArray, first: number) => match[first] ?? match[first + 1] ?? match[first + 2] ?? match[first + 3];
const PREPOSITION = String.raw`\b(?:into|to|in|for)\s+(?:the\s+)?`;
const KIND = String.raw`(?:\s+(?:page|database))?`;

interface Found {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Every place the prompt names something: a quoted name after a preposition, a #-reference, its last words. */
function namedPlaces(prompt: string): Found[] {
  const found: Found[] = [];
  for (const match of prompt.matchAll(new RegExp(`\\s*${PREPOSITION}${QUOTED}${KIND}`, 'gi'))) {
    found.push({ name: quotedName(match, 1), start: match.index, end: match.index + match[0].length });
  }
  for (const match of prompt.matchAll(new RegExp(`(?:^|\\s)#(?:${QUOTED}|([^\\s"“”'‘’#]{1,200}))`, 'g'))) {
    const name = quotedName(match, 1) ?? match[5].replace(/[.,;:!?]+$/, '').replace(/[-_]/g, ' ');
    found.push({ name, start: match.index, end: match.index + match[0].length });
  }
  // The last words: `… into Launch notes` (a name of two characters or more, so a stray letter never names one).
  for (const match of prompt.matchAll(new RegExp(`\\s*${PREPOSITION}`, 'gi'))) {
    const rest = prompt.slice(match.index + match[0].length).replace(new RegExp(`${KIND}[.!]?\\s*$`, 'i'), '');
    if (norm(rest).length >= 2 && !rest.includes('\n')) found.push({ name: rest, start: match.index, end: prompt.length });
  }
  return found;
}

/** The connections `prompt` names (see above), and the prompt without the words that name it. */
export function matchTarget(prompt: string, targets: readonly NamedTarget[]): TargetMatch {
  const ids = new Set<string>();
  let place: Found | undefined;
  for (const found of namedPlaces(prompt)) {
    const wanted = norm(found.name);
    const named = targets.filter((t) => norm(t.name) === wanted && wanted.length > 0);
    for (const target of named) ids.add(target.id);
    if (named.length) place ??= found;
  }
  if (!place) return { ids: [], prompt: prompt.trim() };
  const stripped = `${prompt.slice(0, place.start)} ${prompt.slice(place.end)}`
    .replace(/\s+$/, '')
    .replace(/^\s+/, '')
    .replace(/ {2,}/g, ' ');
  return { ids: [...ids], prompt: stripped || prompt.trim() };
}

/** How a follow-up names a connection: quoted, so it is found whatever else the prompt says. */
export function intoPhrase(name: string): string {
  if (!name.includes('"')) return `into "${name}"`;
  return name.includes('”') ? `into ‘${name}’` : `into “${name}”`;
}

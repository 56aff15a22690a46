import * as l10n from '@vscode/l10n';
import type { Ui } from '../platform/ui';

// What Visen sends from the editor (a file, a selection, the Git changes) goes to an engine outside the
// machine. Before it does, every surface (palette, form, chat, Generate from Selection) runs it through here:
// - a file that looks like one of secrets (.env, a key, credentials) is sent only once the user says so;
// - text holding key-like strings (Notion, OpenAI, Google, GitHub and AWS keys, private-key blocks) is shown
//   with the choice to send it with those strings redacted, or as it is.
// Nothing leaves when the user cancels. The strings themselves are never shown in full, nor logged.

/** A piece of context and the files it comes from. */
export interface ContextPiece {
  readonly text: string;
  /** The files the text comes from (a path or a name), to tell a file of secrets. */
  readonly files: readonly string[];
}

/** File names that hold secrets more often than not. Examples and templates of them are not asked about. */
const SECRET_FILE_PATTERNS: readonly RegExp[] = [
  /^\.env(?:\..+)?$/i,
  /\.env$/i,
  /\.(?:pem|key|p12|pfx|jks|keystore|ppk|asc|gpg|kdbx)$/i,
  /^id_(?:rsa|dsa|ecdsa|ed25519)(?:\..*)?$/i,
  /^credentials(?:\..*)?$/i,
  /^\.(?:npmrc|netrc|pgpass|pypirc|git-credentials|htpasswd)$/i,
  /^secrets?\.(?:json|ya?ml|toml|ini|env|txt)$/i,
  /^service[-_]?account.*\.json$/i,
];
const HARMLESS_SUFFIX = /\.(?:example|sample|template|dist|defaults?)$/i;

/** Whether a file's name says it holds secrets (`.env`, `server.pem`, `id_rsa`, `credentials.json`, …). */
export function looksLikeSecretFile(file: string): boolean {
  const name = file.split(/[\\/]/).pop() ?? file;
  if (!name || HARMLESS_SUFFIX.test(name) || name.endsWith('.pub')) return false;
  return SECRET_FILE_PATTERNS.some((pattern) => pattern.test(name));
}

/** The files a Git diff changes (`diff --git a/x b/y`, both sides). */
export function diffFiles(diff: string): string[] {
  const files = new Set<string>();
  for (const line of diff.split('\n')) {
    if (!line.startsWith('diff --git ')) continue;
    for (const part of line.slice('diff --git '.length).split(' ')) {
      if (part.startsWith('a/') || part.startsWith('b/')) files.add(part.slice(2));
    }
  }
  return [...files];
}

export type SecretKind = 'notion' | 'openai' | 'google' | 'github' | 'aws' | 'privateKey';

export interface FoundSecret {
  readonly kind: SecretKind;
  readonly start: number;
  readonly end: number;
}

/** Key shapes, each a bounded run of key characters after a fixed prefix (linear on any input). */
const KEY_PATTERNS: ReadonlyArray<readonly [SecretKind, RegExp]> = [
  ['notion', /\b(?:ntn_|secret_)[A-Za-z0-9]{30,80}\b/g],
  ['openai', /\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,200}/g],
  ['google', /\bAIza[0-9A-Za-z_-]{35}/g],
  ['github', /\b(?:gh[pousr]_[A-Za-z0-9]{36,80}|github_pat_[A-Za-z0-9_]{22,120})/g],
  ['aws', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g],
  ['aws', /\baws_secret_access_key\s{0,5}[=:]\s{0,5}["']?[A-Za-z0-9/+=]{40}/gi],
];
const PRIVATE_KEY_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----/g;

/** Every key-like string in `text`, in order, none inside another. */
export function findSecrets(text: string): FoundSecret[] {
  const found: FoundSecret[] = [];
  // A block runs to its END line; one without an END runs to the end of the text (and no later BEGIN is looked for).
  let blockEnd = 0;
  for (const begin of text.matchAll(PRIVATE_KEY_BEGIN)) {
    if (begin.index < blockEnd) continue;
    const endMarker = text.indexOf('-----END ', begin.index + begin[0].length);
    const close = endMarker < 0 ? -1 : text.indexOf('-----', endMarker + 9);
    blockEnd = close < 0 ? text.length : close + 5;
    found.push({ kind: 'privateKey', start: begin.index, end: blockEnd });
    if (close < 0) break;
  }
  for (const [kind, pattern] of KEY_PATTERNS) {
    for (const match of text.matchAll(pattern)) found.push({ kind, start: match.index, end: match.index + match[0].length });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: FoundSecret[] = [];
  for (const f of found) if (!kept.length || f.start >= kept[kept.length - 1].end) kept.push(f);
  return kept;
}

export function secretKindName(kind: SecretKind): string {
  switch (kind) {
    case 'notion':
      return l10n.t('Notion secret');
    case 'openai':
      return l10n.t('OpenAI-style API key');
    case 'google':
      return l10n.t('Google API key');
    case 'github':
      return l10n.t('GitHub token');
    case 'aws':
      return l10n.t('AWS key');
    case 'privateKey':
      return l10n.t('private key');
  }
}

/** `text` with each key-like string replaced by a marker that names its kind. */
export function redactSecrets(text: string, found = findSecrets(text)): string {
  let out = '';
  let at = 0;
  for (const f of found) {
    out += `${text.slice(at, f.start)}[${l10n.t('redacted {0}', secretKindName(f.kind))}]`;
    at = f.end;
  }
  return out + text.slice(at);
}

/** A key as the question shows it: its first characters and its length, never the whole. */
function masked(text: string, f: FoundSecret): string {
  const key = text.slice(f.start, f.end);
  const line = text.slice(0, f.start).split('\n').length;
  return l10n.t(
    '{0} on line {1}: {2}… ({3} characters)',
    secretKindName(f.kind),
    line,
    key.slice(0, f.kind === 'privateKey' ? 10 : 6),
    key.length,
  );
}

/**
 * The context as it may be sent: the same pieces in the same order, with key-like strings redacted when the
 * user chose so; undefined when the user did not want it sent. Asks only when there is something to ask.
 */
export async function screenContext(ui: Pick<Ui, 'confirm'>, pieces: readonly ContextPiece[]): Promise<string[] | undefined> {
  const secretFiles = [...new Set(pieces.flatMap((p) => p.files.filter(looksLikeSecretFile)))];
  if (secretFiles.length) {
    const send = l10n.t('Send Anyway');
    const choice = await ui.confirm(
      l10n.t('{0} looks like a file of secrets. Send it to the engine?', secretFiles.map((f) => `"${f}"`).join(', ')),
      l10n.t(
        'Files like .env, keys and credentials usually hold passwords and keys. What Visen sends goes to the engine\'s servers with your prompt. Nothing is sent unless you choose "{0}".',
        send,
      ),
      send,
    );
    if (choice !== send) return undefined;
  }
  const found = pieces.map((p) => findSecrets(p.text));
  const count = found.reduce((n, f) => n + f.length, 0);
  if (count === 0) return pieces.map((p) => p.text);
  const redact = l10n.t('Redact and Send');
  const asIs = l10n.t('Send as Is');
  const shown = pieces.flatMap((p, i) => found[i].map((f) => `- ${masked(p.text, f)}`)).slice(0, 8);
  const choice = await ui.confirm(
    count === 1
      ? l10n.t('The context holds a string that looks like a key.')
      : l10n.t('The context holds {0} strings that look like keys.', count),
    `${shown.join('\n')}\n\n${l10n.t('"{0}" sends the context with each of them replaced by a marker; "{1}" sends them to the engine too.', redact, asIs)}`,
    redact,
    asIs,
  );
  if (choice === redact) return pieces.map((p, i) => redactSecrets(p.text, found[i]));
  if (choice === asIs) return pieces.map((p) => p.text);
  return undefined;
}

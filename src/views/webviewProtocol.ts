/**
 * What the protocols of Visen's webview forms share (connectionProtocol.ts, settingsProtocol.ts): the
 * envelope, the schemas both validate with, and the one way an invalid message is turned into an answer.
 * Imported by the hosts and, for types only, by the pages (media/webview), so valibot stays out of their
 * bundles.
 *
 * Handshake: the page posts `ready` whenever its script runs (first load, and every time VS Code recreates
 * it after it was hidden or the window reloaded); the host answers with a full `state`, sent again whenever
 * what it shows changes.
 *
 * Requests: where the page awaits an answer it sends a `requestId`; the host answers with exactly one
 * `reply` carrying that id, `ok: false` with a message (and the field it belongs next to) when the request
 * failed, so the page's promise rejects. A message without a request id that the host cannot take is
 * answered with `rejected`.
 */
import * as v from 'valibot';
import { ENGINE_KINDS } from '../services/engines/registry';
import { LIMITS, tooLongMessage, unreadableRequestMessage, type LimitedField } from './formLimits';

import { WRITE_MODES } from '../services/generation/writeMode';

export type { WriteMode } from '../services/generation/writeMode';

// ---------------------------------------------------------------------------------------------------
// webview → host: the schemas both forms validate with

export const requestIdSchema = v.pipe(v.number(), v.integer(), v.minValue(0));
export const engineSchema = v.picklist(ENGINE_KINDS);
export const writeModeSchema = v.picklist(WRITE_MODES);
/** A model name as typed: empty is allowed where it means "the default". */
export const modelNameSchema = v.pipe(v.string(), v.maxLength(LIMITS.model));
export const readySchema = v.strictObject({ type: v.literal('ready') });

/** `runCommand`, limited to the commands a form may run. */
export function runCommandSchema<C extends string>(commands: readonly C[]) {
  return v.strictObject({ type: v.literal('runCommand'), command: v.picklist(commands) });
}

export interface ReadyMessage {
  readonly type: 'ready';
}

/** The messages of a form that carry a request id and are answered with one `reply`. */
export type RequestOf<M> = Extract<M, { requestId: number }>;

/**
 * What a protocol's parser makes of a message from its page. `problem` names the first thing wrong, for
 * the log (never a value); `error` says it to the user, next to `field` when one of the form's fields
 * explains it.
 */
export type ParsedMessage<M, F extends string = string> =
  { ok: true; message: M } | { ok: false; problem: string; error: string; field?: F };

/** The form field an issue's path points at, and the limit that field has, if any. */
export type FieldOfPath<F extends string> = (path: readonly string[]) => { readonly field: F; readonly limit?: LimitedField } | undefined;

/**
 * Validates one message from a page against its protocol's schema. A string over its field's limit is
 * answered with its length (never its content); anything else as a request the host cannot read.
 */
export function parseMessage<M, F extends string>(
  schema: v.GenericSchema<unknown, M>,
  raw: unknown,
  fieldOf: FieldOfPath<F>,
): ParsedMessage<M, F> {
  const result = v.safeParse(schema, raw);
  if (result.success) return { ok: true, message: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)) ?? [];
  // What was expected, never what was received: the value may be a key or a prompt.
  const problem = `${path.length ? `${path.join('.')}: ` : ''}${issue.expected ? `expected ${issue.expected}` : issue.type}`;
  const at = fieldOf(path);
  if (issue.type === 'max_length' && at?.limit && typeof issue.input === 'string') {
    return { ok: false, problem, field: at.field, error: tooLongMessage(at.limit, issue.input.length) };
  }
  return { ok: false, problem, ...(at ? { field: at.field } : {}), error: unreadableRequestMessage() };
}

// ---------------------------------------------------------------------------------------------------
// host → webview (trusted, typed only)

/** A button that runs a command, e.g. "Set Gemini API Key". */
export interface CommandAction<C extends string = string> {
  readonly command: C;
  readonly label: string;
}

/** The whole state of a form: after `ready` and on every change. */
export interface StateMessage<S> {
  readonly type: 'state';
  readonly state: S;
}

/** The answer to a request, matched by its id. */
export type ReplyMessage =
  | { readonly type: 'reply'; readonly requestId: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly requestId: number; readonly ok: false; readonly error: string; readonly field?: string };

/** A message without a request id that the host could not take (e.g. a prompt over the limit), said next to its field. */
interface RejectedMessage {
  readonly type: 'rejected';
  readonly messageType: string;
  readonly error: string;
  readonly field?: string;
}

/** The host's answer to a message it could not take: a request's error `reply`, or `rejected`. */
export type Refusal = Extract<ReplyMessage, { ok: false }> | RejectedMessage;

/** What every form's host posts besides its own messages. */
export type HostEnvelope<S> = StateMessage<S> | ReplyMessage | RejectedMessage;

import * as vscode from 'vscode';
import { effectiveBaseUrl, OFFICIAL_BASE_URLS } from '../platform/config';
import { ENGINE_SECRET, SECRET_NAMES } from '../platform/secrets';
import type { CheckResult } from '../platform/ui';
import { EngineError, type ModelInfo } from '../services/engines/engine';
import { ModelDefaults } from '../services/engines/modelDefaults';
import { ENGINE_LABELS, ENGINES, KEYED_ENGINE_KINDS, type KeyedEngineKind } from '../services/engines/registry';
import { createNotionClient } from '../services/notion/notionClient';
import { NotionError } from '../services/notion/notionErrors';
import { NotionPages } from '../services/notion/notionPages';
import { rememberTokenKind, type TokenIdentity } from '../services/notion/tokenIdentity';
import { type KeyDeps, MissingKeyError, type WorkflowDeps } from './deps';
import { allowTransport, keyOptional, originOf } from './keyDestination';

export interface CheckedNotionSecret {
  readonly secret: string;
  readonly identity: TokenIdentity;
  /** The origin of the server that accepted it: the only one it will be sent to. */
  readonly origin: string;
}

export interface CheckedEngineKey {
  /** Empty: the server answered without a key (a compatible server that needs none). */
  readonly key: string;
  /** How many text models the key can use. */
  readonly models: number;
  /** The origin of the server that accepted it: the only one it will be sent to. */
  readonly origin: string;
  /** The server's base URL and the models it listed, from which the default model is chosen. */
  readonly baseUrl: string;
  readonly list: readonly ModelInfo[];
}

type CheckDeps = Pick<KeyDeps, 'log' | 'ui' | 'store'>;

/**
 * Asks Notion who the token acts as (users.me): a person for a personal access token, a bot for an internal
 * integration's secret. A failure's message says what to do. The check runs while the person is typing the
 * token (the palette's box, the settings form's field), so a rejected one is told to paste the right one
 * there rather than to run the command they are in.
 */
export async function checkNotionSecret(deps: CheckDeps, secret: string): Promise<CheckResult<CheckedNotionSecret>> {
  const baseUrl = effectiveBaseUrl('notion');
  try {
    await allowTransport(deps, 'notion', baseUrl);
    const client = createNotionClient({ auth: secret, baseUrl, logger: deps.log });
    return { ok: true, value: { secret, identity: await new NotionPages(client).identity(), origin: originOf(baseUrl) } };
  } catch (error) {
    if (error instanceof MissingKeyError) return { ok: false, message: error.message };
    if (error instanceof NotionError && error.problem === 'unauthorized') {
      return { ok: false, message: vscode.l10n.t('Notion rejected the token. Paste a personal access token (notion.so/developers/tokens) or the secret of an internal integration here; a personal access token expires a year after it is made.') };
    }
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Lists the models the key can use with the engine's configured server: the cheapest call that proves the key. */
export async function checkEngineKey(deps: CheckDeps & Pick<KeyDeps, 'engines'>, kind: KeyedEngineKind, key: string, signal?: AbortSignal): Promise<CheckResult<CheckedEngineKey>> {
  const baseUrl = effectiveBaseUrl(kind);
  try {
    await allowTransport(deps, kind, baseUrl);
    const module = await deps.engines.get(kind);
    const engine = module.createEngine({ apiKey: key, baseUrl });
    const models = await engine.listModels(signal);
    return { ok: true, value: { key, models: models.length, origin: originOf(baseUrl), baseUrl, list: models } };
  } catch (error) {
    if (error instanceof MissingKeyError) return { ok: false, message: error.message };
    if (error instanceof EngineError && error.kind === 'auth') {
      return { ok: false, message: ENGINES[kind].key.rejected() };
    }
    return { ok: false, message: error instanceof EngineError ? error.message : String(error) };
  }
}

/**
 * Stores a token Notion accepted, and remembers its kind (not the token) so messages can follow it; returns
 * what to tell the user: who Visen acts as. A person's object carries no workspace (users/me), so only a
 * bot's is named.
 */
export async function storeNotionSecret(deps: Pick<KeyDeps, 'log' | 'secrets' | 'store'>, checked: CheckedNotionSecret): Promise<string> {
  deps.log.mask(checked.secret);
  await deps.secrets.store('visen.notion.secret', checked.secret, checked.origin);
  await rememberTokenKind(deps.store, checked.identity.kind);
  const { identity } = checked;
  const message =
    identity.kind === 'person'
      ? vscode.l10n.t('Connected as {0} (personal access token). Visen sees the pages your Notion account can open in the token\'s workspace.', identity.name)
      : identity.workspaceName
        ? vscode.l10n.t('Connected as the integration {0} in {1}. Visen sees the pages shared with it.', identity.name, identity.workspaceName)
        : vscode.l10n.t('Connected as the integration {0}. Visen sees the pages shared with it.', identity.name);
  deps.log.info(message);
  return message;
}

/**
 * Stores a key its engine accepted and keeps the default model its rule chooses from the models the key
 * can use; returns what to tell the user. An empty key (a server that answered without one) removes the
 * stored key: requests to that server go without a key.
 */
export async function storeEngineKey(deps: Pick<KeyDeps, 'log' | 'secrets' | 'store'>, kind: KeyedEngineKind, checked: CheckedEngineKey): Promise<string> {
  deps.log.mask(checked.key);
  const official = originOf(checked.baseUrl) === originOf(OFFICIAL_BASE_URLS[kind]);
  const model = await new ModelDefaults(deps.store).remember(kind, checked.baseUrl, checked.list, official);
  if (model) deps.log.info(`Default ${ENGINE_LABELS[kind]} model for ${checked.origin}: ${model}.`);
  let message: string;
  if (checked.key) {
    await deps.secrets.store(ENGINE_SECRET[kind], checked.key, checked.origin);
    message = vscode.l10n.t('{0} key saved: it can use {1} text models.', ENGINE_LABELS[kind], checked.models);
  } else {
    // No key, bound to the server that answered without one: requests to it go without a key.
    await deps.secrets.delete(ENGINE_SECRET[kind]);
    await deps.secrets.setOrigin(ENGINE_SECRET[kind], checked.origin);
    message = vscode.l10n.t('The server at {0} answers without a key ({1} text models): Visen sends none.', checked.origin, checked.models);
  }
  deps.log.info(message);
  return message;
}

const notEmpty = (value: string) => (value.trim() ? undefined : vscode.l10n.t('Paste the value, or press Escape to cancel.'));

/**
 * The set-secret input box: checks the secret with Notion, stores it and says so. `reason` replaces the
 * prompt when Visen asks on its own (the base URL changed since the secret was stored).
 */
export async function askNotionSecret(deps: KeyDeps, reason?: string): Promise<string | undefined> {
  const result = await deps.ui.inputChecked({
    title: vscode.l10n.t('Visen: Notion Token'),
    prompt: reason ?? vscode.l10n.t('Paste a personal access token (notion.so/developers/tokens: it acts as you and sees your pages) or the secret of an internal integration (sees only the pages shared with it).'),
    placeholder: 'ntn_…',
    password: true,
    checkingMessage: vscode.l10n.t('Checking the token with Notion…'),
    validate: notEmpty,
    check: (secret) => checkNotionSecret(deps, secret),
  });
  if (!result) return undefined;
  void deps.ui.info(await storeNotionSecret(deps, result));
  return result.secret;
}

/**
 * The set-key input box of an engine; `reason` as for `askNotionSecret`. Where the key is optional (a
 * compatible server set in the base URL setting), an empty box is checked too: the server's answer
 * without a key decides. Resolves to the key, '' for none, undefined when the box was left.
 */
export async function askEngineKey(deps: KeyDeps, kind: KeyedEngineKind, reason?: string): Promise<string | undefined> {
  const label = ENGINE_LABELS[kind];
  const optional = keyOptional(kind);
  const prompt = reason ?? ENGINES[kind].key.prompt();
  const result = await deps.ui.inputChecked({
    title: vscode.l10n.t('Visen: {0} API Key', label),
    prompt: optional && !reason ? `${prompt} ${vscode.l10n.t('Leave it empty if the server at {0} needs no key.', effectiveBaseUrl(kind))}` : prompt,
    placeholder: ENGINES[kind].key.placeholder,
    password: true,
    checkingMessage: vscode.l10n.t('Checking the key with {0}…', label),
    validate: optional ? undefined : notEmpty,
    check: (key, signal) => checkEngineKey(deps, kind, key, signal),
  });
  if (!result) return undefined;
  void deps.ui.info(await storeEngineKey(deps, kind, result));
  return result.key;
}

/** Asks first, then removes every stored key; resolves to whether they were cleared. */
export async function clearKeys(deps: WorkflowDeps): Promise<boolean> {
  const clear = vscode.l10n.t('Clear Keys');
  const choice = await deps.ui.confirm(
    vscode.l10n.t('Clear the Notion token and the {0} keys stored by Visen?', new Intl.ListFormat(vscode.env.language, { type: 'conjunction' }).format(KEYED_ENGINE_KINDS.map((kind) => ENGINES[kind].key.name))),
    vscode.l10n.t('They are removed from VS Code\'s secret storage on this machine. Your connections and history stay.'),
    clear,
  );
  if (choice !== clear) return false;
  await Promise.all(SECRET_NAMES.map((name) => deps.secrets.delete(name)));
  await rememberTokenKind(deps.store, undefined);
  deps.log.info('Stored keys cleared.');
  void deps.ui.info(vscode.l10n.t('Visen\'s stored keys are cleared.'));
  return true;
}

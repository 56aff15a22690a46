import * as vscode from 'vscode';
import { Commands } from '../constants';
import { BASE_URL_SETTINGS, effectiveBaseUrl, OFFICIAL_BASE_URLS, userBaseUrl, type Service } from '../platform/config';
import { ENGINE_SECRET, secretOf } from '../platform/secrets';
import { originOf } from '../services/engines/modelDefaults';
import { ENGINE_LABELS, ENGINES, setKeyAction, type EngineKey, type KeyedEngineKind } from '../services/engines/registry';
import type { KeyDeps } from './deps';
import { MissingKeyError } from './deps';
import { askEngineKey, askNotionSecret } from './keys';

/** globalState: the plain-http base URLs to other machines the user agreed to send a key to. */
export const INSECURE_URLS_STATE = 'visen.insecureBaseUrls';

/** What has a key and a base URL: Notion, and the engines of the registry that need both. */
type KeyService = 'notion' | (KeyedEngineKind & Service);

/**
 * Whether requests of an engine may go without a key: its key is optional (the registry says so) and the
 * user's base URL setting points at another server than the official one, such as Ollama or LM Studio.
 */
export function keyOptional(kind: KeyedEngineKind): boolean {
  const key: EngineKey = ENGINES[kind].key;
  if (!key.optional || !(kind in BASE_URL_SETTINGS)) return false;
  const service = kind as KeyedEngineKind & Service;
  const configured = userBaseUrl(service);
  return configured !== '' && originOf(configured) !== originOf(OFFICIAL_BASE_URLS[service]);
}

/**
 * Whether requests go without a key: none is stored, the key is optional where the engine points, and that
 * server answered without one when the user left the key empty (the secret's origin is bound to it).
 */
export function goesWithoutKey(deps: Pick<KeyDeps, 'secrets'>, kind: KeyedEngineKind): boolean {
  return keyOptional(kind) && deps.secrets.origin(ENGINE_SECRET[kind]) === originOf(effectiveBaseUrl(kind));
}

/** Whether an engine can generate as far as keys go: its key is stored, or the server it points at needs none. */
export async function engineKeyReady(deps: Pick<KeyDeps, 'secrets'>, kind: KeyedEngineKind): Promise<boolean> {
  return !!(await deps.secrets.get(ENGINE_SECRET[kind])) || goesWithoutKey(deps, kind);
}

export const serviceLabel = (service: Service): string => (service === 'notion' ? 'Notion' : ENGINE_LABELS[service]);

/**
 * The stored key of a service and the base URL it may go to, or a refusal. A key goes only where the user
 * sent it: to the origin it was checked against when it was stored (a base URL changed since asks for the
 * key again), and over plain http to another machine only once the user agreed for that URL.
 */
export async function keyFor(deps: KeyDeps, service: KeyService): Promise<{ key: string; baseUrl: string } | undefined> {
  const name = secretOf(service);
  const key = await deps.secrets.get(name);
  // No key, for a server that answered without one: the request goes without a key.
  if (!key) return service !== 'notion' && goesWithoutKey(deps, service) ? { key: '', baseUrl: effectiveBaseUrl(service) } : undefined;
  const baseUrl = effectiveBaseUrl(service);
  await allowTransport(deps, service, baseUrl);
  const origin = originOf(baseUrl);
  const bound = deps.secrets.origin(name);
  if (bound === undefined) {
    // Stored before Visen kept origins: it was used with this server, so it stays bound to it.
    await deps.secrets.setOrigin(name, origin);
    return { key, baseUrl };
  }
  if (bound === origin) return { key, baseUrl };
  deps.log.warn(`The ${serviceLabel(service)} base URL now points at ${origin}, not ${bound} where the stored key was checked: asking for the key again.`);
  const fresh = await askAgain(deps, service, baseUrl);
  // '' is an answer too: the server at the new address needs no key.
  if (fresh === undefined) {
    throw new MissingKeyError(
      vscode.l10n.t('The key was not sent: the {0} base URL changed to {1}, and the stored key was checked with {2}. Enter the key to use with the new address, or change the setting back.', serviceLabel(service), baseUrl, bound),
      setKeyCommand(service),
      setKeyLabel(service),
    );
  }
  return { key: fresh, baseUrl };
}

export { originOf };

/** This machine: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Plain http to another machine carries the key readable by anyone on the way: allowed only once the user
 * agrees, remembered per URL. Refused otherwise, with the way to change the setting.
 */
export async function allowTransport(deps: Pick<KeyDeps, 'ui' | 'store' | 'log'>, service: Service, baseUrl: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new MissingKeyError(
      vscode.l10n.t('The {0} base URL "{1}" is not a valid address. Correct it in the setting {2}.', serviceLabel(service), baseUrl, BASE_URL_SETTINGS[service]),
      'workbench.action.openSettings',
      vscode.l10n.t('Open Setting'),
      [BASE_URL_SETTINGS[service]],
    );
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url))) return;
  const normalized = url.href;
  const allowed = deps.store.get<string[]>(INSECURE_URLS_STATE) ?? [];
  if (url.protocol === 'http:' && allowed.includes(normalized)) return;
  if (url.protocol === 'http:') {
    const send = vscode.l10n.t('Send Anyway');
    const choice = await deps.ui.confirm(
      vscode.l10n.t('The key for {0} travels unencrypted to {1}. Send it anyway?', serviceLabel(service), normalized),
      vscode.l10n.t('This address uses http://, not https://, and is not this machine: anyone on the network between can read the key. Visen remembers your answer for this address.'),
      send,
    );
    if (choice === send) {
      await deps.store.update(INSECURE_URLS_STATE, [...allowed, normalized]);
      deps.log.info(`The user agreed to send the ${serviceLabel(service)} key over http to ${url.origin}.`);
      return;
    }
  }
  throw new MissingKeyError(
    url.protocol === 'http:'
      ? vscode.l10n.t('Not sent: the {0} key would travel unencrypted to {1}. Use an https:// address in the setting {2}, or agree to send it.', serviceLabel(service), normalized, BASE_URL_SETTINGS[service])
      : vscode.l10n.t('Not sent: the {0} base URL must start with https:// (or http:// for this machine). Correct the setting {1}.', serviceLabel(service), BASE_URL_SETTINGS[service]),
    'workbench.action.openSettings',
    vscode.l10n.t('Open Setting'),
    [BASE_URL_SETTINGS[service]],
  );
}

async function askAgain(deps: KeyDeps, service: KeyService, baseUrl: string): Promise<string | undefined> {
  const reason = vscode.l10n.t('The {0} base URL changed to {1}; enter the key to use with it.', serviceLabel(service), baseUrl);
  return service === 'notion' ? askNotionSecret(deps, reason) : askEngineKey(deps, service, reason);
}

function setKeyCommand(service: KeyService): string {
  return service === 'notion' ? Commands.setNotionSecret : setKeyAction(service).command;
}

function setKeyLabel(service: KeyService): string {
  return service === 'notion' ? vscode.l10n.t('Set Notion Token') : setKeyAction(service).label;
}

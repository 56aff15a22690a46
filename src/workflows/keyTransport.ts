import * as vscode from 'vscode';
import { BASE_URL_SETTINGS, type Service } from '../platform/config';
import { ENGINE_LABELS } from '../services/engines/registry';
import type { WorkflowDeps } from './deps';
import { MissingKeyError } from './missingKey';

// Where a key may travel: https, or plain http to this machine; plain http to another machine only once the
// user agreed for that address.

/** globalState: the plain-http base URLs to other machines the user agreed to send a key to. */
const INSECURE_URLS_STATE = 'visen.insecureBaseUrls';

export const serviceLabel = (service: Service): string => (service === 'notion' ? 'Notion' : ENGINE_LABELS[service]);

/** This machine: localhost, 127.0.0.0/8, ::1. */
function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Plain http to another machine carries the key readable by anyone on the way: allowed only once the user
 * agrees, remembered per URL. Refused otherwise, with the way to change the setting.
 */
export async function allowTransport(deps: Pick<WorkflowDeps, 'ui' | 'store' | 'log'>, service: Service, baseUrl: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new MissingKeyError(
      vscode.l10n.t(
        'The {0} base URL "{1}" is not a valid address. Correct it in the setting {2}.',
        serviceLabel(service),
        baseUrl,
        BASE_URL_SETTINGS[service],
      ),
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
      vscode.l10n.t(
        'This address uses http://, not https://, and is not this machine: anyone on the network between can read the key. Visen remembers your answer for this address.',
      ),
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
      ? vscode.l10n.t(
          'Not sent: the {0} key would travel unencrypted to {1}. Use an https:// address in the setting {2}, or agree to send it.',
          serviceLabel(service),
          normalized,
          BASE_URL_SETTINGS[service],
        )
      : vscode.l10n.t(
          'Not sent: the {0} base URL must start with https:// (or http:// for this machine). Correct the setting {1}.',
          serviceLabel(service),
          BASE_URL_SETTINGS[service],
        ),
    'workbench.action.openSettings',
    vscode.l10n.t('Open Setting'),
    [BASE_URL_SETTINGS[service]],
  );
}

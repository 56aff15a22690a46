import type * as Sdk from '@notionhq/client';

export type NotionSdk = typeof Sdk;

/** Built at run time, so the bundler leaves this require alone: the SDK is a bundle of its own. */
const MODULE = ['@notionhq', 'client'].join('/');

const installed = () => require(MODULE) as NotionSdk;
let loader: () => NotionSdk = installed;
let loaded: NotionSdk | undefined;

/**
 * Where the Notion SDK comes from: the extension hands its own bundle (dist/notion.js), loaded on the first
 * request, so starting Visen never parses the SDK; tests and tools use the installed package. Bound once for
 * every bundle: this module is one of those they share (dist/shared.js). Without `load`, the installed package again.
 */
export function useNotionSdk(load: () => NotionSdk = installed): void {
  loader = load;
  loaded = undefined;
}

/** The Notion SDK, loaded on first use. */
export function notionSdk(): NotionSdk {
  loaded ??= loader();
  return loaded;
}

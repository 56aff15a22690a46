import type { Client } from '@notionhq/client';
import * as l10n from '@vscode/l10n';
import type { KeyValueStore } from '../keyValueStore';

/**
 * What a Notion token acts as. An internal integration's secret acts as its bot, which sees only the pages
 * shared with it (••• → Connections); a personal access token acts as the person who made it, sees every
 * page that person can open, belongs to one workspace and expires a year after it is made
 * (developers.notion.com, "Personal access tokens").
 */
export type TokenKind = 'person' | 'bot';

export interface TokenIdentity {
  /** The user id Notion records as `created_by`/`last_edited_by` of what Visen writes. */
  readonly id: string;
  readonly kind: TokenKind;
  readonly name: string;
  /**
   * A bot's workspace (`bot.workspace_name`). Retrieve your token's bot user returns a person for a PAT
   * ("the user who created the token"), and a person object carries no workspace: undefined then.
   */
  readonly workspaceName?: string;
}

/** Where the kind of the stored token is kept (global state; the token itself lives only in SecretStorage). */
const KIND_KEY = 'visen.notion.tokenKind';

/** The kind of a client's token, once known: given when the client is made, or learned by `whoAmI`. */
interface TokenSlot {
  kind?: TokenKind;
  identity?: Promise<TokenIdentity>;
}

/**
 * One map for every bundle (this module is one of those they share, dist/shared.js): a client made by the
 * extension's code keeps its slot when the run machinery's, the forms' or the agent's code asks.
 */
const slots = new WeakMap<Client, TokenSlot>();

/** The slot of a client (createNotionClient registers one; a client made elsewhere gets one on first use). */
function tokenSlot(client: Client): TokenSlot {
  let slot = slots.get(client);
  if (!slot) slots.set(client, (slot = {}));
  return slot;
}

/** Registers the slot a client's requests read their token kind from. */
export function registerTokenSlot(client: Client, slot: TokenSlot): void {
  slots.set(client, slot);
}

/**
 * Who the client's token acts as (users/me), asked once per client: a failed answer is not kept, so the
 * next call asks again. Learning it also tells the client's later errors which kind of token they are about.
 */
export function whoAmI(client: Client): Promise<TokenIdentity> {
  const slot = tokenSlot(client);
  slot.identity ??= client.users.me({}).then(
    (me) => {
      const identity: TokenIdentity =
        me.type === 'bot'
          ? { id: me.id, kind: 'bot', name: me.name ?? l10n.t('your integration'), workspaceName: me.bot.workspace_name ?? undefined }
          : // From 2026-12-01 a person's name may be null (Upgrade guide 2026-12-01, "Person names").
            { id: me.id, kind: 'person', name: me.name ?? me.person.email ?? l10n.t('your Notion account') };
      slot.kind = identity.kind;
      return identity;
    },
    (error: unknown) => {
      slot.identity = undefined;
      throw error;
    },
  );
  return slot.identity;
}

/** The kind of the stored token, as its check found it; undefined for a token stored before Visen kept it. */
export function rememberedTokenKind(store: KeyValueStore): TokenKind | undefined {
  const kind = store.get<string>(KIND_KEY);
  return kind === 'person' || kind === 'bot' ? kind : undefined;
}

export async function rememberTokenKind(store: KeyValueStore, kind: TokenKind | undefined): Promise<void> {
  await store.update(KIND_KEY, kind);
}

/** The response header through which a client's requests tell `toNotionError` the kind of their token. */
export const TOKEN_KIND_HEADER = 'x-visen-token-kind';

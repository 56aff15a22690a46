import * as vscode from 'vscode';
import {
  checkConnectionsDatabase,
  type ConnectionsDatabase,
  linkConnectionsDatabase,
  offerMissingProperties,
  openConnectionsDatabase,
} from '../workflows/connectionsDatabase';
import type { WorkflowDeps } from '../workflows/deps';
import {
  checkEngineKey,
  checkNotionSecret,
  clearKeys,
  engineFor,
  engineKeyReady,
  storeEngineKey,
  storeNotionSecret,
} from '../workflows/keys';
import {
  configuredEngine,
  configuredModel,
  configuredPromptBudget,
  configuredWriteMode,
  defaultModel,
  setting,
  textSetting,
  updateConnectionsDatabase,
  updateSetting,
  userBaseUrl,
} from '../platform/config';
import { secretOf } from '../platform/secrets';
import {
  ENGINE_KINDS,
  ENGINE_LABELS,
  ENGINES,
  needsKey,
  SERVER_ENGINE_KINDS,
  type EngineDescriptor,
  type EngineKind,
  type ServerEngineKind,
} from '../services/engines/registry';
import {
  BASE_URL_FIELDS,
  baseUrlField,
  BaseUrlField,
  EngineChoice,
  FieldName,
  KEY_NAMES,
  KeyChanges,
  KeyName,
  KeyView,
  ModelChanges,
  ModelField,
  ModelList,
  SaveResult,
  SettingName,
  SettingsChanges,
  SettingsCommand,
  SettingsHostMessage,
  SettingsReplyResults,
  SettingsState,
  SettingsValues,
  SettingsWebviewMessage,
  SettingsWebviewRequest,
  parseSettingsMessage,
} from './settingsProtocol';
import { errorMessage, FormAction, FormController } from './formController';
import { ranked } from '../workflows/models';

const MAX_PROMPT_BUDGET = 1_000_000;

/** The engine whose base URL a field is. */
const SERVER_OF = Object.fromEntries(SERVER_ENGINE_KINDS.map((kind) => [baseUrlField(kind), kind])) as Record<
  BaseUrlField,
  ServerEngineKind
>;
const isBaseUrlField = (name: string): name is BaseUrlField => (BASE_URL_FIELDS as readonly string[]).includes(name);

/** Where each field of the form lives in `contributes.configuration`. */
function settingOf(name: SettingName): string {
  if (isBaseUrlField(name)) return ENGINES[SERVER_OF[name]].settings.baseUrl;
  return name === 'notionApiBaseUrl' ? 'visen.notion.apiBaseUrl' : `visen.${name}`;
}

const keyLabel = (name: KeyName): string =>
  name === 'notion' ? vscode.l10n.t('Notion token') : vscode.l10n.t('{0} API key', ENGINES[name].key.name);

/**
 * Everything the settings form does, without the panel: it takes the webview's messages through `handle`
 * (validating each) and answers through `post`. Extension-host tests drive it directly.
 *
 * Keys reach it only inside `save`; it checks each with its service exactly as the set-key commands do,
 * stores the ones accepted, and never posts a key back: its state carries whether each one is set.
 */
export class SettingsFormController extends FormController<SettingsWebviewMessage, SettingsHostMessage, SettingsState> {
  /** Refreshes when a key or a `visen.*` setting changes (the shared FormController's subscriptions). */
  constructor(deps: WorkflowDeps, post: (message: SettingsHostMessage) => unknown) {
    super(deps, post, { name: 'Settings form', parse: parseSettingsMessage });
  }

  // -------------------------------------------------------------------------------------------------

  protected async act(message: FormAction<SettingsWebviewMessage>): Promise<void> {
    switch (message.type) {
      case 'removeKey':
        await this.deps.secrets.delete(secretOf(message.key));
        this.deps.log.info(`Settings form: the ${keyLabel(message.key)} was removed.`);
        return;
      case 'clearKeys':
        await clearKeys(this.deps);
        return;
      case 'runCommand':
        await this.runCommand(message.command);
        return;
    }
  }

  protected async answer(request: SettingsWebviewRequest): Promise<void> {
    const reply = <K extends keyof SettingsReplyResults>(result: SettingsReplyResults[K]) =>
      this.post({ type: 'reply', requestId: request.requestId, ok: true, result });
    // Whatever went wrong, the message may quote what it was given: never a key.
    const typedKeys = request.type === 'save' ? Object.values(request.keys).filter((k): k is string => !!k) : [];
    try {
      switch (request.type) {
        case 'save':
          reply<'save'>(await this.save(request.settings, request.models ?? {}, request.keys));
          await this.refresh();
          return;
        case 'listModels':
          reply<'listModels'>(await this.listModels(request.engine));
          return;
      }
    } catch (error) {
      this.deps.log.error(`Settings form: ${request.type} failed: ${errorMessage(error)}`);
      this.post({
        type: 'reply',
        requestId: request.requestId,
        ok: false,
        error: redact(errorMessage(error), [...typedKeys, ...(await this.storedKeys())]),
      });
    }
  }

  private async runCommand(command: SettingsCommand): Promise<void> {
    await vscode.commands.executeCommand(command);
    await this.refresh();
  }

  // ---- save ---------------------------------------------------------------------------------------

  /**
   * Settings first (a wrong value in any of them stops the whole Save, before anything is written), then
   * each new key checked with its service against the settings just written, then the connections
   * database checked with the Notion secret now stored. A key or a database that fails its check is not
   * stored; the rest is.
   */
  private async save(changes: SettingsChanges, models: ModelChanges, keys: KeyChanges): Promise<SaveResult> {
    const errors: Partial<Record<FieldName, string>> = {};
    const saved: FieldName[] = [];
    const current = this.values();

    const settings: Array<[SettingName, unknown]> = [];
    for (const [name, value] of Object.entries(changes) as Array<[SettingName, unknown]>) {
      if (value === undefined || name === 'connectionsDatabase') continue;
      const problem = this.invalid(name, value);
      if (problem) errors[name] = problem;
      else if (normalize(name, value) !== current[name]) settings.push([name, normalize(name, value)]);
    }
    // Each engine's model, in the setting the registry names for it.
    const modelSettings: Array<[EngineKind, string]> = [];
    for (const [kind, value] of Object.entries(models) as Array<[EngineKind, string | undefined]>) {
      if (value === undefined) continue;
      const problem = invalidModel(value);
      // An emptied field removes the setting, so the default rule (resolved when the key was checked) applies again.
      const model = value.trim();
      if (problem) errors[modelField(kind)] = problem;
      else if (model !== configuredModel(kind)) modelSettings.push([kind, model]);
    }
    if (Object.keys(errors).length > 0) {
      return { errors, saved, message: vscode.l10n.t('Nothing was saved: correct the fields marked below.') };
    }

    for (const [name, value] of settings) {
      await updateSetting(settingOf(name), value);
      saved.push(name);
    }
    for (const [kind, model] of modelSettings) {
      await updateSetting(ENGINES[kind].settings.model, model || undefined);
      saved.push(modelField(kind));
    }
    const written = [...settings.map(([n]) => settingOf(n)), ...modelSettings.map(([kind]) => ENGINES[kind].settings.model)];
    if (written.length > 0) this.deps.log.info(`Settings form: saved ${written.join(', ')}.`);

    // Keys, each checked the way its Set … command checks it; they are independent, so in parallel.
    const typed = KEY_NAMES.flatMap((name) => (keys[name] ? [[name, keys[name]!] as const] : []));
    typed.forEach(([, value]) => this.deps.log.mask(value));
    const results = await Promise.all(typed.map(async ([name, value]) => [name, await this.storeKey(name, value)] as const));
    for (const [name, problem] of results) {
      if (problem)
        errors[name] = redact(
          problem,
          typed.map(([, value]) => value),
        );
      else saved.push(name);
    }

    if (changes.connectionsDatabase !== undefined && changes.connectionsDatabase.trim() !== current.connectionsDatabase) {
      const problem = await this.linkDatabase(changes.connectionsDatabase.trim());
      if (problem) errors.connectionsDatabase = problem;
      else saved.push('connectionsDatabase');
    }

    const failed = Object.keys(errors).length;
    const message =
      failed === 0
        ? saved.length > 0
          ? vscode.l10n.t('Saved.')
          : vscode.l10n.t('Nothing to save: no field was changed.')
        : saved.length > 0
          ? vscode.l10n.t('Saved, except the fields marked below.')
          : vscode.l10n.t('Nothing was saved: correct the fields marked below.');
    return { errors, saved, message };
  }

  /** Checks a key with its service and stores it when accepted; returns the problem otherwise. */
  private async storeKey(name: KeyName, value: string): Promise<string | undefined> {
    if (name === 'notion') {
      const result = await checkNotionSecret(this.deps, value);
      if (!result.ok) return result.message;
      await storeNotionSecret(this.deps, result.value);
      return undefined;
    }
    const result = await checkEngineKey(this.deps, name, value);
    if (!result.ok) return result.message;
    await storeEngineKey(this.deps, name, result.value);
    return undefined;
  }

  /** Links the connections database the way "Set Connections Database" does; returns the problem otherwise. */
  private async linkDatabase(url: string): Promise<string | undefined> {
    if (!url) {
      await updateConnectionsDatabase('');
      this.deps.sync.invalidate();
      return undefined;
    }
    let database: ConnectionsDatabase;
    try {
      database = await openConnectionsDatabase(this.deps);
    } catch (error) {
      return errorMessage(error);
    }
    const result = await this.deps.ui.progress(vscode.l10n.t('Visen: checking the database…'), () =>
      checkConnectionsDatabase(database, url),
    );
    if (!result.ok) return result.message;
    try {
      const info = await offerMissingProperties(this.deps, database, result.value);
      const message = await linkConnectionsDatabase(this.deps, info);
      // Not awaited: a notification stays until it is dismissed, and Save should not wait for that.
      const open = vscode.l10n.t('Open in Notion');
      void Promise.resolve(this.deps.ui.info(message, open)).then((choice) =>
        choice === open ? this.deps.ui.openExternal(info.url) : undefined,
      );
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }

  /** What is wrong with a setting's value, in words for the field; undefined when it is fine. */
  private invalid(name: SettingName, value: unknown): string | undefined {
    // Every base URL, Notion's and each engine's, is checked alike.
    if (name === 'notionApiBaseUrl' || isBaseUrlField(name)) {
      const text = String(value).trim();
      if (!text) return undefined;
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return vscode.l10n.t('Enter a full URL starting with https:// or http://, or leave it empty for the official endpoint.');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return vscode.l10n.t('Only http:// and https:// addresses work here.');
      return undefined;
    }
    if (name === 'promptBudget' && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_PROMPT_BUDGET)) {
      return vscode.l10n.t('Enter a whole number from 0 (no limit) to {0}.', MAX_PROMPT_BUDGET);
    }
    return undefined;
  }

  // ---- models -------------------------------------------------------------------------------------

  /** The models the stored key of `kind` can use, with the saved base URL: never a key or URL from the webview. */
  private async listModels(kind: EngineKind): Promise<ModelList> {
    if (needsKey(kind) && !(await engineKeyReady(this.deps, kind))) {
      throw new Error(vscode.l10n.t('Save your {0} API key first: Visen lists the models that key can use.', ENGINES[kind].key.name));
    }
    const engine = await engineFor(this.deps, kind);
    const models = await this.deps.ui.progress(vscode.l10n.t('Visen: listing {0} models…', ENGINE_LABELS[kind]), (_p, signal) =>
      engine.listModels(signal),
    );
    return { engine: kind, models: ranked(kind, models).map((m) => ({ id: m.id, label: m.displayName })) };
  }

  // ---- state --------------------------------------------------------------------------------------

  /** Everything the form shows. Of the keys, only whether each is set: never a value. */
  protected async state(): Promise<SettingsState> {
    const flags = await Promise.all(KEY_NAMES.map(async (name) => !!(await this.deps.secrets.get(secretOf(name)))));
    const keys: KeyView[] = KEY_NAMES.map((name, i) => ({ name, label: keyLabel(name), set: flags[i] }));
    return { values: this.values(), keys, engines: ENGINE_KINDS.map(engineChoice) };
  }

  /** The settings as settings.json has them (base URLs without the tests' environment overrides). */
  private values(): SettingsValues {
    return {
      connectionsDatabase: textSetting('visen.connectionsDatabase'),
      engine: configuredEngine(),
      // User settings only (they are application-scoped): what a workspace says is never shown or used.
      ...(Object.fromEntries(SERVER_ENGINE_KINDS.map((kind) => [baseUrlField(kind), userBaseUrl(kind)])) as Record<BaseUrlField, string>),
      notionApiBaseUrl: userBaseUrl('notion'),
      writeMode: configuredWriteMode(),
      instructions: setting<string>('visen.instructions') ?? '',
      promptBudget: configuredPromptBudget(),
    };
  }

  private async storedKeys(): Promise<string[]> {
    const values = await Promise.all(KEY_NAMES.map((name) => this.deps.secrets.get(secretOf(name))));
    return values.filter((v): v is string => !!v);
  }
}

/** An engine of the registry as the form shows it: its model row, its key field and its base URL field. */
function engineChoice(kind: EngineKind): EngineChoice {
  const engine: EngineDescriptor = ENGINES[kind];
  const { key, settings } = engine;
  const endpoint: EngineChoice['endpoint'] =
    settings.baseUrl === undefined
      ? undefined
      : {
          field: baseUrlField(kind as ServerEngineKind),
          label: vscode.l10n.t('{0} base URL', key?.name ?? engine.label),
          hint: settings.baseUrlHint?.() ?? '',
          placeholder: settings.officialBaseUrl ?? '',
        };
  return {
    kind,
    label: ENGINE_LABELS[kind],
    setting: settings.model,
    model: currentModel(kind),
    defaultModel: defaultModel(kind),
    suggestedModels: [...engine.suggestedModels],
    ...(key && needsKey(kind)
      ? {
          keyName: key.name,
          keyField: { title: keyLabel(kind), hint: key.prompt(), removeLabel: vscode.l10n.t('Remove the {0} API key', key.name) },
        }
      : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

/** A setting's value as it is compared and written: text trimmed (instructions as typed). */
function normalize(name: SettingName, value: unknown): unknown {
  if (typeof value !== 'string' || name === 'instructions') return value;
  return value.trim();
}

/** The model an engine uses: its setting, or its default when that is empty. */
function currentModel(kind: EngineKind): string {
  return configuredModel(kind) || defaultModel(kind);
}

/** The form field of an engine's model. */
function modelField(kind: EngineKind): ModelField {
  return `model-${kind}`;
}

/** What is wrong with a model name, in words for its field; undefined when it is fine. */
function invalidModel(value: string): string | undefined {
  const text = value.trim();
  if (text.length > 200) return vscode.l10n.t('A model name is at most 200 characters.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return vscode.l10n.t('A model name is one line of text.');
  return undefined;
}

/** Replaces every occurrence of the given secrets, so a message that quotes one cannot carry it to the webview. */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('•••');
  return out;
}

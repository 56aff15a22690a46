import * as vscode from 'vscode';
import { updateModel } from '../platform/config';
import { EngineError, type ModelInfo } from '../services/engines/engine';
import { catalogEntry, rankModels, shutdownOf } from '../services/engines/modelCatalog';
import { catalogProvider, ENGINE_LABELS, needsKey, setKeyAction, type EngineKind } from '../services/engines/registry';
import { MissingKeyError } from './deps';
import { engineFor, type KeyDeps } from './keys';

/**
 * Select Model's list: the models the key can use, ranked by the model catalog (recommended first, models
 * past their shutdown date left out, those announced for shutdown last and marked), then the one picked is
 * saved as the engine's model. `reason` is said in the list's title when Visen asks on its own (no model was
 * chosen and the live list has nothing recommended). Resolves to the model, undefined when dismissed.
 */
export async function pickModel(deps: KeyDeps, kind: EngineKind, current: string, reason?: string): Promise<string | undefined> {
  const engine = await engineFor(deps, kind);
  const listed = await deps.ui
    .progress(vscode.l10n.t('Visen: listing {0} models…', ENGINE_LABELS[kind]), (_p, signal) => engine.listModels(signal))
    .then(undefined, (error: unknown) => {
      // A rejected key (or a server that wants one where none was sent) is fixed by setting the key.
      if (error instanceof EngineError && error.kind === 'auth' && needsKey(kind))
        throw new MissingKeyError(error.message, setKeyAction(kind).command, setKeyAction(kind).label);
      throw error;
    });
  const provider = catalogProvider(kind);
  const models = ranked(kind, listed);
  if (models.length === 0) {
    void deps.ui.warn(vscode.l10n.t('Your {0} key cannot use any text model.', ENGINE_LABELS[kind]));
    return undefined;
  }
  const describe = ({ id, displayName, shutdown: listed }: ModelInfo): string | undefined => {
    const shutdown = provider ? shutdownOf(provider, { id, shutdown: listed }) : listed;
    const words = [
      id === current ? vscode.l10n.t('current') : undefined,
      provider && catalogEntry(provider, id)?.recommended ? vscode.l10n.t('recommended') : undefined,
      shutdown ? vscode.l10n.t('shuts down {0}', shutdown) : undefined,
    ].filter(Boolean);
    return words.length ? words.join(' · ') : displayName;
  };
  const picked = await deps.ui.pick(
    models.map((m) => ({ label: m.id, description: describe(m) })),
    {
      title: reason ?? vscode.l10n.t('Visen: {0} model', ENGINE_LABELS[kind]),
      placeHolder: vscode.l10n.t('Models your key can use, recommended first'),
    },
  );
  if (!picked) return undefined;
  await updateModel(kind, picked.label);
  void deps.ui.info(vscode.l10n.t('Visen now generates with {0}.', picked.label));
  return picked.label;
}

/** A live list as Visen offers it: ranked by the model catalog for an engine it covers, none past its shutdown date. */
export function ranked<M extends ModelInfo>(kind: EngineKind, models: readonly M[]): M[] {
  const provider = catalogProvider(kind);
  return provider ? rankModels(provider, models) : [...models];
}

/**
 * The model a run uses: `model`, or, when none was chosen and the provider's list had nothing recommended
 * (an empty default), the one the person picks from the live list. Undefined when they dismiss the list.
 */
export async function modelOrAsk(deps: KeyDeps, kind: EngineKind, model: string): Promise<string | undefined> {
  if (model || !catalogProvider(kind)) return model;
  return pickModel(
    deps,
    kind,
    '',
    vscode.l10n.t(
      'Visen: which {0} model should Visen use? None of the models your key lists is one Visen recommends.',
      ENGINE_LABELS[kind],
    ),
  );
}

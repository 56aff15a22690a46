import * as vscode from 'vscode';
import type { EngineModule } from '../services/engines/engine';
import { LmAccess, LmChatModel, VscodeLmEngine } from './vscodeLmEngine';

/**
 * `vscode.lm` behind the narrow `LmAccess` the engine uses. Nothing here calls the Language Model API until
 * a generation or a model list asks for it: never at activation.
 */
export const vscodeLmAccess: LmAccess = {
  selectChatModels: (selector) => vscode.lm.selectChatModels(selector) as Thenable<readonly LmChatModel[]>,
  userMessage: (text) => vscode.LanguageModelChatMessage.User(text),
  token(signal) {
    const source = new vscode.CancellationTokenSource();
    const cancel = () => source.cancel();
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    return {
      token: source.token,
      dispose: () => {
        signal.removeEventListener('abort', cancel);
        source.dispose();
      },
    };
  },
  errorCode: (error) => (error instanceof vscode.LanguageModelError ? error.code : undefined),
};

/** The engine module of `vscode-lm`, built host-side (it needs the vscode API and has no bundle of its own). */
export const vscodeLmModule: EngineModule = {
  createEngine: () => new VscodeLmEngine(vscodeLmAccess),
  // Its messages are translated by the extension's own copy of @vscode/l10n, configured at activation.
  configureL10n: () => undefined,
};

/** The model a chat request came with (`request.model`) as an engine: the user chose it in the chat, so no key and no selection. */
export function chatModelEngine(model: vscode.LanguageModelChat): VscodeLmEngine {
  return new VscodeLmEngine({ ...vscodeLmAccess, selectChatModels: async () => [model as LmChatModel] });
}

// The engine `vscode-lm` as a bundle of its own (dist/engines/vscode-lm.js), required on first use like the
// others: it is built from the vscode API (VS Code hands the bundle the same 'vscode' module) and has no SDK.
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

export const createEngine: EngineModule['createEngine'] = (options) => new VscodeLmEngine(vscodeLmAccess, options.deadlines);

/** The model a chat request came with (`request.model`) as an engine: the user chose it in the chat, so no key and no selection. */
export function chatModelEngine(model: vscode.LanguageModelChat): VscodeLmEngine {
  return new VscodeLmEngine({ ...vscodeLmAccess, selectChatModels: async () => [model as LmChatModel] });
}

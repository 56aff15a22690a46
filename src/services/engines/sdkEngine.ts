import * as l10n from '@vscode/l10n';
import { CallDeadline, type CallDeadlines } from './callDeadline';
import { EngineError } from './engine';

// What the engines built around a provider's SDK (gemini.ts, openai.ts) share: the calls that are not
// streamed under their deadlines, and the errors every provider words alike.

/**
 * One call that is not streamed (`complete()`, `listModels()`) under its deadlines: `call` gets the deadline
 * (its signal for the SDK, its fetch for the transport); a deadline that passed is said naming `service`,
 * any other error as `toError` words it.
 */
export async function underDeadline<T>(
  outerSignal: AbortSignal | undefined,
  deadlines: CallDeadlines | undefined,
  service: () => string,
  call: (deadline: CallDeadline) => Promise<T>,
  toError: (error: unknown, signal: AbortSignal) => EngineError,
): Promise<T> {
  const deadline = new CallDeadline(outerSignal, deadlines);
  try {
    return await call(deadline);
  } catch (error) {
    throw deadline.explain(error, service()) ?? toError(error, deadline.signal);
  } finally {
    deadline.dispose();
  }
}

export function cancelledError(): EngineError {
  return new EngineError('cancelled', l10n.t('Generation was cancelled.'));
}

/** The model finished without writing any text. */
export function noTextError(): EngineError {
  return new EngineError(
    'empty',
    l10n.t('The model returned no text. Rephrase the prompt, or run "Visen: Select Model" to check the model writes text.'),
  );
}

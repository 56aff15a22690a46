import * as l10n from '@vscode/l10n';
import { EngineError } from '../engines/engine';

/**
 * How long the model may stay silent: before its first text (thinking models take a while), and between two
 * pieces of text. Past either, the stream is ended and reported as cut, with what arrived kept.
 */
export const ENGINE_DEADLINES = { firstTextMs: 180_000, idleMs: 90_000 };

/** Ends a model's stream that stays silent past its deadlines, and says so. */
export class Watchdog {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => this.controller.abort(this.outer.reason);
  expired: EngineError | undefined;

  constructor(
    private readonly outer: AbortSignal,
    private readonly deadlines: typeof ENGINE_DEADLINES,
  ) {
    outer.addEventListener('abort', this.onAbort, { once: true });
    if (outer.aborted) this.onAbort();
    this.arm(deadlines.firstTextMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  heard(): void {
    this.arm(this.deadlines.idleMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onAbort);
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.expired = new EngineError(
        'cut',
        l10n.t('The model sent nothing for {0} seconds, so Visen stopped waiting. What arrived before is kept.', Math.round(ms / 1000)),
      );
      this.controller.abort(this.expired);
    }, ms);
  }
}

/**
 * A key that is missing or may not be sent, told with the command that fixes it (and its arguments).
 * A module of its own, without `vscode`, so the one description of errors (outcome.ts) can name it.
 */
export class MissingKeyError extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly action: string,
    readonly args?: readonly unknown[],
  ) {
    super(message);
  }
}

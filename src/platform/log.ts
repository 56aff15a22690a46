import * as vscode from 'vscode';
import type { Logger } from '../services/logger';

/**
 * The one "Visen" log channel. Secret values registered here are masked in every line, as a second
 * line of defence: nothing should log a key in the first place.
 */
export class VisenLog implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();

  constructor() {
    this.channel = vscode.window.createOutputChannel('Visen', { log: true });
  }

  mask(secret: string | undefined): void {
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  trace(message: string): void {
    this.channel.trace(this.redact(message));
  }
  debug(message: string): void {
    this.channel.debug(this.redact(message));
  }
  info(message: string): void {
    this.channel.info(this.redact(message));
  }
  warn(message: string): void {
    this.channel.warn(this.redact(message));
  }
  error(message: string): void {
    this.channel.error(this.redact(message));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private redact(message: string): string {
    let text = message;
    for (const secret of this.secrets) text = text.split(secret).join('••••');
    return text;
  }
}

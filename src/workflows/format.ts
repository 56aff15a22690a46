import * as vscode from 'vscode';
import type { Connection } from '../services/connections/connection';

/** "1 block", "7 blocks". */
export function blockCount(n: number): string {
  return n === 1 ? vscode.l10n.t('1 block') : vscode.l10n.t('{0} blocks', n);
}

/** "3 prompts · 2 hours ago", or "No prompts yet". */
export function describeUse(connection: Connection): string {
  const prompts = connection.usage.prompts === 1 ? vscode.l10n.t('1 prompt') : vscode.l10n.t('{0} prompts', connection.usage.prompts);
  if (!connection.lastUsedAt) return connection.usage.prompts ? prompts : vscode.l10n.t('No prompts yet');
  return `${prompts} · ${timeAgo(connection.lastUsedAt)}`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const format = new Intl.RelativeTimeFormat(vscode.env.language || 'en', { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return vscode.l10n.t('just now');
}

export function formatTokens(count: number): string {
  return new Intl.NumberFormat(vscode.env.language || 'en', { notation: count >= 10_000 ? 'compact' : 'standard' }).format(count);
}

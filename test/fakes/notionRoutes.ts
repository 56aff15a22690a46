// Route table types shared by the notionRoutes*.ts modules.
import type { LoggedRequest } from './server';

export type Route = { method: string; pattern: RegExp; run: (m: RegExpMatchArray, req: LoggedRequest) => unknown };

export const body = (req: LoggedRequest): Record<string, any> =>
  req.body && typeof req.body === 'object' ? (req.body as Record<string, any>) : {};

export const notionVersion = (req: LoggedRequest): string => String(req.headers['notion-version'] ?? '');

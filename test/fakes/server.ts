// Shared plumbing for the loopback fakes: a node:http server on 127.0.0.1 with a random (or given) port,
// body parsing, a request log and an error-injection queue.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  body: unknown;
  headers: http.IncomingHttpHeaders;
  /** When the request reached the fake (Date.now(), before its body was read): for pacing measurements. */
  receivedAt?: number;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, logged: LoggedRequest) => Promise<void> | void;

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(handler: Handler, port = 0): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    const receivedAt = Date.now();
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = await readBody(req);
      let body: unknown;
      if (raw.length) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      const logged: LoggedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: queryObject(url),
        body,
        headers: req.headers,
        receivedAt,
      };
      await handler(req, res, logged);
    })().catch((err: unknown) => {
      // A crash inside a fake must show up as a failing request, not as a hung test.
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server crashed: ${String(err)}` } });
      else res.destroy();
    });
  });
  // SDK clients keep connections alive; without this close() waits for their idle timeouts.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

/**
 * Fault kinds a test can program for a matching request:
 * - `status`: answer with an error status (each fake adds its own body fields);
 * - `reset`: destroy the connection before anything is applied (the client sees a network error);
 * - `applyThenDrop`: apply the request (e.g. really append the blocks), then destroy the connection without a
 *   response, so the client cannot know whether the write happened;
 * - `hang`: never answer, not even headers, until the client gives up (a server that accepted the connection and died);
 * - `stallBody`: apply the request, send the headers and half the body, then stall for ever.
 *
 * `then`, if given, runs once the fault has happened: for `applyThenDrop` after the request was applied and before
 * the connection drops (what a person does in the page while Visen waits for an answer that never comes).
 */
export type Fault = ({ kind: 'status' } | { kind: 'reset' } | { kind: 'applyThenDrop' } | { kind: 'hang' } | { kind: 'stallBody' }) & {
  then?: () => void;
};

/** Ends a request without any response: the socket is destroyed, as a reset or a dropped connection does. */
export function dropConnection(res: http.ServerResponse): void {
  res.socket?.destroy();
  res.destroy();
}

/** Queue of injected failures; each entry is consumed by the first request it matches, `times` times. */
export class FailureQueue<M, R> {
  private entries: Array<{ match: M; response: R; remaining: number }> = [];

  add(match: M, response: R, times: number): void {
    this.entries.push({ match, response, remaining: Math.max(1, times) });
  }

  take(predicate: (match: M, response: R) => boolean): R | undefined {
    const entry = this.entries.find((e) => predicate(e.match, e.response));
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.entries.splice(this.entries.indexOf(entry), 1);
    return entry.response;
  }

  clear(): void {
    this.entries = [];
  }
}

/** Resolves once what was written to `res` has left for the client (or after half a second). */
async function flushed(res: http.ServerResponse): Promise<void> {
  res.flushHeaders();
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (!res.socket || res.socket.writableLength === 0) break;
  }
}

/** Splits text into chunks of a few words each, keeping all whitespace, so streams look like real token deltas. */
export function splitIntoDeltas(text: string, wordsPerDelta = 3): string[] {
  const pieces = text.match(/\s*\S+/g) ?? [];
  const trailing = text.slice(pieces.join('').length);
  const deltas: string[] = [];
  for (let i = 0; i < pieces.length; i += wordsPerDelta) deltas.push(pieces.slice(i, i + wordsPerDelta).join(''));
  if (trailing) {
    if (deltas.length) deltas[deltas.length - 1] += trailing;
    else deltas.push(trailing);
  }
  return deltas;
}

/** Rough token estimate (~4 chars per token), good enough for usage numbers and max-token truncation. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/**
 * Writes a frame unless the client has gone away; false tells the caller to stop producing frames.
 */
function writeFrame(res: http.ServerResponse, frame: string): boolean {
  if (res.destroyed || res.writableEnded) return false;
  res.write(frame);
  return true;
}

/**
 * Tracks whether the client dropped a streaming response before it ended. `res.on('close')` fires on both normal
 * completion and aborts; only the latter happens with `writableEnded` still false.
 */
function watchAbort(res: http.ServerResponse, onAbort: () => void): { readonly aborted: boolean } {
  const state = { aborted: false };
  res.on('close', () => {
    if (!res.writableEnded) {
      state.aborted = true;
      onAbort();
    }
  });
  return state;
}

/** How a stand-in's streams ended: the client went away, the stand-in dropped them, or they ran to the end. */
export interface StreamTally {
  aborted: number;
  dropped: number;
  completed: number;
}

export const newTally = (): StreamTally => ({ aborted: 0, dropped: 0, completed: 0 });

/**
 * Watches a streaming response from now on for the client going away (counted as aborted), and returns how
 * to play it: the frames one after another, `delayMs()` apart, then the end. With `drop`, everything written
 * reaches the client first and the connection drops after the last frame, not instead of it (counted as
 * dropped); else the response ends, counted as completed when `complete`.
 */
export function streamTo(
  res: http.ServerResponse,
  tally: StreamTally,
): (frames: readonly string[], delayMs: () => number, end: { readonly drop: boolean; readonly complete: boolean }) => Promise<void> {
  let droppedHere = false;
  const watch = watchAbort(res, () => {
    if (!droppedHere) tally.aborted++;
  });
  return async (frames, delayMs, end) => {
    for (const frame of frames) {
      if (watch.aborted || !writeFrame(res, frame)) return;
      await sleep(delayMs());
    }
    if (watch.aborted) return;
    if (end.drop) {
      await flushed(res);
      droppedHere = true;
      tally.dropped++;
      dropConnection(res);
      return;
    }
    res.end();
    if (end.complete) tally.completed++;
  };
}

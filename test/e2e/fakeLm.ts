// The test's side of test/fixtures/fake-lm: a folder the fake chat model reads its script from and records
// every request into (VISEN_FAKE_LM_DIR in code-server's environment).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../harness/codeServer';

/** One scripted answer (see test/fixtures/fake-lm/extension.js). */
export interface FakeAnswer {
  /** Used only for a request whose text this regular expression (case-insensitive) finds. */
  readonly match?: string;
  readonly text?: string;
  readonly chunkSize?: number;
  readonly delayMs?: number;
  /** The request fails with this message after the text. */
  readonly error?: string;
  readonly toolCalls?: ReadonlyArray<{ readonly name: string; readonly input: unknown }>;
  /** Stays in the script after use. */
  readonly repeat?: boolean;
}

interface FakePart {
  readonly type: 'text' | 'toolCall' | 'toolResult' | 'other';
  readonly value?: string;
  readonly name?: string;
  readonly input?: unknown;
  readonly content?: unknown[];
}

export interface FakeRequest {
  readonly request: number;
  readonly at: number;
  /** The extension that sent it ("visen.visen", "visen-test.fake-lm"). */
  readonly initiator: string;
  readonly messages: ReadonlyArray<{ readonly role: 'user' | 'assistant'; readonly parts: readonly FakePart[] }>;
  readonly tools: readonly string[];
}

export interface FakeEnd {
  readonly end: number;
  readonly at: number;
  readonly chunks: number;
  readonly cancelled: boolean;
  readonly error?: string;
}

export const FAKE_MODEL_NAME = 'Fake Model';

export class FakeLm {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-fake-lm-'));

  static extensionPath(): string {
    return path.join(repoRoot(), 'test', 'fixtures', 'fake-lm');
  }

  /** Replaces the answers still to come. */
  script(...answers: FakeAnswer[]): void {
    fs.writeFileSync(path.join(this.dir, 'script.json'), JSON.stringify({ answers }, null, 2));
  }

  /** The answers not used yet. */
  remaining(): FakeAnswer[] {
    const file = path.join(this.dir, 'script.json');
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).answers : [];
  }

  private lines(): Array<FakeRequest | FakeEnd> {
    const file = path.join(this.dir, 'requests.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }

  requests(): FakeRequest[] {
    return this.lines().filter((l): l is FakeRequest => 'request' in l);
  }

  ends(): FakeEnd[] {
    return this.lines().filter((l): l is FakeEnd => 'end' in l);
  }

  /** All the text of a request's messages. */
  static text(request: FakeRequest): string {
    return request.messages.flatMap((m) => m.parts.map((p) => p.value ?? (p.content ?? []).join(' '))).join('\n');
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

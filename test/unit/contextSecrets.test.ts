import assert from 'node:assert/strict';
import { diffFiles, findSecrets, looksLikeSecretFile, redactSecrets, screenContext } from '../../src/workflows/contextSecrets';
import { type EditorVariable, expandPrompt, type VariableValue } from '../../src/workflows/promptVariables';

// Keys are built here rather than written out, so no key-shaped string sits in the repository.
const key = {
  notion: `ntn_${'4'.repeat(11)}${'a'.repeat(35)}`,
  notionOld: `secret_${'B'.repeat(43)}`,
  openai: `sk-proj-${'x'.repeat(48)}`,
  google: `AIza${'S'.repeat(35)}`,
  github: `ghp_${'0'.repeat(36)}`,
  aws: `AKIA${'Q'.repeat(16)}`,
  pem: ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAA', '-----END OPENSSH PRIVATE KEY-----'].join('\n'),
};

/** A confirm box that answers with the action `pick` chooses, and keeps what it was asked. */
function asking(pick: (actions: string[]) => string | undefined) {
  const asked: Array<{ message: string; detail: string; actions: string[] }> = [];
  return {
    asked,
    ui: {
      confirm: async (message: string, detail: string, ...actions: string[]) => {
        asked.push({ message, detail, actions });
        return pick(actions);
      },
    },
  };
}

describe('secrets in context', () => {
  it('tells files of secrets by their names, and leaves examples and public keys alone', () => {
    for (const file of [
      '.env',
      '.env.local',
      'config/prod.env',
      'server.pem',
      'tls.key',
      'id_rsa',
      'C:\\Users\\me\\.ssh\\id_ed25519',
      'credentials',
      'credentials.json',
      '.npmrc',
      'secrets.yaml',
      'service-account-prod.json',
    ]) {
      assert.equal(looksLikeSecretFile(file), true, file);
    }
    for (const file of [
      '.env.example',
      '.env.sample',
      'id_rsa.pub',
      'src/keyboard.ts',
      'environment.md',
      'keys.ts',
      'README.md',
      'monkey.json',
    ]) {
      assert.equal(looksLikeSecretFile(file), false, file);
    }
    assert.deepEqual(diffFiles('diff --git a/.env b/.env\nindex 1..2\n--- a/.env\n+++ b/.env\n+X=1\ndiff --git a/src/a.ts b/src/a.ts\n'), [
      '.env',
      'src/a.ts',
    ]);
  });

  it('finds each kind of key and redacts it, naming the kind, and nothing else', () => {
    const text = `NOTION=${key.notion}\nold: ${key.notionOld}\nOPENAI_API_KEY="${key.openai}"\nmaps ${key.google}\ntoken=${key.github} aws ${key.aws}\n${key.pem}\nthe end`;
    assert.deepEqual(
      findSecrets(text).map((f) => f.kind),
      ['notion', 'notion', 'openai', 'google', 'github', 'aws', 'privateKey'],
    );
    assert.equal(
      redactSecrets(text),
      'NOTION=[redacted Notion secret]\nold: [redacted Notion secret]\nOPENAI_API_KEY="[redacted OpenAI-style API key]"\nmaps [redacted Google API key]\ntoken=[redacted GitHub token] aws [redacted AWS key]\n[redacted private key]\nthe end',
    );
    for (const plain of [
      'const secret_key = process.env.KEY;',
      'task-list sk-1 and ghp_short',
      'AKIA lowercase akiaqqqqqqqqqqqqqqqq',
      'a disk-space-report-for-the-whole-team',
    ]) {
      assert.deepEqual(findSecrets(plain), [], plain);
    }
  });

  it('reads in linear time, whatever the text', () => {
    const started = performance.now();
    findSecrets(`${'-----BEGIN RSA PRIVATE KEY-----'.repeat(2_000)}${'sk-'.repeat(20_000)}${'a'.repeat(70_000)}`);
    assert.ok(performance.now() - started < 200);
  });

  it('asks before a file of secrets goes, then offers to redact keys or send them; cancel sends nothing', async () => {
    const declined = asking(() => undefined);
    assert.equal(await screenContext(declined.ui, [{ text: 'A=1', files: ['.env'] }]), undefined);
    assert.match(declined.asked[0].message, /^"\.env" looks like a file of secrets\. Send it to the engine\?$/);

    const pieces = [{ text: `token=${key.github}`, files: ['notes.md'] }];
    const redact = asking((a) => a.find((x) => x === 'Redact and Send'));
    assert.deepEqual(await screenContext(redact.ui, pieces), ['token=[redacted GitHub token]']);
    assert.equal(redact.asked[0].message, 'The context holds a string that looks like a key.');
    assert.match(redact.asked[0].detail, /^- GitHub token on line 1: ghp_00… \(40 characters\)/);
    assert.ok(!redact.asked[0].detail.includes(key.github), 'the key itself is never shown');
    assert.deepEqual(await screenContext(asking((a) => a.find((x) => x === 'Send as Is')).ui, pieces), [pieces[0].text]);
    assert.equal(await screenContext(asking(() => undefined).ui, pieces), undefined);

    const quiet = asking(() => undefined);
    assert.deepEqual(await screenContext(quiet.ui, [{ text: 'plain code', files: ['src/a.ts'] }]), ['plain code']);
    assert.equal(quiet.asked.length, 0, 'nothing to ask about');
  });

  it('${file}, ${selection} and ${gitDiff} go through the same questions on every prompt', async () => {
    const values: Partial<Record<EditorVariable, VariableValue>> = {
      file: { value: `API=${key.openai}` },
      fileName: { value: 'deploy/.env.production' },
      gitDiff: { value: `diff --git a/id_rsa b/id_rsa\n+${key.pem}` },
    };
    const editor = { read: async (name: EditorVariable) => values[name] ?? ({ missing: 'noEditor' } as const) };
    const refused = asking(() => undefined);
    assert.equal(await expandPrompt({ ui: refused.ui, editor }, 'Review ${file}'), undefined);
    assert.match(refused.asked[0].message, /"deploy\/\.env\.production" looks like a file of secrets/);

    const both = asking((a) => a.find((x) => x === 'Send Anyway' || x === 'Redact and Send'));
    assert.equal(
      await expandPrompt({ ui: both.ui, editor }, 'Review ${file} and ${gitDiff}'),
      'Review API=[redacted OpenAI-style API key] and diff --git a/id_rsa b/id_rsa\n+[redacted private key]',
    );
    assert.match(both.asked[0].message, /"deploy\/\.env\.production", "id_rsa" looks like a file of secrets/);
    assert.equal(both.asked[1].message, 'The context holds 2 strings that look like keys.');
  });
});

import assert from 'node:assert/strict';
import {
  confirmContext,
  type EditorContextSource,
  type EditorVariable,
  estimateTokens,
  expandPrompt,
  expandVariables,
  LARGE_CONTEXT_CHARS,
  localDate,
  type VariableValue,
} from '../../src/workflows/promptVariables';

/** An editor that gives what the test says, and counts what was read. */
function editor(values: Partial<Record<EditorVariable, VariableValue>>) {
  const reads: EditorVariable[] = [];
  const source: EditorContextSource = {
    read: async (name) => {
      reads.push(name);
      return values[name] ?? { missing: 'noEditor' };
    },
  };
  return { source, reads };
}

/** A confirm box that answers `answer` and keeps what it was asked. */
function asking(answer: (actions: string[]) => string | undefined) {
  const asked: Array<{ message: string; detail: string }> = [];
  return {
    asked,
    ui: {
      confirm: async (message: string, detail: string, ...actions: string[]) => {
        asked.push({ message, detail });
        return answer(actions);
      },
    },
  };
}

describe('prompt variables', () => {
  const now = new Date(2026, 10, 26, 9, 5);

  it('fills every editor variable, each read once, wherever it stands', async () => {
    const { source, reads } = editor({
      selection: { value: 'const x = 1;' },
      file: { value: 'whole file' },
      fileName: { value: 'src/a.ts' },
      language: { value: 'typescript' },
      workspaceFolder: { value: '/home/me/project' },
      gitDiff: { value: 'diff --git a/x b/x' },
    });
    const result = await expandVariables(
      'Explain ${selection} (${language}, ${fileName}) in ${workspaceFolder} on ${date}; ${selection}. ${gitDiff} / ${file}',
      source,
      now,
    );
    assert.equal(
      result.text,
      'Explain const x = 1; (typescript, src/a.ts) in /home/me/project on 2026-11-26; const x = 1;. diff --git a/x b/x / whole file',
    );
    assert.deepEqual(result.problems, []);
    assert.deepEqual(reads.sort(), ['file', 'fileName', 'gitDiff', 'language', 'selection', 'workspaceFolder']);
    assert.equal(
      result.contextChars,
      'const x = 1;'.length * 2 +
        'typescript'.length +
        'src/a.ts'.length +
        '/home/me/project'.length +
        '2026-11-26'.length +
        'diff --git a/x b/x'.length +
        'whole file'.length,
    );
  });

  it('leaves unknown ${…}, other spellings and {{page}} as they are, and reads nothing for them', async () => {
    const { source, reads } = editor({});
    const typed = 'Use ${HOME}, ${Selection}, ${ selection }, $selection, {{page}} and ${}';
    const result = await expandVariables(typed, source, now);
    assert.equal(result.text, typed);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(reads, []);
    assert.equal(result.contextChars, 0);
  });

  it('never expands what a variable brought in', async () => {
    const { source } = editor({ selection: { value: 'echo "${file}" $& $1' } });
    const result = await expandVariables('Explain ${selection}', source, now);
    assert.equal(result.text, 'Explain echo "${file}" $& $1');
  });

  it('says what to do for each variable with nothing to give', async () => {
    const { source } = editor({
      selection: { missing: 'noSelection' },
      gitDiff: { missing: 'noChanges' },
      workspaceFolder: { missing: 'noWorkspace' },
    });
    const result = await expandVariables('${selection} ${gitDiff} ${workspaceFolder} ${fileName}', source, now);
    assert.deepEqual(result.problems, [
      '${selection} needs selected text: select some in the editor, then generate again.',
      '${gitDiff} has nothing to give: the repository has no staged or unstaged changes.',
      '${workspaceFolder} needs a folder open in VS Code (File → Open Folder).',
      '${fileName} needs a file open in the editor: open one, then generate again.',
    ]);
    await assert.rejects(
      expandPrompt({ ui: asking(() => undefined).ui, editor: source }, 'Summarise ${selection}'),
      /\$\{selection\} needs selected text/,
    );
  });

  it('gives the local date as YYYY-MM-DD', () => {
    assert.equal(localDate(new Date(2026, 0, 5, 23, 59)), '2026-01-05');
  });

  it('asks before sending large context, with its size in characters and tokens, and sends small context at once', async () => {
    const large = 'x'.repeat(LARGE_CONTEXT_CHARS + 1);
    const { source } = editor({ file: { value: large } });
    const declined = asking(() => undefined);
    assert.equal(await expandPrompt({ ui: declined.ui, editor: source }, 'Review ${file}'), undefined, 'declined: nothing to send');
    assert.equal(declined.asked.length, 1);
    assert.match(declined.asked[0].message, /20,001 characters \(about 5,001 tokens\)/);
    const accepted = asking((actions) => actions[0]);
    assert.equal(await expandPrompt({ ui: accepted.ui, editor: source }, 'Review ${file}'), `Review ${large}`);

    const small = asking(() => undefined);
    assert.equal(
      await expandPrompt({ ui: small.ui, editor: editor({ file: { value: 'short' } }).source }, 'Review ${file}'),
      'Review short',
    );
    assert.equal(small.asked.length, 0, 'small context is not asked about');
    assert.equal(await confirmContext(small.ui, LARGE_CONTEXT_CHARS), true);
    assert.equal(estimateTokens(8), 2);
  });

  it('refuses a prompt that grows past the longest prompt Visen sends', async () => {
    const { source } = editor({ file: { value: 'y'.repeat(100_001) } });
    await assert.rejects(
      expandPrompt({ ui: asking((a) => a[0]).ui, editor: source }, '${file}'),
      /The prompt is too long \(100,\d{3} characters; at most 100,000\)/,
    );
  });
});

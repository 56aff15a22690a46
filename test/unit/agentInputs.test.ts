import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { intoPhrase, matchTarget } from '../../src/agent/targetNames';
import { checkToolInput } from '../../src/agent/toolInputs';

// The language-model tools' inputs are checked against a schema before anything happens, and @visen finds a
// connection only by its whole name where the prompt says where to write.

const problem = (name: Parameters<typeof checkToolInput>[0], input: unknown) => {
  const checked = checkToolInput(name, input);
  assert.equal(checked.ok, false, `${JSON.stringify(input)} is refused`);
  return (checked as { problem: string }).problem;
};

describe('tool input schemas', () => {
  it('takes what the tools describe, trimming the target', () => {
    assert.deepEqual(checkToolInput('visen_writeToPage', { target: ' Spec ', markdown: '# Hi', mode: 'afterHeading', heading: 'Goals' }), {
      ok: true,
      input: { target: 'Spec', markdown: '# Hi', mode: 'afterHeading', heading: 'Goals' },
    });
    assert.equal(checkToolInput('visen_readPage', { target: 'Spec', maxCharacters: 500 }).ok, true);
    assert.equal(
      checkToolInput('visen_addDatabaseEntry', {
        target: 'Books',
        values: { Name: 'Dune', Pages: 412, Read: true, Tags: ['a', 'b'], Due: null },
        content: 'x',
      }).ok,
      true,
    );
    assert.equal(checkToolInput('visen_listConnections', {}).ok, true);
    assert.equal(checkToolInput('visen_listConnections', undefined).ok, true, 'takes nothing');
  });

  it('refuses each kind of bad input, naming the field, and says nothing was written', () => {
    assert.equal(
      problem('visen_writeToPage', { target: 'Spec', markdown: 42 }),
      'The input of visen_writeToPage is not valid: "markdown" must be text (it is 42). Nothing was written.',
    );
    assert.equal(
      problem('visen_writeToPage', { target: 'Spec' }),
      'The input of visen_writeToPage is not valid: "markdown" is missing. Nothing was written.',
    );
    assert.equal(
      problem('visen_writeToPage', { target: 'Spec', markdown: '  ' }),
      'The input of visen_writeToPage is not valid: There is no markdown to write: give the content in "markdown". Nothing was written.',
    );
    assert.match(
      problem('visen_writeToPage', { target: 'Spec', markdown: 'x', mode: 'prepend' }),
      /"mode" must be one of "append", "replace", "afterHeading" \(it is "prepend"\)/,
    );
    assert.match(problem('visen_writeToPage', { target: '', markdown: 'x' }), /"target" must be not empty/);
    assert.match(problem('visen_writeToPage', 'write it'), /The input must be an object/);
    assert.match(problem('visen_writeToPage', null), /The input must be an object/);
    assert.match(
      problem('visen_addDatabaseEntry', { target: 'Books', values: { Name: 'Dune' }, content: { text: 'x' } }),
      /"content" must be text/,
    );
    assert.match(
      problem('visen_addDatabaseEntry', { target: 'Books', values: { Name: { title: 'Dune' } } }),
      /"values\.Name" must be text, a number, true\/false or a list of option names/,
    );
    assert.match(problem('visen_addDatabaseEntry', { target: 'Books', values: ['Dune'] }), /"values" must be an object/);
    assert.match(problem('visen_addDatabaseEntry', { target: 'Books', values: { Pages: Infinity } }), /"values\.Pages"/);
    assert.match(problem('visen_readPage', { target: 'Spec', maxCharacters: 0 }), /"maxCharacters" must be at least 1/);
    assert.match(problem('visen_readPage', { target: 'Spec', maxCharacters: '500' }), /"maxCharacters" must be a number/);
  });
});

describe('@visen target names', () => {
  const connections = [
    { id: 'log', name: 'Log' },
    { id: 'launch', name: 'Launch notes' },
    { id: 'bob', name: "Bob's notes" },
    { id: 'a', name: 'A' },
  ];
  const named = (prompt: string) => matchTarget(prompt, connections);

  it('a word inside a word or a sentence never names a connection', () => {
    assert.deepEqual(named('write a blog post about our launch').ids, []);
    assert.deepEqual(named('draft a haiku about autumn').ids, []);
    assert.deepEqual(named('summarise the log of last week').ids, []);
    assert.deepEqual(named('write launch notes for the team').ids, []);
    assert.deepEqual(named('ideas for Log analysis').ids, [], 'a name followed by more words is not the last words');
    assert.deepEqual(named('write it into a').ids, [], 'a one-letter name only when quoted');
  });

  it('a whole name: quoted after into/to/in/for, a #-reference, or the last words', () => {
    assert.deepEqual(named('write release notes for 1.2 into Launch notes'), { ids: ['launch'], prompt: 'write release notes for 1.2' });
    assert.deepEqual(named('write release notes into "launch NOTES" and keep it short'), {
      ids: ['launch'],
      prompt: 'write release notes and keep it short',
    });
    assert.deepEqual(named("put this in “Bob's notes” please"), { ids: ['bob'], prompt: 'put this please' });
    assert.deepEqual(named("a plan for the Bob's notes page."), { ids: ['bob'], prompt: 'a plan' });
    assert.deepEqual(named('#Launch-notes a summary of today'), { ids: ['launch'], prompt: 'a summary of today' });
    assert.deepEqual(named('a summary #"Launch notes"'), { ids: ['launch'], prompt: 'a summary' });
    assert.deepEqual(named('a haiku into "A"'), { ids: ['a'], prompt: 'a haiku' });
  });

  it('two connections named, or one name shared by two, names none (Visen asks)', () => {
    assert.deepEqual(named('copy "x" into "Log" and into "Launch notes"').ids.length, 2);
    assert.deepEqual(
      matchTarget('notes into Log', [
        { id: '1', name: 'Log' },
        { id: '2', name: 'log' },
      ]).ids,
      ['1', '2'],
    );
  });

  it('a follow-up names its connection so that it is found again', () => {
    for (const c of [...connections, { id: 'q', name: 'The "best" page' }]) {
      assert.deepEqual(matchTarget(`a weekly plan ${intoPhrase(c.name)}`, [c]).ids, [c.id], c.name);
    }
  });
});

describe('manifest: what the agent surfaces and Restricted Mode declare', () => {
  /** Visen's package.json: the nearest one up from this bundle whose name is visen. */
  const manifest = (): {
    capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
    contributes: {
      chatParticipants: Array<{ disambiguation?: Array<Record<string, unknown>> }>;
      configuration: { properties: Record<string, unknown> };
    };
  } => {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).name === 'visen')
        return JSON.parse(fs.readFileSync(file, 'utf8'));
      if (path.dirname(dir) === dir) throw new Error('no package.json of Visen');
    }
  };

  it('@visen has disambiguation as VS Code 1.100 takes it (category, description, examples)', () => {
    const [participant] = manifest().contributes.chatParticipants;
    assert.ok(participant.disambiguation?.length);
    for (const entry of participant.disambiguation!) {
      assert.deepEqual(Object.keys(entry).sort(), ['category', 'description', 'examples']);
      assert.ok(Array.isArray(entry.examples) && entry.examples.length > 0);
    }
  });

  it('Restricted Mode keeps every setting that sends, spends or stores from a workspace, and names only settings that exist', () => {
    const m = manifest();
    const restricted = m.capabilities.untrustedWorkspaces.restrictedConfigurations;
    for (const name of [
      'visen.history.maxSizeMB',
      'visen.vscodeLm.model',
      'visen.notion.apiBaseUrl',
      'visen.openai.baseUrl',
      'visen.gemini.baseUrl',
      'visen.promptBudget',
    ])
      assert.ok(restricted.includes(name), name);
    for (const name of restricted) assert.ok(name in m.contributes.configuration.properties, `${name} is a setting`);
  });
});

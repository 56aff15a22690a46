import assert from 'node:assert/strict';
import { ConnectionRepository } from '../../src/services/connections/connectionRepository';
import { MAX_TEMPLATES } from '../../src/services/connections/promptTemplate';
import { MemoryStore } from '../../src/services/keyValueStore';
import { MemoryFolder } from '../../src/services/storage/recordFolder';
import type { Logger } from '../../src/services/logger';
import {
  deleteTemplate,
  findTemplate,
  listTemplates,
  renameTemplate,
  saveTemplate,
  templateNameProblem,
} from '../../src/workflows/promptTemplates';

const PAGE = {
  id: '11111111-2222-3333-4444-555555555555',
  title: 'Notes',
  url: 'https://www.notion.so/Notes-11111111222233334444555555555555',
};
const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

async function setUp() {
  const store = new MemoryStore();
  const connections = new ConnectionRepository(store, quiet, { folder: new MemoryFolder() });
  const connection = await connections.create({ name: 'Notes', type: 'page', target: PAGE });
  return { store, deps: { connections }, id: connection.id, templates: () => listTemplates(connections.get(connection.id)) };
}

describe('Prompt templates (workflow)', () => {
  it('saves a prompt as typed, variables unfilled, and lists the templates in the order saved', async () => {
    const { deps, id, templates } = await setUp();
    assert.deepEqual(templates(), []);
    const saved = await saveTemplate(deps, id, '  Weekly notes ', 'Notes for ${date} about ${selection}\n\n{{page}}  ');
    assert.deepEqual(saved, {
      template: { name: 'Weekly notes', prompt: 'Notes for ${date} about ${selection}\n\n{{page}}' },
      replaced: false,
    });
    await saveTemplate(deps, id, 'Brief', 'A one-page brief');
    assert.deepEqual(
      templates().map((t) => t.name),
      ['Weekly notes', 'Brief'],
    );
    assert.equal(findTemplate(deps.connections.get(id), 'WEEKLY NOTES')?.prompt, 'Notes for ${date} about ${selection}\n\n{{page}}');
  });

  it('saving under a name already there (any case) overwrites that template in place', async () => {
    const { deps, id, templates } = await setUp();
    await saveTemplate(deps, id, 'Weekly notes', 'Old prompt');
    await saveTemplate(deps, id, 'Brief', 'A brief');
    const saved = await saveTemplate(deps, id, 'weekly Notes', 'New prompt');
    assert.equal(saved.replaced, true);
    assert.deepEqual(templates(), [
      { name: 'weekly Notes', prompt: 'New prompt' },
      { name: 'Brief', prompt: 'A brief' },
    ]);
  });

  it('renames a template, refusing a name another template has', async () => {
    const { deps, id, templates } = await setUp();
    await saveTemplate(deps, id, 'Weekly notes', 'Notes');
    await saveTemplate(deps, id, 'Brief', 'A brief');
    assert.deepEqual(await renameTemplate(deps, id, 'weekly notes', 'Week'), { name: 'Week', prompt: 'Notes' });
    await assert.rejects(renameTemplate(deps, id, 'Week', 'BRIEF'), /already a template named "BRIEF"/);
    await assert.rejects(renameTemplate(deps, id, 'Gone', 'Other'), /no template named "Gone"/);
    assert.deepEqual(await renameTemplate(deps, id, 'Week', 'week'), { name: 'week', prompt: 'Notes' }, 'its own name in another case');
    assert.deepEqual(
      templates().map((t) => t.name),
      ['week', 'Brief'],
    );
  });

  it('deletes a template; the last one leaves no list behind', async () => {
    const { deps, id, templates } = await setUp();
    await saveTemplate(deps, id, 'Weekly notes', 'Notes');
    assert.equal(await deleteTemplate(deps, id, 'Nothing'), false);
    assert.equal(await deleteTemplate(deps, id, 'WEEKLY notes'), true);
    assert.deepEqual(templates(), []);
    assert.ok(!('templates' in deps.connections.get(id)!));
  });

  it('refuses an empty or too long name, an empty prompt, and a template past the most a connection keeps', async () => {
    const { deps, id, templates } = await setUp();
    assert.equal(templateNameProblem('   '), 'Type a name for the template.');
    await assert.rejects(saveTemplate(deps, id, ' ', 'A prompt'), /Type a name for the template/);
    await assert.rejects(
      saveTemplate(deps, id, 'x'.repeat(101), 'A prompt'),
      /The template name is too long \(101 characters; at most 100\)/,
    );
    await assert.rejects(saveTemplate(deps, id, 'Empty', '  \n'), /Type what Visen should write/);
    await assert.rejects(saveTemplate(deps, id, 'Huge', 'x'.repeat(100_001)), /The prompt is too long/);
    for (let i = 0; i < MAX_TEMPLATES; i++) await saveTemplate(deps, id, `T${i}`, `Prompt ${i}`);
    await assert.rejects(saveTemplate(deps, id, 'One more', 'Prompt'), /already keeps 50 templates.*delete one/);
    assert.equal((await saveTemplate(deps, id, 't0', 'Overwritten')).replaced, true, 'overwriting still works when full');
    assert.equal(templates().length, MAX_TEMPLATES);
  });

  it('says so when the connection is gone', async () => {
    const { deps, id } = await setUp();
    await deps.connections.delete(id);
    await assert.rejects(saveTemplate(deps, id, 'Name', 'Prompt'), /no longer exists/);
  });
});

describe('Stored connections: version 2 adds prompt templates', () => {
  const v1 = {
    id: 'c1',
    name: 'Notes',
    type: 'page',
    target: { id: PAGE.id, url: PAGE.url, title: 'Notes' },
    createdAt: '2026-01-01T10:00:00.000Z',
    lastPrompt: 'Earlier',
    writeMode: 'replace',
    usage: { prompts: 3, inputTokens: 20, outputTokens: 30 },
  };

  it('reads a connection stored before templates (no version, and version 1) as it was, with none', async () => {
    const store = new MemoryStore();
    await store.update('visen.connections', [v1, { ...v1, id: 'c2', schemaVersion: 1 }]);
    const folder = new MemoryFolder();
    const connections = new ConnectionRepository(store, quiet, { folder });
    const read = connections.get('c1')!;
    assert.deepEqual(read, v1);
    assert.deepEqual(listTemplates(read), []);
    assert.ok(connections.get('c2'));
    assert.equal(await connections.recover(), 0);
    const stored = (name: string) => JSON.parse(folder.read(name)!) as Record<string, unknown>;
    assert.deepEqual(
      ['c1.json', 'c2.json'].map((name) => stored(name).schemaVersion),
      [2, 2],
      'stored in the current version at start-up',
    );
    assert.equal(store.get('visen.connections'), undefined, 'the old list is gone once moved');
    await saveTemplate({ connections }, 'c1', 'Weekly', 'Notes for ${date}');
    assert.deepEqual(stored('c1.json'), { schemaVersion: 2, ...v1, templates: [{ name: 'Weekly', prompt: 'Notes for ${date}' }] });
    assert.deepEqual(new ConnectionRepository(store, quiet, { folder }).get('c1')!.templates, [
      { name: 'Weekly', prompt: 'Notes for ${date}' },
    ]);
  });

  it('sets aside a connection whose templates are damaged, keeping the others', async () => {
    const store = new MemoryStore();
    await store.update('visen.connections', [
      { ...v1, schemaVersion: 2, templates: [{ name: '', prompt: 'x' }] },
      { ...v1, id: 'c2' },
    ]);
    const connections = new ConnectionRepository(store, quiet, { folder: new MemoryFolder() });
    assert.deepEqual(
      connections.list().map((c) => c.id),
      ['c2'],
    );
    assert.equal(await connections.recover(), 1);
  });
});

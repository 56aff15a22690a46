import assert from 'node:assert/strict';
import { coerceProperty, unfenceJson } from '../../src/services/notion/propertyValues';

/** Model answers are input too: every scan of them must stay linear, whatever their shape. */
describe('Model answers are read in linear time', () => {
  const timed = (work: () => unknown): number => {
    const started = performance.now();
    try {
      work();
    } catch {
      // Only the time matters here.
    }
    return performance.now() - started;
  };

  it('takes the code fence off a JSON answer, and copes with 70,000 spaces before it ends', () => {
    assert.equal(unfenceJson('```json\n{"a": 1}\n```'), '{"a": 1}');
    assert.equal(unfenceJson('```\n{"a": 1}```'), '{"a": 1}');
    assert.equal(unfenceJson('  {"a": 1} '), '{"a": 1}');
    assert.ok(timed(() => unfenceJson(`\`\`\`json${' '.repeat(70_000)}x`)) < 50);
  });

  it('takes quotes off a value, and copes with 70,000 quote marks', () => {
    const property = { name: 'Genre', type: 'select' as const, options: ['Fiction'] };
    assert.deepEqual(coerceProperty(property, '"Fiction".', { allowNewOptions: false }), { select: { name: 'Fiction' } });
    assert.ok(timed(() => coerceProperty(property, `${'"'.repeat(70_000)}x`, { allowNewOptions: false })) < 50);
    assert.ok(timed(() => coerceProperty(property, `x${'.'.repeat(70_000)}y`, { allowNewOptions: false })) < 50);
  });
});

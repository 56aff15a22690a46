import assert from 'node:assert/strict';
import { coerceProperty, unfenceJson } from '../../src/services/notion/propertyValues';

/**
 * Model answers are input too: every scan of them must stay linear, whatever their shape. The inputs are
 * 200,000 characters: a linear scan takes a few milliseconds, a quadratic one (a backtracking regular
 * expression) tens of seconds, so the 1 s bound tells them apart on a loaded machine too.
 */
const N = 200_000;
const BOUND_MS = 1000;

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

  it('takes the code fence off a JSON answer, and copes with 200,000 spaces before it ends', () => {
    assert.equal(unfenceJson('```json\n{"a": 1}\n```'), '{"a": 1}');
    assert.equal(unfenceJson('```\n{"a": 1}```'), '{"a": 1}');
    assert.equal(unfenceJson('  {"a": 1} '), '{"a": 1}');
    assert.ok(timed(() => unfenceJson(`\`\`\`json${' '.repeat(N)}x`)) < BOUND_MS);
  });

  it('takes quotes off a value, and copes with 200,000 quote marks', () => {
    const property = { name: 'Genre', type: 'select' as const, options: ['Fiction'] };
    assert.deepEqual(coerceProperty(property, '"Fiction".', { allowNewOptions: false }), { select: { name: 'Fiction' } });
    assert.ok(timed(() => coerceProperty(property, `${'"'.repeat(N)}x`, { allowNewOptions: false })) < BOUND_MS);
    assert.ok(timed(() => coerceProperty(property, `x${'.'.repeat(N)}y`, { allowNewOptions: false })) < BOUND_MS);
  });
});

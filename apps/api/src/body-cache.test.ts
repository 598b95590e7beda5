import { describe, expect, it } from 'vitest';
import { bodyCache, JsonText } from './body-cache';

describe('bodyCache', () => {
  it('builds a body once per ETag, for concurrent and later requests alike', async () => {
    const cache = bodyCache(1_000);
    let builds = 0;
    const build = async () => ({ n: ++builds });
    const first = await Promise.all([cache('a', build), cache('a', build), cache('a', build)]);
    expect(first).toEqual(['{"n":1}', '{"n":1}', '{"n":1}']);
    expect(await cache('a', build)).toBe('{"n":1}');
    expect(await cache('b', build)).toBe('{"n":2}');
    expect(builds).toBe(2);
  });

  it('drops the least recently used bodies past its size, never the one just built', async () => {
    const cache = bodyCache(25); // room for two 10-character bodies
    const built: string[] = [];
    const body = (key: string) => async () => {
      built.push(key);
      return `${key}-body-`; // JSON: 10 characters with the quotes
    };
    await cache('a', body('a'));
    await cache('b', body('b'));
    await cache('a', body('a')); // a is used again: b is now the oldest
    await cache('c', body('c')); // over 25: b goes
    await cache('a', body('a'));
    await cache('b', body('b'));
    expect(built).toEqual(['a', 'b', 'c', 'b']);
    // keep: false (a grid still running) builds each time and stores nothing.
    await cache('d', body('d'), false);
    await cache('d', body('d'), false);
    expect(built.filter((k) => k === 'd')).toHaveLength(2);
    const big = bodyCache(5);
    expect(await big('x', async () => 'larger than the whole cache')).toBe('"larger than the whole cache"');
  });

  it('sends JSON text built elsewhere as it is', async () => {
    const cache = bodyCache(1_000);
    expect(await cache('t', async () => new JsonText('{"items":[1,2]}'))).toBe('{"items":[1,2]}');
  });
});

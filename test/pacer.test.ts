import { describe, expect, test } from 'vitest';
import { NO_USAGE, parseUsageHeaders } from '#lib/graph/usage.js';
import { Pacer } from '#lib/sync/pacer.js';

/** A pacer on a fake clock that records when each call was let through. */
function pacedClock() {
  let now = 0;
  const pacer = new Pacer({
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  const at = async (account: string) => {
    await pacer.take(account);
    return now;
  };
  return { pacer, at };
}

describe('pacing Graph calls', () => {
  test('one account gets at most 2 calls per second; another account is not held back', async () => {
    const { at } = pacedClock();
    const times = [await at('p:messenger'), await at('p:messenger'), await at('p:messenger')];
    const other = await at('p:instagram');
    expect(times).toEqual([0, 500, 1000]);
    expect(other).toBe(1000);
  });

  test('slows down as a usage header nears 100%, and speeds up again when it falls', async () => {
    // Each answer's usage sets the gap before the next call: at 100% ten times the base, at 75% 3.25 times.
    const { pacer, at } = pacedClock();
    const times = [await at('a')];
    pacer.observe('a', { maxPercent: 100, regainAccessMinutes: 0 });
    times.push(await at('a'), await at('a'));
    pacer.observe('a', { maxPercent: 75, regainAccessMinutes: 0 });
    times.push(await at('a'), await at('a'));
    pacer.observe('a', NO_USAGE);
    times.push(await at('a'), await at('a'));
    const gaps = times.slice(1).map((time, i) => time - (times[i] ?? 0));
    expect(gaps).toEqual([500, 5000, 5000, 1625, 1625, 500]);
  });
});

describe("Graph's usage headers", () => {
  test('the highest percent and the longest time to regain access win, across all three headers', () => {
    const usage = parseUsageHeaders({
      'x-app-usage': '{"call_count":12,"total_cputime":3,"total_time":40}',
      'x-page-usage': '{"call_count":55,"total_cputime":1,"total_time":2}',
      'x-business-use-case-usage': JSON.stringify({
        '123': [
          {
            type: 'pages',
            call_count: 80,
            total_cputime: 7,
            total_time: 99,
            estimated_time_to_regain_access: 4,
          },
        ],
        '456': [
          {
            type: 'messenger',
            call_count: 5,
            total_cputime: 1,
            total_time: 1,
            estimated_time_to_regain_access: 9,
          },
        ],
      }),
    });
    expect(usage).toEqual({ maxPercent: 99, regainAccessMinutes: 9 });
  });

  test('absent or malformed headers mean no usage, never an error', () => {
    expect(parseUsageHeaders({})).toEqual(NO_USAGE);
    expect(parseUsageHeaders({ 'x-app-usage': '{not json', 'x-business-use-case-usage': '[1,2]' })).toEqual(
      NO_USAGE,
    );
  });
});

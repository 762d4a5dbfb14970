import { describe, expect, it } from 'vitest';
import { parseGraphTime } from '#lib/domain/graph-time.js';
import type { PartitionState, ScanCheckpoint } from '#lib/domain/sync-state.js';
import {
  budgetStopReason,
  completedPartition,
  MAX_IDS_CHARS,
  readScanPage,
  screenItems,
  trustedMark,
} from '#lib/sync/scan-rules.js';

/** The rules of a partition scan, as tables: what a reader needs to know without the harness. */

const NOW = parseGraphTime('2026-11-20T12:00:00+0000') as number;
const at = (time: string, id: string) => ({ id, updated_time: `2026-11-20T${time}+0000` });
const scanFrom = (stopAt: string | null, stopIds: string[] = []): ScanCheckpoint => ({
  cursor: null,
  stopAt: stopAt === null ? null : `2026-11-20T${stopAt}+0000`,
  stopIds,
  topTime: null,
  topIds: [],
  startedAt: '2026-11-20T12:00:00.000Z',
});

describe('Graph times are parsed strictly', () => {
  it.each([
    ['2026-11-20T10:00:00+0000', true],
    ['2026-11-20T10:00:00Z', true],
    ['2026-11-20T10:00:00+05:30', true],
    ['2026-11-20T10:00:00.123+0000', true],
    ['1', false],
    ['2026-11-20', false],
    ['2026-11-20T10:00+0000', false],
    ['-0001-01-01T00:00:00+0000', false],
    ['1999-12-31T23:59:59+0000', false],
    ['2026-02-30T10:00:00+0000', false],
    ['2026-11-20T24:00:00+0000', false],
    ['2026-11-20T10:00:00+9900', false],
    ['275760-09-13T00:00:00+0000', false],
    [' 2026-11-20T10:00:00+0000', false],
  ])('%s is a Graph time: %s', (text, valid) => {
    expect(parseGraphTime(text) !== undefined).toBe(valid);
  });

  it('reads a zone as an offset, so that equal instants compare equal', () => {
    expect(parseGraphTime('2026-11-20T15:30:00+05:30')).toBe(parseGraphTime('2026-11-20T10:00:00+0000'));
  });
});

describe('which items of a Graph page the sync indexes', () => {
  it.each([
    ['a conversation', at('10:00:00', 't_1'), undefined],
    ['no id', { updated_time: '2026-11-20T10:00:00+0000' }, 'no id'],
    ['an empty id', { id: '', updated_time: '2026-11-20T10:00:00+0000' }, 'no id'],
    ['a 2,000-character id', { id: 'x'.repeat(2000), updated_time: '2026-11-20T10:00:00+0000' }, 'longer'],
    ['a garbage time', { id: 't_2', updated_time: 'yesterday' }, 'not in Graph format'],
    ['a time of "1"', { id: 't_3', updated_time: '1' }, 'not in Graph format'],
    ['not an object', 'hello', 'not an object'],
    ['an item of 450 KB', { ...at('10:00:00', 't_4'), snippet: 'x'.repeat(450 * 1024) }, 'larger than'],
  ])('%s: skipped for %s', (_, item, reason) => {
    const { valid, skipped } = screenItems([item]);
    if (reason === undefined) {
      expect(valid).toEqual([item]);
      expect(skipped).toEqual([]);
    } else {
      expect(valid).toEqual([]);
      expect(skipped[0]?.reason).toContain(reason);
    }
  });

  it('keeps the valid items of a page that also holds bad ones, in order', () => {
    const good = [at('10:00:02', 't_a'), at('10:00:01', 't_b')];
    const { valid, skipped } = screenItems([good[0], { id: '' }, good[1], null]);
    expect(valid).toEqual(good);
    expect(skipped).toHaveLength(2);
  });
});

describe('reading a Graph page of a scan', () => {
  it.each([
    {
      rule: 'a first scan takes everything and tops at the newest',
      scan: scanFrom(null),
      page: [at('10:00:02', 'a'), at('10:00:01', 'b')],
      fresh: ['a', 'b'],
      reachedMark: false,
      top: ['2026-11-20T10:00:02+0000', ['a']],
    },
    {
      rule: 'stops below the mark: older conversations are not read',
      scan: scanFrom('10:00:01'),
      page: [at('10:00:02', 'a'), at('10:00:00', 'b')],
      fresh: ['a'],
      reachedMark: true,
      top: ['2026-11-20T10:00:02+0000', ['a']],
    },
    {
      rule: 'at the mark second, only ids not seen there are fresh',
      scan: scanFrom('10:00:01', ['b']),
      page: [at('10:00:01', 'b'), at('10:00:01', 'c')],
      fresh: ['c'],
      reachedMark: false,
      top: ['2026-11-20T10:00:01+0000', ['b', 'c']],
    },
    {
      rule: 'a time in year 9999 is indexed but never becomes the top',
      scan: scanFrom(null),
      page: [{ id: 'z', updated_time: '9999-12-31T23:59:59+0000' }, at('10:00:01', 'a')],
      fresh: ['z', 'a'],
      reachedMark: false,
      top: ['2026-11-20T10:00:01+0000', ['a']],
    },
    {
      rule: 'a time 4 minutes ahead is still trusted (clocks drift)',
      scan: scanFrom(null),
      page: [at('12:04:00', 'a')],
      fresh: ['a'],
      reachedMark: false,
      top: ['2026-11-20T12:04:00+0000', ['a']],
    },
    {
      rule: 'a time 6 minutes ahead is not trusted for the top',
      scan: scanFrom(null),
      page: [at('12:06:00', 'a')],
      fresh: ['a'],
      reachedMark: false,
      top: [null, []],
    },
  ])('$rule', ({ scan, page, fresh, reachedMark, top }) => {
    const reading = readScanPage(scan, page, NOW);
    expect(reading.fresh.map((item) => item.id)).toEqual(fresh);
    expect(reading.reachedMark).toBe(reachedMark);
    expect([reading.topTime, reading.topIds]).toEqual(top);
  });

  it('leaves the scan it reads unchanged', () => {
    const scan = scanFrom(null);
    readScanPage(scan, [at('10:00:00', 'a')], NOW);
    expect(scan.topTime).toBeNull();
    expect(scan.topIds).toEqual([]);
  });

  it('caps the ids kept at one second, so the sync item stays small whatever Graph sends', () => {
    const many = Array.from({ length: 2000 }, (_, i) => at('10:00:00', `t_${'x'.repeat(40)}_${i}`));
    const { topIds } = readScanPage(scanFrom(null), many, NOW);
    expect(topIds.join('').length).toBeLessThanOrEqual(MAX_IDS_CHARS);
    expect(topIds.length).toBeGreaterThan(0);
  });
});

describe('where the mark goes', () => {
  const partition = (highWaterMark: string | null, markIds: string[] = []): PartitionState => ({
    platform: 'messenger',
    folder: 'inbox',
    highWaterMark,
    markIds,
    scan: null,
    indexedConversations: 0,
    syncedAt: null,
    lastRun: null,
  });

  it.each([
    {
      rule: 'moves up to the newest trusted time of a completed scan',
      before: partition('2026-11-20T10:00:00+0000', ['a']),
      scan: { ...scanFrom('10:00:00', ['a']), topTime: '2026-11-20T11:00:00+0000', topIds: ['b'] },
      mark: ['2026-11-20T11:00:00+0000', ['b']],
    },
    {
      rule: 'merges the ids when the top is the mark second',
      before: partition('2026-11-20T10:00:00+0000', ['a']),
      scan: { ...scanFrom('10:00:00', ['a']), topTime: '2026-11-20T10:00:00+0000', topIds: ['a', 'c'] },
      mark: ['2026-11-20T10:00:00+0000', ['a', 'c']],
    },
    {
      rule: 'stays when the scan met nothing trusted',
      before: partition('2026-11-20T10:00:00+0000', ['a']),
      scan: scanFrom('10:00:00', ['a']),
      mark: ['2026-11-20T10:00:00+0000', ['a']],
    },
  ])('$rule', ({ before, scan, mark }) => {
    const after = completedPartition(before, scan);
    expect([after.highWaterMark, after.markIds]).toEqual(mark);
    expect(after.scan).toBeNull();
    expect(after.syncedAt).toBe(scan.startedAt);
  });

  it.each([
    [
      'a mark in the past is where the next scan stops',
      '2026-11-20T10:00:00+0000',
      '2026-11-20T10:00:00+0000',
    ],
    [
      'a mark in year 9999 (stored before times were screened) is ignored once',
      '9999-12-31T23:59:59+0000',
      null,
    ],
    ['a mark that is not a Graph time is ignored', '1', null],
    ['no mark: the first scan reads everything', null, null],
  ])('%s', (_, mark, stopAt) => {
    expect(trustedMark({ highWaterMark: mark, markIds: ['a'] }, NOW).stopAt).toBe(stopAt);
  });
});

describe('when a run stops for its budget', () => {
  it.each([
    [{ maxGraphCalls: undefined, callsMade: 99, remainingMs: undefined, safetyMarginMs: 15_000 }, undefined],
    [{ maxGraphCalls: 2, callsMade: 1, remainingMs: undefined, safetyMarginMs: 15_000 }, undefined],
    [{ maxGraphCalls: 2, callsMade: 2, remainingMs: undefined, safetyMarginMs: 15_000 }, 'budget of 2'],
    [{ maxGraphCalls: undefined, callsMade: 0, remainingMs: 20_000, safetyMarginMs: 15_000 }, undefined],
    [{ maxGraphCalls: undefined, callsMade: 0, remainingMs: 14_999, safetyMarginMs: 15_000 }, 'time limit'],
  ])('%o -> %s', (budget, reason) => {
    const stop = budgetStopReason(budget);
    if (reason === undefined) expect(stop).toBeUndefined();
    else expect(stop).toContain(reason);
  });
});

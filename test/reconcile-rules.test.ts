import { describe, expect, it } from 'vitest';
import type { Folder } from '#lib/domain/vocabulary.js';
import {
  type IndexedState,
  listedIds,
  listingWrites,
  MAX_SCAN_AGE_MS,
  reconcileDue,
  removable,
  scanStale,
} from '#lib/sync/reconcile-rules.js';

/** The pure rules of a reconciliation (lib/sync/reconcile-rules.ts), as tables. */

const NOW = new Date('2026-11-25T12:00:00Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

describe('when a platform is reconciled', () => {
  it.each([
    ['never reconciled (a state from before 0.3.0)', [null], 24, false, undefined, true],
    ['reconciled 23 h ago, every 24 h', [hoursAgo(23)], 24, false, undefined, false],
    ['reconciled 24 h ago, every 24 h', [hoursAgo(24)], 24, false, undefined, true],
    [
      'one folder 25 h ago, the other 1 h ago: the oldest decides',
      [hoursAgo(1), hoursAgo(25)],
      24,
      false,
      undefined,
      true,
    ],
    ['every 0 h: off', [hoursAgo(1000)], 0, false, undefined, false],
    ['every 0 h, but full=true', [hoursAgo(1)], 0, true, undefined, true],
    ['full=true an hour after the last', [hoursAgo(1)], 24, true, undefined, true],
    ['asked while busy, after the last', [hoursAgo(2)], 24, false, NOW.getTime() - 3_600_000, true],
    [
      'asked while busy, before the last (served)',
      [hoursAgo(1)],
      24,
      false,
      NOW.getTime() - 7_200_000,
      false,
    ],
    ['asked while busy, with the setting off', [hoursAgo(2)], 0, false, NOW.getTime() - 3_600_000, true],
  ] as const)('%s: %s', (_, times, everyHours, forced, requestedAt, due) => {
    // Act
    const answer = reconcileDue({
      partitions: times.map((reconciledAt) => ({ reconciledAt })),
      everyHours,
      forced,
      requestedAt,
      now: NOW,
    });
    // Assess
    expect(answer).toBe(due);
  });

  it.each([
    ['begun an hour ago over the same folders', 1, ['inbox', 'other'], false],
    ['begun beyond the age its chunks outlive', MAX_SCAN_AGE_MS / 3_600_000 + 1, ['inbox', 'other'], true],
    ['begun over folders no longer covered', 1, ['inbox'], true],
    ['begun over the same folders in another order', 1, ['other', 'inbox'], true],
  ] as const)('a scan in progress %s: starts again %s', (_, ageHours, covered, stale) => {
    const scan = { scanId: 's', startedAt: hoursAgo(ageHours), folders: ['inbox', 'other'] as Folder[] };
    expect(scanStale(scan, covered, NOW)).toBe(stale);
  });
});

describe('what a listing writes', () => {
  const held = (overrides: Partial<IndexedState>): IndexedState => ({
    folder: 'inbox',
    updatedTime: '2026-11-20T10:00:00+0000',
    revision: 3,
    writtenAt: 1,
    removed: false,
    ...overrides,
  });

  it.each([
    ['new to the index', undefined, '2026-11-20T10:00:00+0000', true],
    ['held as listed', held({}), '2026-11-20T10:00:00+0000', false],
    ['held as listed, written in another offset', held({}), '2026-11-20T11:00:00+0100', false],
    ['newer than held', held({}), '2026-11-20T10:00:01+0000', true],
    ['older than held (a webhook wrote later)', held({}), '2026-11-20T09:59:59+0000', false],
    ['held in another folder: moved', held({ folder: 'other' }), '2026-11-20T10:00:00+0000', true],
    ['a tombstone: it came back', held({ removed: true }), '2026-11-20T10:00:00+0000', true],
  ] as const)('%s: written %s', (_, state, listedTime, written) => {
    // Prepare
    const listed = [{ id: 't_1', updated_time: listedTime }];
    const known = new Map(state === undefined ? [] : [['t_1', state] as const]);
    // Act, Assess
    expect(listingWrites(listed, known, 'inbox')).toEqual(written ? listed : []);
  });

  it('counts as listed every item with an id Graph could have indexed, valid or not', () => {
    const items = [
      { id: 't_1', updated_time: '2026-11-20T10:00:00+0000' },
      { id: 't_2', updated_time: 'yesterday' },
      { id: '' },
      { id: 'x'.repeat(257) },
      { id: 7 },
      null,
      'junk',
    ];
    expect(listedIds(items)).toEqual(['t_1', 't_2']);
  });
});

describe('what a complete scan removes', () => {
  const started = NOW.getTime();
  it.each([
    ['seen, old', 't_1', started - 1, true, false],
    ['unseen, written before the scan began', 't_2', started - 1, false, true],
    ['unseen, written as the scan began', 't_3', started, false, false],
    ['unseen, written after the scan began', 't_4', started + 5_000, false, false],
    ['unseen, written before 0.3.0 (no time)', 't_5', 0, false, true],
  ] as const)('%s: removed %s', (_, id, writtenAt, seen, removed) => {
    expect(removable({ id, writtenAt }, new Set(seen ? [id] : []), started)).toBe(removed);
  });
});

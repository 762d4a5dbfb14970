import { describe, expect, it } from 'vitest';
import {
  indexKeys,
  keys,
  parseConversationKey,
  parseIndexedFolder,
  REGISTRY_PARTITION,
  registrySortKey,
} from '#lib/store/keys.js';

/** The table's keys as stored since it began: items already written must still be found. */

describe('every key, as stored', () => {
  it.each([
    ['cursor', keys.cursor('q3Zx'), 'CURSOR#q3Zx', 'CURSOR'],
    ['back-off', keys.backoff('1001'), 'BACKOFF#1001', 'BACKOFF'],
    ['sync state', keys.syncState('1001'), 'PAGE#1001', 'SYNC'],
    ['sync summary', keys.syncSummary('1001'), 'PAGE#1001', 'SUMMARY'],
    [
      'folder count',
      keys.folderCount('1001', 'messenger', 'page_done'),
      'PAGE#1001',
      'COUNT#messenger#page_done',
    ],
    [
      'webhook refresh',
      keys.refresh('1001', 'instagram', '5550001'),
      'PAGE#1001',
      'REFRESH#instagram#5550001',
    ],
    ['call pacing', keys.pacing('1001:messenger'), 'PACE#1001:messenger', 'PACE'],
    ['indexed conversation', keys.conversation('1001', 'messenger', 't_77'), 'CONV#1001#messenger', 't_77'],
    ['registered Page', keys.registeredPage('1001'), 'PAGES', `${'0'.repeat(28)}1001`],
    ['Instagram account', keys.instagramAccount('17841'), 'IGACCOUNT#17841', 'PAGE'],
    ['shared-secret lock', keys.secretLock('pages/shared'), 'SECRETLOCK#pages/shared', 'LOCK'],
    [
      'reconciliation chunk',
      keys.reconcileChunk('1001', 'instagram', 'c0ffee', 42),
      'RECON#1001#instagram',
      'c0ffee#000042',
    ],
    ['sync requested', keys.syncRequest('1001'), 'SYNCREQ#1001', 'REQUEST'],
  ])('%s: %s', (_, key, pk, sk) => {
    expect(key).toEqual({ pk, sk });
  });

  it.each([
    [
      'an indexed folder (gsi1pk)',
      indexKeys.indexedFolder({ pageId: '1001', platform: 'instagram', folder: 'spam' }),
      'IDX#1001#instagram#spam',
    ],
    [
      'an order by updated_time (gsi1sk)',
      indexKeys.updatedOrder({ id: 't_77', updated_time: '2026-11-20T11:00:05+0100' }),
      '2026-11-20T10:00:05Z#t_77',
    ],
    [
      '"updated after" an instant: the next whole second',
      indexKeys.updatedAfter(new Date('2026-11-20T10:00:05.300Z')),
      '2026-11-20T10:00:06Z',
    ],
    ['pending events of a Page (gsi2pk)', indexKeys.pendingEvents('1001'), 'EVENTS#1001'],
  ])('%s', (_, key, stored) => {
    expect(key).toBe(stored);
  });

  it('orders registered Pages numerically: the sort key pads the id to 32 digits', () => {
    // Prepare
    const ids = ['1001', '999', '30000000000000001', '12345678901234567890123456789012'];

    // Act
    const sorted = [...ids].sort((a, b) => (registrySortKey(a) < registrySortKey(b) ? -1 : 1));

    // Assess
    expect(sorted).toEqual(['999', '1001', '30000000000000001', '12345678901234567890123456789012']);
    expect(keys.registeredPage('1001').pk).toBe(REGISTRY_PARTITION);
  });
});

describe('keys read back', () => {
  it('parses the key of an indexed conversation it built', () => {
    expect(parseConversationKey(keys.conversation('1001', 'instagram', 'aWdfZAG06'))).toEqual({
      pageId: '1001',
      platform: 'instagram',
      conversationId: 'aWdfZAG06',
    });
  });

  it.each([
    ['another item', keys.syncState('1001')],
    ['an unknown platform', { pk: 'CONV#1001#whatsapp', sk: 't_1' }],
    ['a part missing', { pk: 'CONV#1001', sk: 't_1' }],
    ['a part too many', { pk: 'CONV#1001#messenger#x', sk: 't_1' }],
    ['no sort key', { pk: 'CONV#1001#messenger' }],
  ])('refuses %s', (_, key) => {
    expect(parseConversationKey(key)).toBeUndefined();
  });

  it('parses the folder of an index key it built', () => {
    const folder = { pageId: '1001', platform: 'messenger', folder: 'page_done' } as const;
    expect(parseIndexedFolder(indexKeys.indexedFolder(folder))).toEqual(folder);
  });

  it.each([
    ['nothing', undefined],
    ['a pending-events key', 'EVENTS#1001'],
    ['an unknown folder', 'IDX#1001#messenger#archive'],
    ['an unknown platform', 'IDX#1001#sms#inbox'],
    ['an empty Page id', 'IDX##messenger#inbox'],
    ['a part too many', 'IDX#1001#messenger#inbox#x'],
  ])('refuses %s as a folder', (_, indexKey) => {
    expect(parseIndexedFolder(indexKey)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { parseConversationsRequest } from '#lib/http/request-params.js';

const PAGE = { pageId: '1000000000000001' };
const parse = (query: string) => parseConversationsRequest(PAGE, query);

describe('parsing GET /pages/{pageId}/conversations', () => {
  it.each([
    ['', { source: 'graph', platform: 'messenger', limit: 25, folder: undefined, userId: undefined }],
    ['platform=INSTAGRAM', { platform: 'instagram', fields: ['id', 'updated_time', 'participants'] }],
    ['folder=Page_Done', { folder: 'page_done' }],
    ['user_id=42', { userId: '42' }],
    ['limit=1', { limit: 1 }],
    ['limit=100', { limit: 100 }],
    ['limit=007', { limit: 7 }],
    ['fields=snippet', { fields: ['id', 'snippet'] }],
    ['fields=snippet,id,snippet', { fields: ['id', 'snippet'] }],
    ['after=abc', { after: 'abc', before: undefined }],
    ['before=abc', { before: 'abc', after: undefined }],
    [
      'updated_since=2026-11-20T10:00:00%2B0000',
      { source: 'index', updatedSince: new Date('2026-11-20T10:00:00Z') },
    ],
    ['updated_since=2026-11-20T11:00%2B01:00', { updatedSince: new Date('2026-11-20T10:00:00Z') }],
    ['fields=%20snippet%20,link', { fields: ['id', 'snippet', 'link'] }],
    [
      'updated_since=2026-11-20T10:00:00Z&platform=instagram',
      { fields: ['id', 'updated_time', 'message_count', 'unread_count', 'participants'] },
    ],
    ['updated_since=2026-11-20T10:00:00.5Z&fields=snippet', { source: 'index', fields: ['id', 'snippet'] }],
  ])('"%s" reads as %o', (query, expected) => {
    expect(parse(query)).toMatchObject(expected);
  });

  it.each([
    ['pageId', { pageId: 'abc' }, ''],
    ['pageId', {}, ''],
    ['platform', PAGE, 'platform=whatsapp'],
    ['folder', PAGE, 'folder=archive'],
    ['user_id', PAGE, 'user_id=-1'],
    ['limit', PAGE, 'limit=0'],
    ['limit', PAGE, 'limit=101'],
    ['limit', PAGE, 'limit=1e2'],
    ['limit', PAGE, 'limit=0100'],
    ['limit', PAGE, 'limit=%205'],
    ['limit', PAGE, 'limit='],
    ['fields', PAGE, 'fields=snippet,'],
    ['before', PAGE, 'before='],
    ['fields', PAGE, 'fields=access_token'],
    ['fields', PAGE, 'platform=instagram&fields=link'],
    ['before', PAGE, 'after=a&before=b'],
    ['after', PAGE, 'after='],
    ['access_token', PAGE, 'access_token=x'],
    ['folder', PAGE, 'folder=inbox&folder=inbox'],
    ['updated_since', PAGE, 'updated_since=2026-11-20'],
    ['updated_since', PAGE, 'updated_since=2026-13-40T10:00:00Z'],
    ['user_id', PAGE, 'updated_since=2026-11-20T10:00:00Z&user_id=1'],
    ['fields', PAGE, 'updated_since=2026-11-20T10:00:00Z&fields=subject'],
  ])('a bad %s is refused naming it (%o ?%s)', (parameter, path, query) => {
    expect(() => parseConversationsRequest(path, query)).toThrow(
      expect.objectContaining({ code: 'invalid_request', parameter }),
    );
  });
});

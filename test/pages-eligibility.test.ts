import { describe, expect, it } from 'vitest';
import type { ManagedPage } from '#lib/graph/graph-accounts.js';
import type { TokenGrants } from '#lib/pages/eligibility.js';
import { eligibility } from '#lib/pages/eligibility.js';

const ALL = [
  'pages_messaging',
  'pages_manage_metadata',
  'pages_read_engagement',
  'instagram_basic',
  'instagram_manage_messages',
];
const page = (over: Partial<ManagedPage> = {}): ManagedPage => ({
  id: '1',
  name: 'Acme',
  accessToken: 'EMULATOR-PAGE-TOKEN-1',
  tasks: ['MESSAGING'],
  instagramAccountId: undefined,
  ...over,
});
const grants = (scopes = ALL, targets: Record<string, string[]> = {}): TokenGrants => ({
  scopes,
  targets: new Map(Object.entries(targets).map(([scope, ids]) => [scope, new Set(ids)])),
});

describe('which Pages connect can serve', () => {
  it.each([
    ['every permission and MESSAGING', page(), grants(), { eligible: true, missing: [], instagram: false }],
    [
      'MODERATE instead of MESSAGING',
      page({ tasks: ['MODERATE'] }),
      grants(),
      { eligible: true, missing: [], instagram: false },
    ],
    [
      'no messaging task',
      page({ tasks: ['ANALYZE'] }),
      grants(),
      { eligible: false, missing: ['task MESSAGING or MODERATE (has ANALYZE)'], instagram: false },
    ],
    [
      'pages_messaging not granted at all',
      page(),
      grants(ALL.filter((s) => s !== 'pages_messaging')),
      { eligible: false, missing: ['permission pages_messaging'], instagram: false },
    ],
    [
      'pages_messaging granted for other Pages only',
      page(),
      grants(ALL, { pages_messaging: ['2', '3'] }),
      { eligible: false, missing: ['permission pages_messaging'], instagram: false },
    ],
    [
      'Instagram account with its permissions',
      page({ instagramAccountId: '178414' }),
      grants(),
      { eligible: true, missing: [], instagram: true },
    ],
    [
      'Instagram account without instagram_manage_messages: Messenger still served',
      page({ instagramAccountId: '178414' }),
      grants(ALL, { instagram_manage_messages: ['9'] }),
      {
        eligible: true,
        missing: ['permission instagram_manage_messages (for its Instagram account)'],
        instagram: false,
      },
    ],
    [
      'no Page token in /me/accounts',
      page({ accessToken: undefined }),
      grants(),
      { eligible: false, missing: ['a Page access token in /me/accounts'], instagram: false },
    ],
  ])('%s', (_case, managed, granted, expected) => {
    expect(eligibility(managed, granted)).toEqual(expected);
  });
});

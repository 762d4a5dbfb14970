import { describe, expect, it } from 'vitest';
import { MAX_TARGETS_PER_DELIVERY } from '#lib/webhooks/delivery-limits.js';
import { readWebhookTargets } from '#lib/webhooks/webhook-payload.js';

const PAGE = '1000000000000001';
const IG = '17841400000000001';
const PSID = '2000000000000042';
const IGSID = '6000000000000042';

/** Meta's shapes, as its Messenger and Instagram webhook references show them. */
const message = {
  sender: { id: PSID },
  recipient: { id: PAGE },
  timestamp: 1_790_000_000_100,
  message: { mid: 'm_1', text: 'hi' },
};
const echo = {
  sender: { id: PAGE },
  recipient: { id: PSID },
  timestamp: 1_790_000_000_200,
  message: { mid: 'm_2', is_echo: true, app_id: 1, text: 'hello' },
};
const postback = {
  sender: { id: PSID },
  recipient: { id: PAGE },
  timestamp: 1_790_000_000_300,
  postback: { title: 'Start', payload: 'GET_STARTED', mid: 'm_3' },
};
const reaction = {
  sender: { id: PSID },
  recipient: { id: PAGE },
  timestamp: 1_790_000_000_400,
  reaction: { mid: 'm_1', action: 'react', reaction: 'love', emoji: '❤' },
};
const read = {
  sender: { id: PSID },
  recipient: { id: PAGE },
  timestamp: 1_790_000_000_500,
  read: { watermark: 1_790_000_000_000 },
};
const optin = {
  sender: { id: PSID },
  recipient: { id: PAGE },
  timestamp: 1_790_000_000_600,
  optin: { ref: 'x' },
};
const delivery = { sender: { id: PSID }, recipient: { id: PAGE }, delivery: { mids: ['m_1'], watermark: 1 } };
const page = (messaging: unknown[]) => ({ object: 'page', entry: [{ id: PAGE, time: 1, messaging }] });

describe('reading a webhook body into the people whose conversations changed', () => {
  it.each([
    [
      'a message names its sender',
      page([message]),
      [{ object: 'page', accountId: PAGE, personId: PSID, eventTime: message.timestamp }],
    ],
    [
      'an echo names its recipient',
      page([echo]),
      [{ object: 'page', accountId: PAGE, personId: PSID, eventTime: echo.timestamp }],
    ],
    [
      'a postback names its sender',
      page([postback]),
      [{ object: 'page', accountId: PAGE, personId: PSID, eventTime: postback.timestamp }],
    ],
    [
      'a reaction names its sender',
      page([reaction]),
      [{ object: 'page', accountId: PAGE, personId: PSID, eventTime: reaction.timestamp }],
    ],
    [
      'a read names its sender',
      page([read]),
      [{ object: 'page', accountId: PAGE, personId: PSID, eventTime: read.timestamp }],
    ],
    [
      'several items for one person count once, with the newest time',
      page([read, message, echo]),
      [{ object: 'page', accountId: PAGE, personId: PSID, eventTime: read.timestamp }],
    ],
    ['an optin concerns no conversation', page([optin]), []],
    ['a delivery receipt concerns no conversation', page([delivery]), []],
    [
      'an Instagram message names the Instagram account and the IGSID',
      {
        object: 'instagram',
        entry: [
          {
            id: IG,
            time: 1,
            messaging: [
              {
                sender: { id: IGSID },
                recipient: { id: IG },
                timestamp: 5,
                message: { mid: 'x', text: 'hey' },
              },
            ],
          },
        ],
      },
      [{ object: 'instagram', accountId: IG, personId: IGSID, eventTime: 5 }],
    ],
    ['another object is ignored', { object: 'user', entry: [{ id: PAGE, messaging: [message] }] }, []],
    [
      'a change entry without messaging is ignored',
      { object: 'page', entry: [{ id: PAGE, changes: [{ field: 'feed' }] }] },
      [],
    ],
    [
      'an entry id that is not digits is ignored',
      { object: 'page', entry: [{ id: '../x', messaging: [message] }] },
      [],
    ],
    ['a sender id that is not digits is ignored', page([{ ...message, sender: { id: 'abc' } }]), []],
    ['an item from the Page to itself is ignored', page([{ ...message, sender: { id: PAGE } }]), []],
    [
      'an item without a timestamp still names the person',
      page([{ ...message, timestamp: undefined }]),
      [{ object: 'page', accountId: PAGE, personId: PSID }],
    ],
    ['a body that is not an object is ignored', [1, 2], []],
    ['null is ignored', null, []],
  ])('%s', (_, body, expected) => {
    // Act
    const { targets, dropped } = readWebhookTargets(body);
    // Assess
    expect(targets).toEqual(expected);
    expect(dropped).toBe(0);
  });

  it('reads many entries and items of one POST, one target per account and person', () => {
    // Prepare
    const other = '1000000000000002';
    const body = {
      object: 'page',
      entry: [
        { id: PAGE, time: 1, messaging: [message, { ...message, sender: { id: '2000000000000043' } }] },
        { id: other, time: 1, messaging: [{ ...message, recipient: { id: other } }] },
        { id: PAGE, time: 2, messaging: [echo] },
      ],
    };
    // Act
    const targets = readWebhookTargets(body).targets.map(
      ({ accountId, personId }) => `${accountId}/${personId}`,
    );
    // Assess
    expect(targets.sort()).toEqual(
      [`${PAGE}/${PSID}`, `${PAGE}/2000000000000043`, `${other}/${PSID}`].sort(),
    );
  });

  it('takes the first 1,000 distinct (account, person) pairs and counts the rest once each', () => {
    // Prepare: 1,500 people, each named twice (the second time later), on two Pages.
    const other = '1000000000000002';
    const item = (person: number, timestamp: number) => ({
      ...message,
      sender: { id: String(2_000_000_000_000_000 + person) },
      timestamp,
    });
    const people = Array.from({ length: 750 }, (_, i) => i);
    const body = {
      object: 'page',
      entry: [
        { id: PAGE, time: 1, messaging: people.map((i) => item(i, 10)) },
        { id: other, time: 1, messaging: people.map((i) => item(i, 10)) },
        { id: PAGE, time: 2, messaging: people.map((i) => item(i, 20)) },
        { id: other, time: 2, messaging: people.map((i) => item(i, 20)) },
      ],
    };
    // Act
    const { targets, dropped } = readWebhookTargets(body);
    // Assess: Page 1's 750 and the first 250 of the other Page, each with its newest time; 500 left out.
    expect(targets).toHaveLength(MAX_TARGETS_PER_DELIVERY);
    expect(dropped).toBe(500);
    expect(targets.filter((target) => target.accountId === other)).toHaveLength(250);
    expect(targets.every((target) => target.eventTime === 20)).toBe(true);
  });
});

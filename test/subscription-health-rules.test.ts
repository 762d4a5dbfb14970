import { describe, expect, it } from 'vitest';
import { PermissionDeniedError, UpstreamError } from '#lib/domain/errors.js';
import {
  checkSubscription,
  readSubscribedFields,
  subscriptionStatus,
  WEBHOOK_FIELDS,
} from '#lib/graph/graph-subscriptions.js';
import { createMetrics } from '#lib/telemetry/metrics.js';
import { captureOutput, emfTotal, readEmfLines } from './support/emf.js';

/**
 * The pure rules of webhook subscription health: which fields make `subscribed`, how Graph's answer
 * is read as input, what a check records for each answer, and the level metric's zero.
 */

const ALL = [...WEBHOOK_FIELDS];
const NOW = new Date('2026-12-01T09:00:00.000Z');

describe('the subscription rules', () => {
  it.each([
    ['every conversation field', ALL, 'subscribed'],
    ['every conversation field and more', [...ALL, 'feed'], 'subscribed'],
    ['all but message_reads', ALL.filter((field) => field !== 'message_reads'), 'not_subscribed'],
    ['only messages', ['messages'], 'not_subscribed'],
    ['none (no app listed)', [], 'not_subscribed'],
  ])('%s is %s', (_, fields, status) => {
    expect(subscriptionStatus(fields)).toBe(status);
  });

  it.each([
    ['no data', {}, []],
    ['data not a list', { data: 'x' }, []],
    ['an app without fields', { data: [{ id: '1' }] }, []],
    [
      'fields that are not field names are dropped, repeats once',
      { data: [{ subscribed_fields: ['messages', 'messages', 7, 'Bad Field', 'x'.repeat(65), 'feed'] }] },
      ['messages', 'feed'],
    ],
    [
      'at most 64 fields',
      { data: [{ subscribed_fields: Array.from({ length: 100 }, (_, i) => `field_${i}`) }] },
      Array.from({ length: 64 }, (_, i) => `field_${i}`),
    ],
  ])("Graph's answer with %s", (_, json, fields) => {
    expect(readSubscribedFields(json)).toEqual(fields);
  });

  it.each([
    // [what Graph does, auto-subscribe, status recorded, fields recorded, POSTs made, resubscribed]
    ['lists every field', ALL, undefined, false, 'subscribed', ALL, 0, false],
    ['lists none', [], undefined, false, 'not_subscribed', [], 0, false],
    ['lists none, renewed', [], undefined, true, 'subscribed', ALL, 1, true],
    ['lists some, renewed keeping them', ['feed'], undefined, true, 'subscribed', ['feed', ...ALL], 1, true],
    [
      'refuses the read (permission)',
      new PermissionDeniedError('(#200) Requires pages_manage_metadata', { graph: { code: 200 } }),
      undefined,
      true,
      'unknown',
      [],
      0,
      false,
    ],
    [
      'fails the read',
      new UpstreamError('Graph answered HTTP 500'),
      undefined,
      true,
      'unknown',
      [],
      0,
      false,
    ],
    [
      'refuses the renewal',
      ['messages'],
      new PermissionDeniedError('(#200) Requires pages_manage_metadata', { graph: { code: 200 } }),
      true,
      'not_subscribed',
      ['messages'],
      1,
      false,
    ],
  ] as const)(
    'when Graph %s',
    async (_, read, subscribeError, autoSubscribe, status, fields, posts, resubscribed) => {
      // Prepare
      let posted = 0;
      const calls = {
        read: async () => {
          if (read instanceof Error) throw read;
          return [...read];
        },
        subscribe: async () => {
          posted++;
          if (subscribeError !== undefined) throw subscribeError;
        },
      };
      // Act
      const check = await checkSubscription(calls, { autoSubscribe, now: NOW });
      // Assess
      expect(check.health).toEqual({ status, fields: [...fields], checkedAt: NOW.toISOString() });
      expect(posted).toBe(posts);
      expect(check.resubscribed).toBe(resubscribed);
      expect(check.problem === undefined).toBe(
        status === 'subscribed' || (status === 'not_subscribed' && posts === 0),
      );
    },
  );
});

describe('the PagesNotSubscribed level', () => {
  it('prints its 0, which a count leaves out, so that its alarm sees the problem end', () => {
    // Prepare
    const metrics = createMetrics('page-conversations-sync-schedule');
    const output = captureOutput();
    // Act
    try {
      metrics.count('PagesNotSubscribed', 0);
      metrics.count('PagesScheduled', 0);
      metrics.publishStoredMetrics();
    } finally {
      output.stop();
    }
    // Assess
    const lines = readEmfLines(output.text());
    expect(lines.filter((line) => 'PagesNotSubscribed' in line.metrics)).toHaveLength(1);
    expect(emfTotal(lines, 'PagesNotSubscribed')).toBe(0);
    expect(lines.filter((line) => 'PagesScheduled' in line.metrics)).toHaveLength(0);
  });
});

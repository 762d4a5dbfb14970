import * as v from 'valibot';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { components } from '#lib/client/api-types.js';
import { describeError } from '#lib/domain/error-body.js';
import { PageTokenInvalidError, RateLimitedError } from '#lib/domain/errors.js';
import { pageView, tokenHealthError } from '#lib/domain/page.js';
import * as common from '#lib/domain/shapes/common.js';
import type * as conversations from '#lib/domain/shapes/conversations.js';
import * as pages from '#lib/domain/shapes/pages.js';
import type * as service from '#lib/domain/shapes/service.js';
import * as sync from '#lib/domain/shapes/sync.js';

/**
 * The HTTP shapes of lib/domain/shapes: the types inferred from them are the types the client generates
 * from the document emitted from them, the producers of the answers make values they accept, and a
 * value outside them is refused naming where. (The query shapes: http-shapes-queries.test.ts.)
 */

type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
type Shape<S extends v.GenericSchema> = v.InferOutput<S>;

describe('the shapes, their inferred types and the generated client types', () => {
  test('each component type is assignable both ways with the generated client type', () => {
    expectTypeOf<Shape<typeof common.ErrorAnswerSchema>>().toExtend<Schema<'Error'>>();
    expectTypeOf<Schema<'Error'>>().toExtend<Shape<typeof common.ErrorAnswerSchema>>();
    expectTypeOf<sync.SyncStatus>().toExtend<Schema<'SyncState'>>();
    expectTypeOf<Schema<'SyncState'>>().toExtend<sync.SyncStatus>();
    expectTypeOf<sync.SyncStarted>().toExtend<Schema<'SyncStarted'>>();
    expectTypeOf<Schema<'SyncStarted'>>().toExtend<sync.SyncStarted>();
    expectTypeOf<conversations.ConversationsBody>().toExtend<Schema<'ConversationsPage'>>();
    expectTypeOf<Schema<'ConversationsPage'>>().toExtend<conversations.ConversationsBody>();
    expectTypeOf<service.Health>().toExtend<Schema<'Health'>>();
    expectTypeOf<Schema<'Health'>>().toExtend<service.Health>();
    expectTypeOf<service.WebhookReceived>().toExtend<Schema<'WebhookReceived'>>();
    expectTypeOf<Schema<'WebhookReceived'>>().toExtend<service.WebhookReceived>();
    expectTypeOf<Schema<'PagesPage'>>().toExtend<pages.PagesBody>();
    // A token's `reason` is any string until Graph's error table declares its words `as const`
    // (lib/domain/graph-error-table.ts); then this line fails and becomes `toExtend`, like the rest.
    expectTypeOf<pages.PagesBody>().not.toExtend<Schema<'PagesPage'>>();
  });

  test('the producers of the answers make values that the shapes accept', () => {
    // Prepare
    const now = new Date('2026-11-20T10:00:00.000Z');
    const throttled = describeError(
      new RateLimitedError('Graph throttles this page.', new Date('2026-11-20T10:05:00.000Z'), {
        graph: { code: 4, fbtrace_id: 'trace' },
      }),
      now,
    );
    const rejected = tokenHealthError(
      new PageTokenInvalidError('Graph rejected it', { graph: { code: 190, error_subcode: 463 } }),
    );
    const page = pageView({
      pageId: '123',
      name: 'A Page',
      instagramAccountId: undefined,
      token: { kind: 'page-secret' },
      health: { status: 'invalid', checkedAt: now.toISOString(), error: rejected, invalidAtVersion: 'v1' },
      sync: { status: 'failed', syncedAt: now.toISOString(), lastOutcome: 'failed' },
      registeredAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    const run: sync.RunRecord = {
      started_at: now.toISOString(),
      finished_at: now.toISOString(),
      outcome: 'failed',
      graph_calls: 1,
      conversations_changed: 0,
      skipped_items: 0,
      moved: 0,
      removed: 0,
      error: throttled,
    };
    const status: sync.SyncStatus = {
      page_id: '123',
      partitions: [
        {
          platform: 'messenger',
          folder: 'inbox',
          high_water_mark: '2026-11-20T09:00:00+0000',
          status: 'failed',
          indexed_conversations: 3,
          synced_at: null,
          reconciled_at: null,
          last_run: run,
        },
      ],
    };
    // Act, Assess
    expect(v.parse(common.ErrorAnswerSchema, { error: throttled })).toEqual({ error: throttled });
    expect(v.parse(pages.PagesBodySchema, { data: [page] })).toEqual({ data: [page] });
    expect(v.parse(sync.SyncStatusSchema, status)).toEqual(status);
  });

  test('a value outside a shape is refused, naming where', () => {
    // Act
    const result = v.safeParse(sync.SyncStatusSchema, {
      page_id: '123',
      partitions: [{ platform: 'whatsapp' }],
    });
    // Assess
    expect(result.success).toBe(false);
    expect(v.getDotPath(result.issues?.[0] as v.BaseIssue<unknown>)).toBe('partitions.0.platform');
  });
});

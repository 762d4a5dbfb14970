import * as v from 'valibot';
import { describe, expect, expectTypeOf, it, test } from 'vitest';
import type { components } from '#lib/client/api-types.js';
import { describeError, type ErrorBody as TodayErrorBody } from '#lib/domain/error-body.js';
import { PageTokenInvalidError, RateLimitedError } from '#lib/domain/errors.js';
import {
  pageView,
  TOKEN_STATUSES as TODAY_TOKEN_STATUSES,
  type PageView as TodayPageView,
  tokenHealthError,
} from '#lib/domain/page.js';
import * as common from '#lib/domain/shapes/common.js';
import type * as conversations from '#lib/domain/shapes/conversations.js';
import { openApiComponents, openApiQueryParameters } from '#lib/domain/shapes/document.js';
import * as pages from '#lib/domain/shapes/pages.js';
import { ConversationsQuerySchema, INSTANT_PATTERN, PagesQuerySchema } from '#lib/domain/shapes/queries.js';
import type * as service from '#lib/domain/shapes/service.js';
import * as sync from '#lib/domain/shapes/sync.js';
import {
  RUN_OUTCOMES as TODAY_RUN_OUTCOMES,
  type RunRecord as TodayRunRecord,
} from '#lib/domain/sync-state.js';
import type { ConversationsBody as TodayConversationsBody } from '#lib/http/conversations-body.js';
import { schemas } from '#lib/http/openapi-schemas.js';
import { SYNC_STATUSES as TODAY_SYNC_STATUSES } from '#lib/http/openapi-schemas-pages.js';
import type { PagesBody as TodayPagesBody } from '#lib/http/pages-body.js';
import { CONVERSATIONS_QUERY, openApiParameter, PAGES_QUERY } from '#lib/http/query-parameters.js';
import type { SyncStatus as TodaySyncStatus } from '#lib/sync/sync-control.js';

/**
 * Issue 17, item 1, before the wiring: the shapes of lib/domain/shapes must emit the very components,
 * parameters and types that the hand-written tables give today, so that switching the document, the
 * handlers and the types over to them changes nothing a caller sees. (The query parsers are compared
 * case by case in http-shapes-queries.test.ts.)
 */

type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
type Shape<S extends v.GenericSchema> = v.InferOutput<S>;

describe('the shapes emit the OpenAPI components of today', () => {
  const emitted = openApiComponents() as Record<string, unknown>;

  test('one component per shape, named as today', () => {
    expect(Object.keys(emitted).sort()).toEqual(Object.keys(schemas).sort());
  });

  it.each(Object.keys(schemas))('%s is the same JSON Schema', (name) => {
    // Deep equality: the order of keys means nothing in JSON Schema; every word, enum and $ref counts.
    expect(emitted[name]).toEqual(schemas[name as keyof typeof schemas]);
  });
});

describe('the query shapes emit the OpenAPI parameters of today', () => {
  /**
   * The one intended difference: the document now states that a cursor is never empty, which the
   * parser has always refused (`after=` is a 400).
   */
  const cursorsNonEmpty = (parameter: { name: string; schema: object }) =>
    parameter.name === 'after' || parameter.name === 'before'
      ? { ...parameter, schema: { ...parameter.schema, minLength: 1 } }
      : parameter;

  test('GET /pages/{pageId}/conversations, in the same order', () => {
    const today = Object.entries(CONVERSATIONS_QUERY).map(([name, rule]) =>
      openApiParameter(name, 'query', rule),
    );
    expect(openApiQueryParameters(ConversationsQuerySchema)).toEqual(today.map(cursorsNonEmpty));
  });

  test('GET /pages, in the same order', () => {
    const today = Object.entries(PAGES_QUERY).map(([name, rule]) => openApiParameter(name, 'query', rule));
    expect(openApiQueryParameters(PagesQuerySchema)).toEqual(today.map(cursorsNonEmpty));
  });

  test('the lists the shapes declare are the lists the code uses today', () => {
    expect(sync.RUN_OUTCOMES).toEqual(TODAY_RUN_OUTCOMES);
    expect(sync.SYNC_STATUSES).toEqual(TODAY_SYNC_STATUSES);
    expect(pages.TOKEN_STATUSES).toEqual(TODAY_TOKEN_STATUSES);
    expect(INSTANT_PATTERN).toBe(CONVERSATIONS_QUERY.updated_since.pattern);
  });
});

describe('the inferred types are the types of today', () => {
  test('each body type is assignable both ways with the hand-written one', () => {
    // Checked by tsc (npm run lint): expectTypeOf does nothing at run time.
    expectTypeOf<common.ErrorBody>().toExtend<TodayErrorBody>();
    expectTypeOf<TodayErrorBody>().toExtend<common.ErrorBody>();
    expectTypeOf<sync.RunRecord>().toExtend<TodayRunRecord>();
    expectTypeOf<TodayRunRecord>().toExtend<sync.RunRecord>();
    expectTypeOf<sync.SyncStatus>().toExtend<TodaySyncStatus>();
    expectTypeOf<TodaySyncStatus>().toExtend<sync.SyncStatus>();
    expectTypeOf<pages.PageView>().toExtend<TodayPageView>();
    expectTypeOf<TodayPageView>().toExtend<pages.PageView>();
    expectTypeOf<pages.PagesBody>().toExtend<TodayPagesBody>();
    expectTypeOf<TodayPagesBody>().toExtend<pages.PagesBody>();
    // Today's conversation type requires `updated_time`, though `fields` may leave it out of an answer
    // (the document has always said so); the wiring types the body's items with the shape's.
    expectTypeOf<TodayConversationsBody>().toExtend<conversations.ConversationsBody>();
    expectTypeOf<conversations.ConversationsBody>().not.toExtend<TodayConversationsBody>();
  });

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

  test("today's producers make values that the shapes accept", () => {
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
    const run: TodayRunRecord = {
      started_at: now.toISOString(),
      finished_at: now.toISOString(),
      outcome: 'failed',
      graph_calls: 1,
      conversations_changed: 0,
      skipped_items: 0,
      error: throttled,
    };
    const status: TodaySyncStatus = {
      page_id: '123',
      partitions: [
        {
          platform: 'messenger',
          folder: 'inbox',
          high_water_mark: '2026-11-20T09:00:00+0000',
          status: 'failed',
          indexed_conversations: 3,
          synced_at: null,
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

import { MAX_CONVERSATION_ID_LENGTH } from '../domain/conversation.js';
import { ERROR_CODES } from '../domain/errors.js';
import { GRAPH_TIME_PATTERN } from '../domain/graph-time.js';
import { RUN_OUTCOMES } from '../domain/sync-state.js';
import { FOLDERS, PLATFORMS } from '../domain/vocabulary.js';
import { pageSchemas, SYNC_STATUSES } from './openapi-schemas-pages.js';

/**
 * The named schemas of the OpenAPI document (`components.schemas`). Enums are read from the lists the
 * code itself uses. Objects this API builds are closed (`additionalProperties: false`); objects Graph
 * builds (a conversation, a participant) stay open, since Graph may add fields.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });

/** An instant this API writes itself: always `Date.prototype.toISOString()`, so RFC 3339. */
const isoInstant = (description: string) => ({ type: 'string', format: 'date-time', description });

const participants = (description: string) => ({
  type: 'object',
  description,
  required: ['data'],
  properties: { data: { type: 'array', items: ref('Participant') } },
});

export const schemas = {
  Platform: {
    type: 'string',
    enum: [...PLATFORMS],
    description: 'As this API writes it: lowercase. Query parameters take it in any case.',
  },
  Folder: {
    type: 'string',
    enum: [...FOLDERS],
    description: 'As this API writes it: lowercase. Query parameters take it in any case.',
  },
  GraphTime: {
    type: 'string',
    pattern: GRAPH_TIME_PATTERN,
    description:
      'A time as Graph writes it, e.g. 2026-11-20T10:00:00+0000: ISO 8601 with a zone offset that has no colon, so not RFC 3339 (the OpenAPI date-time format). One-second resolution. Passed on as Graph wrote it.',
    examples: ['2026-11-20T10:00:00+0000'],
  },
  Participant: {
    type: 'object',
    description:
      'A person or Page in a conversation, as Graph gives it: Messenger gives name, email and id; Instagram gives username and id (and may give name).',
    required: ['id'],
    properties: {
      id: {
        type: 'string',
        description: 'A Page-scoped or Instagram-scoped user id, or the Page (or account) id.',
      },
      name: { type: 'string' },
      email: {
        type: 'string',
        description: "Messenger only: Graph's proxy address, e.g. <id>@facebook.com.",
      },
      username: { type: 'string', description: 'Instagram only.' },
    },
  },
  Conversation: {
    type: 'object',
    description:
      "One conversation in Graph's own shape, with the fields asked for (`fields`); `id` always. Instagram conversations lack link, snippet, senders, subject, former_participants and scoped_thread_key.",
    required: ['id'],
    properties: {
      id: { type: 'string', minLength: 1, maxLength: MAX_CONVERSATION_ID_LENGTH, examples: ['t_123'] },
      updated_time: { ...ref('GraphTime'), description: 'The last activity in the conversation.' },
      link: { type: 'string', description: 'Where the Page reads it in Meta Business Suite (a path).' },
      snippet: { type: 'string', description: 'The last message, shortened.' },
      message_count: { type: 'integer', minimum: 0 },
      unread_count: { type: 'integer', minimum: 0 },
      participants: participants('The people and the Page (or Instagram account) in the conversation.'),
      senders: participants('Those who sent messages in it.'),
      former_participants: participants('Those who left it.'),
      can_reply: { type: 'boolean', description: 'Whether the Page may reply now (messaging window).' },
      is_subscribed: { type: 'boolean' },
      name: { type: 'string' },
      subject: { type: 'string' },
      scoped_thread_key: { type: 'string' },
    },
  },
  Cursors: {
    type: 'object',
    description:
      'Opaque cursors of this API (never Graph cursors), bound to the page and query they came from.',
    additionalProperties: false,
    properties: { before: { type: 'string' }, after: { type: 'string' } },
  },
  Paging: {
    type: 'object',
    description:
      "Graph's paging shape. `next` is absent on the last page and `previous` on the first; both repeat the query in normalized form with a cursor.",
    required: ['cursors'],
    additionalProperties: false,
    properties: {
      cursors: ref('Cursors'),
      next: {
        type: 'string',
        format: 'uri-reference',
        description:
          "This API's own URL of the next page: PUBLIC_BASE_URL, else API Gateway's domain and stage.",
      },
      previous: { type: 'string', format: 'uri-reference', description: 'Likewise, the previous page.' },
    },
  },
  ConversationsPage: {
    type: 'object',
    description:
      'One page of conversations, newest activity first, in Graph\'s shape; `{"data": []}` when empty.',
    required: ['data'],
    additionalProperties: false,
    properties: {
      data: { type: 'array', items: ref('Conversation') },
      paging: ref('Paging'),
      synced_at: {
        ...nullable({ type: 'string', format: 'date-time' }),
        description:
          'Only with updated_since: when the scheduled sync last brought the index of this platform and folder up to date; null before its first complete scan.',
      },
    },
  },
  GraphErrorDetails: {
    type: 'object',
    description: "Graph's own identifiers of the error behind this one, where Graph gave them.",
    additionalProperties: false,
    properties: {
      code: { type: 'integer' },
      error_subcode: { type: 'integer' },
      fbtrace_id: { type: 'string', maxLength: 1000 },
    },
  },
  ErrorDetail: {
    type: 'object',
    description: "This API's error shape. It never carries a token or a secret.",
    required: ['code', 'message'],
    additionalProperties: false,
    properties: {
      code: { type: 'string', enum: [...ERROR_CODES] },
      message: { type: 'string', description: 'For people; never parse it.' },
      parameter: {
        type: 'string',
        description: 'With invalid_request: the path or query parameter at fault, when one is.',
      },
      retry_after_seconds: {
        type: 'integer',
        minimum: 1,
        description: 'With rate_limited: seconds to wait, as in Retry-After.',
      },
      retry_at: isoInstant('With rate_limited: when the page may be asked again.'),
      graph: ref('GraphErrorDetails'),
    },
  },
  Error: {
    type: 'object',
    description: 'Every error this API answers: JSON, never an HTML page or a stack trace.',
    required: ['error'],
    additionalProperties: false,
    properties: { error: ref('ErrorDetail') },
  },
  GatewayError: {
    type: 'object',
    description:
      'An answer of API Gateway itself, before or instead of this API\'s function: e.g. {"message": "Forbidden"} (a request not signed or not allowed), {"message": "Unauthorized"} (no valid JWT), {"message": "Too Many Requests"} (the stage\'s throttle), {"message": "Not Found"} (no such route or method).',
    required: ['message'],
    properties: { message: { type: 'string' } },
  },
  SyncRun: {
    type: 'object',
    description: "One run's record for a platform and folder.",
    required: [
      'started_at',
      'finished_at',
      'outcome',
      'graph_calls',
      'conversations_changed',
      'skipped_items',
      'error',
    ],
    additionalProperties: false,
    properties: {
      started_at: isoInstant('When the run began.'),
      finished_at: isoInstant('When it ended.'),
      outcome: {
        type: 'string',
        enum: [...RUN_OUTCOMES],
        description:
          'complete; partial (stopped by its time or Graph-call budget, checkpointed, resumes next run); skipped (the page is throttled: error says until when); failed (error says why).',
      },
      graph_calls: { type: 'integer', minimum: 0 },
      conversations_changed: { type: 'integer', minimum: 0 },
      skipped_items: {
        type: 'integer',
        minimum: 0,
        description: 'Items Graph returned without a valid id or updated_time: neither indexed nor returned.',
      },
      error: nullable(ref('ErrorDetail')),
    },
  },
  SyncPartition: {
    type: 'object',
    description: 'The sync of one platform and folder of a page.',
    required: [
      'platform',
      'folder',
      'high_water_mark',
      'status',
      'indexed_conversations',
      'synced_at',
      'last_run',
    ],
    additionalProperties: false,
    properties: {
      platform: ref('Platform'),
      folder: ref('Folder'),
      high_water_mark: {
        ...nullable(ref('GraphTime')),
        description:
          'The newest updated_time a complete scan indexed; the next scan stops there. Null before the first.',
      },
      status: {
        type: 'string',
        enum: [...SYNC_STATUSES],
        description: 'running while a run holds the page, else failed if the last run failed, else idle.',
      },
      indexed_conversations: { type: 'integer', minimum: 0 },
      synced_at: {
        ...nullable({ type: 'string', format: 'date-time' }),
        description: 'When the index of this partition was last brought up to date (the start of that scan).',
      },
      last_run: nullable(ref('SyncRun')),
    },
  },
  SyncState: {
    type: 'object',
    description: 'The sync of a page, one partition per configured platform and folder.',
    required: ['page_id', 'partitions'],
    additionalProperties: false,
    properties: {
      page_id: { type: 'string' },
      partitions: { type: 'array', items: ref('SyncPartition') },
    },
  },
  SyncStarted: {
    type: 'object',
    required: ['page_id', 'status'],
    additionalProperties: false,
    properties: {
      page_id: { type: 'string' },
      status: {
        type: 'string',
        enum: ['started', 'already_running'],
        description: 'already_running while a run holds the page: a run is never started twice.',
      },
    },
  },
  ...pageSchemas,
  Health: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { type: 'string', const: 'ok' } },
  },
  WebhookDelivery: {
    type: 'object',
    description:
      "Meta's webhook body. object page: entry[].id is the Page id; object instagram: the Instagram professional account id. Each messaging[] item with a message (echoes too), postback, reaction or read refreshes that person's conversation. Unknown objects, Pages, accounts and items are answered 200 and ignored.",
    properties: {
      object: { type: 'string', examples: ['page', 'instagram'] },
      entry: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            time: { type: 'integer' },
            messaging: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
      },
    },
  },
  WebhookReceived: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { type: 'string', const: 'received' } },
  },
} as const;

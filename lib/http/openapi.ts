import { CONVERSATION_FIELDS, FOLDERS, MAX_LIMIT, PLATFORMS } from '../domain/vocabulary.js';

/**
 * The OpenAPI 3.1 document of this API, served at `/openapi.json`. Built from the same vocabulary the
 * validation uses, and checked against real answers by the test suite, so that it stays true.
 */
const errorCodes = [
  'invalid_request',
  'invalid_cursor',
  'unknown_page',
  'page_token_invalid',
  'permission_denied',
  'rate_limited',
  'upstream_error',
  'upstream_timeout',
  'not_found',
  'method_not_allowed',
  'internal_error',
];

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const pageIdParameter = {
  name: 'pageId',
  in: 'path',
  required: true,
  description: 'The Facebook Page id.',
  schema: { type: 'string', pattern: '^[0-9]{1,32}$' },
};

const cursorDescription =
  'An opaque cursor this API returned for the same page and query; never a Graph cursor.';

export const openApiDocument = Object.freeze({
  openapi: '3.1.0',
  info: {
    title: 'Page conversations',
    version: '1.0.0',
    description:
      'Messenger and Instagram conversations of Facebook Pages, read through the Graph API from your own AWS account.',
  },
  paths: {
    '/health': {
      get: {
        operationId: 'health',
        summary: 'Liveness; touches no dependency.',
        responses: {
          '200': {
            description: 'Alive.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['status'],
                  properties: { status: { const: 'ok' } },
                  additionalProperties: false,
                },
              },
            },
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openApi',
        summary: 'This document.',
        responses: {
          '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } },
        },
      },
    },
    '/pages/{pageId}/conversations': {
      get: {
        operationId: 'listConversations',
        summary:
          'Conversations of a page, newest activity first, live from Graph or, with updated_since, from the index.',
        parameters: [
          pageIdParameter,
          {
            name: 'platform',
            in: 'query',
            description: 'Any case.',
            schema: { type: 'string', default: 'messenger', enum: [...PLATFORMS] },
          },
          { name: 'folder', in: 'query', schema: { type: 'string', enum: [...FOLDERS] } },
          {
            name: 'user_id',
            in: 'query',
            description: 'A page- or Instagram-scoped user id; not with updated_since.',
            schema: { type: 'string', pattern: '^[0-9]{1,32}$' },
          },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 25 },
          },
          {
            name: 'fields',
            in: 'query',
            description: `Comma list of ${CONVERSATION_FIELDS.join(', ')}; Instagram and the index offer fewer.`,
            schema: { type: 'string' },
          },
          { name: 'after', in: 'query', description: cursorDescription, schema: { type: 'string' } },
          { name: 'before', in: 'query', description: cursorDescription, schema: { type: 'string' } },
          {
            name: 'updated_since',
            in: 'query',
            description: 'ISO 8601 instant: only conversations updated later, from the index the sync keeps.',
            schema: { type: 'string', format: 'date-time' },
          },
        ],
        responses: {
          '200': {
            description: "One page of conversations in Graph's own shape.",
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ConversationsPage' } } },
          },
          '400': errorResponse('Bad parameter (invalid_request) or cursor (invalid_cursor).'),
          '403': errorResponse('Graph refused access (permission_denied).'),
          '404': errorResponse('No token configured for the page (unknown_page).'),
          '429': {
            ...errorResponse('Graph throttles this page (rate_limited).'),
            headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } },
          },
          '502': errorResponse('Token rejected (page_token_invalid) or Graph failed (upstream_error).'),
          '504': errorResponse('Graph too slow (upstream_timeout).'),
        },
      },
    },
    '/pages/{pageId}/sync': {
      get: {
        operationId: 'getSyncState',
        summary: "The state of the page's scheduled sync, per platform and folder.",
        parameters: [pageIdParameter],
        responses: {
          '200': {
            description: 'The sync state.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SyncState' } } },
          },
          '400': errorResponse('Bad page id or parameter (invalid_request).'),
          '404': errorResponse('No token configured for the page (unknown_page).'),
        },
      },
      post: {
        operationId: 'startSync',
        summary: 'Starts a sync of the page now, unless one is running.',
        parameters: [pageIdParameter],
        responses: {
          '202': {
            description: 'Started, or already running (a run is never started twice).',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['page_id', 'status'],
                  additionalProperties: false,
                  properties: {
                    page_id: { type: 'string' },
                    status: { type: 'string', enum: ['started', 'already_running'] },
                  },
                },
              },
            },
          },
          '400': errorResponse('Bad page id or parameter (invalid_request).'),
          '404': errorResponse('No token configured for the page (unknown_page).'),
        },
      },
    },
  },
  components: {
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        additionalProperties: false,
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            additionalProperties: false,
            properties: {
              code: { type: 'string', enum: errorCodes },
              message: { type: 'string' },
              parameter: { type: 'string' },
              retry_after_seconds: { type: 'integer', minimum: 1 },
              retry_at: { type: 'string', format: 'date-time' },
              graph: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  code: { type: 'integer' },
                  error_subcode: { type: 'integer' },
                  fbtrace_id: { type: 'string' },
                },
              },
            },
          },
        },
      },
      Conversation: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string' },
          updated_time: { type: 'string' },
          link: { type: 'string' },
          snippet: { type: 'string' },
          message_count: { type: 'integer' },
          unread_count: { type: 'integer' },
          participants: {
            type: 'object',
            properties: { data: { type: 'array', items: { type: 'object', required: ['id'] } } },
          },
        },
      },
      SyncRun: {
        type: ['object', 'null'],
        required: ['started_at', 'finished_at', 'outcome', 'graph_calls', 'conversations_changed', 'error'],
        additionalProperties: false,
        properties: {
          started_at: { type: 'string', format: 'date-time' },
          finished_at: { type: 'string', format: 'date-time' },
          outcome: { type: 'string', enum: ['complete', 'partial', 'skipped', 'failed'] },
          graph_calls: { type: 'integer', minimum: 0 },
          conversations_changed: { type: 'integer', minimum: 0 },
          error: {
            oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Error/properties/error' }],
          },
        },
      },
      SyncState: {
        type: 'object',
        required: ['page_id', 'partitions'],
        additionalProperties: false,
        properties: {
          page_id: { type: 'string' },
          partitions: {
            type: 'array',
            items: {
              type: 'object',
              required: [
                'platform',
                'folder',
                'high_water_mark',
                'status',
                'indexed_conversations',
                'last_run',
              ],
              additionalProperties: false,
              properties: {
                platform: { type: 'string', enum: [...PLATFORMS] },
                folder: { type: 'string', enum: [...FOLDERS] },
                high_water_mark: { type: ['string', 'null'] },
                status: { type: 'string', enum: ['idle', 'running', 'failed'] },
                indexed_conversations: { type: 'integer', minimum: 0 },
                synced_at: { type: ['string', 'null'], format: 'date-time' },
                last_run: { $ref: '#/components/schemas/SyncRun' },
              },
            },
          },
        },
      },
      ConversationsPage: {
        type: 'object',
        required: ['data'],
        additionalProperties: false,
        properties: {
          data: { type: 'array', items: { $ref: '#/components/schemas/Conversation' } },
          paging: {
            type: 'object',
            required: ['cursors'],
            additionalProperties: false,
            properties: {
              cursors: {
                type: 'object',
                additionalProperties: false,
                properties: { before: { type: 'string' }, after: { type: 'string' } },
              },
              next: { type: 'string', format: 'uri' },
              previous: { type: 'string', format: 'uri' },
            },
          },
          synced_at: {
            type: ['string', 'null'],
            description: 'With updated_since: when the index was last brought up to date.',
          },
        },
      },
    },
  },
});

import { ERROR_CODES } from '../domain/errors.js';
import { RUN_OUTCOMES } from '../domain/sync-state.js';
import { FOLDERS, PLATFORMS } from '../domain/vocabulary.js';
import { CONVERSATIONS_QUERY, openApiParameter, PAGE_ID_PARAMETER } from './query-parameters.js';

/**
 * The OpenAPI 3.1 document of this API, served at `/openapi.json`. Its parameters, enums and error codes
 * are read from the same tables the validation and the error mapping use, and the test suite checks it
 * against real answers, so that it stays true.
 */

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const unavailableResponse = {
  ...errorResponse('Our own store or secrets did not answer in time (unavailable).'),
  headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } },
};

const pageIdParameter = openApiParameter(PAGE_ID_PARAMETER.name, 'path', PAGE_ID_PARAMETER.rule);

const conversationsParameters = [
  pageIdParameter,
  ...Object.entries(CONVERSATIONS_QUERY).map(([name, rule]) => openApiParameter(name, 'query', rule)),
];

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
        parameters: conversationsParameters,
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
          '503': unavailableResponse,
          '504': errorResponse('Graph too slow, or the request ran out of time (upstream_timeout).'),
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
          '503': unavailableResponse,
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
          '503': unavailableResponse,
        },
      },
    },
  },
  components: {
    schemas: {
      Platform: { type: 'string', enum: [...PLATFORMS] },
      Folder: { type: 'string', enum: [...FOLDERS] },
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
              code: { type: 'string', enum: [...ERROR_CODES] },
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
          outcome: { type: 'string', enum: [...RUN_OUTCOMES] },
          graph_calls: { type: 'integer', minimum: 0 },
          conversations_changed: { type: 'integer', minimum: 0 },
          skipped_items: {
            type: 'integer',
            minimum: 0,
            description:
              'Items Graph returned without a valid id or updated_time: neither indexed nor returned.',
          },
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
                platform: { $ref: '#/components/schemas/Platform' },
                folder: { $ref: '#/components/schemas/Folder' },
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

import { TOKEN_REJECTION_REASONS, TOKEN_STATUSES } from '../domain/page.js';
import { RUN_OUTCOMES } from '../domain/sync-state.js';

/**
 * The named schemas of the Pages routes (`GET /pages`, `GET /pages/{pageId}`): a Page of the registry
 * with its token health and a summary of its sync, in the words of `lib/domain/page.ts`.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });

/** The same three states as a partition's sync status (`SyncPartition.status`). */
export const SYNC_STATUSES = ['idle', 'running', 'failed'] as const;

export const pageSchemas = {
  TokenError: {
    type: 'object',
    description: "Why Graph rejected the Page's token: this API's error shape plus `reason`.",
    required: ['code', 'message', 'graph', 'reason'],
    additionalProperties: false,
    properties: {
      code: { type: 'string', const: 'page_token_invalid' },
      message: { type: 'string', maxLength: 1000 },
      graph: ref('GraphErrorDetails'),
      reason: {
        type: 'string',
        enum: [...new Set([...Object.values(TOKEN_REJECTION_REASONS), 'rejected'])],
        description: `By Graph's error_subcode: ${Object.entries(TOKEN_REJECTION_REASONS)
          .map(([subcode, reason]) => `${reason} (${subcode})`)
          .join(', ')}; rejected for any other.`,
      },
    },
  },
  TokenHealth: {
    type: 'object',
    required: ['status', 'checked_at', 'error'],
    additionalProperties: false,
    properties: {
      status: {
        type: 'string',
        enum: [...TOKEN_STATUSES],
        description:
          'valid: the last Graph call with it succeeded. invalid: Graph rejected it after one re-read of the secret; nothing calls Graph for this Page until its secret changes. unchecked: not used yet.',
      },
      checked_at: nullable({ type: 'string', format: 'date-time' }),
      error: nullable(ref('TokenError')),
    },
  },
  PageSyncSummary: {
    type: 'object',
    required: ['status', 'synced_at', 'last_outcome'],
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: [...SYNC_STATUSES] },
      synced_at: nullable({ type: 'string', format: 'date-time' }),
      last_outcome: nullable({ type: 'string', enum: [...RUN_OUTCOMES] }),
    },
  },
  Page: {
    type: 'object',
    description:
      'A Page this deployment serves, from its registry. name and instagram_account_id come from Graph when the Page is registered and are refreshed by each scheduled sync.',
    required: ['page_id', 'name', 'instagram_account_id', 'token', 'sync'],
    additionalProperties: false,
    properties: {
      page_id: { type: 'string', examples: ['123'] },
      name: nullable({ type: 'string' }),
      instagram_account_id: {
        ...nullable({ type: 'string' }),
        description: 'The linked Instagram professional account, if any.',
      },
      token: ref('TokenHealth'),
      sync: ref('PageSyncSummary'),
    },
  },
  PagesPage: {
    type: 'object',
    description: 'Registered Pages by id, ascending.',
    required: ['data'],
    additionalProperties: false,
    properties: { data: { type: 'array', items: ref('Page') }, paging: ref('Paging') },
  },
} as const;

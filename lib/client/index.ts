/**
 * The typed client of the Page conversations API, for Node 18 and later:
 *
 *   const client = createPageConversationsClient({ baseUrl: ApiUrl, auth: { type: 'sigv4' } });
 *   for await (const conversation of client.conversations(pageId, { platform: 'instagram' })) ...
 *   for await (const change of client.changes(pageId, { after: saved })) ...
 */
export type { components, operations, paths } from './api-types.js';
export { type AwsCredentials, type ClientAuth, ClientConfigurationError, regionOfUrl } from './auth.js';
export {
  type Change,
  type ChangesPage,
  type ChangesQuery,
  type Conversation,
  type ConversationsPage,
  type ConversationsQuery,
  createPageConversationsClient,
  type HealthAnswer,
  type Page,
  type PageConversationsClient,
  type PageConversationsClientOptions,
  type PagesPage,
  type PagesQuery,
  type StartSyncAnswer,
  type SyncState,
} from './client.js';
export {
  ApiError,
  type ApiErrorBody,
  type ApiErrorCode,
  ApiRedirectError,
  type ApiRequestSummary,
  ApiResponseError,
  ApiResponseTooLargeError,
  ApiUnreachableError,
  isApiError,
} from './errors.js';

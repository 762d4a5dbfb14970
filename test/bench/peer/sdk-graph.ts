/**
 * The peer's Graph client: the same `ConversationsGraph` the product's listing service calls, written
 * with Meta's facebook-nodejs-business-sdk instead of the product's undici client. Errors go through
 * the product's own classification, so that the peer answers the same contract.
 */
import { createHmac } from 'node:crypto';
import sdk, { type FacebookRequestError } from 'facebook-nodejs-business-sdk';
import type { ConversationsGraph } from '#lib/conversations/list-conversations.js';
import { UpstreamError } from '#lib/domain/errors.js';
import { graphPlatform } from '#lib/domain/vocabulary.js';
import type { GraphConversation, GraphListPage, ListConversationsParams } from '#lib/graph/graph-client.js';
import { classifyGraphError, type GraphErrorBody } from '#lib/graph/graph-errors.js';
import { parseUsageHeaders } from '#lib/graph/usage.js';
import type { PageCredentials } from '#lib/tokens/token-source.js';

const { FacebookAdsApi, Page } = sdk;

function isRequestError(error: unknown): error is FacebookRequestError {
  return error instanceof Error && error.name === 'FacebookRequestError';
}

export class SdkConversationsGraph implements ConversationsGraph {
  constructor(baseUrl: string) {
    // The SDK has no setting for its origin; the bench points it at the Graph emulator.
    if (baseUrl !== FacebookAdsApi.GRAPH) {
      Object.defineProperty(FacebookAdsApi, 'GRAPH', { get: () => baseUrl, configurable: true });
    }
  }

  async listConversations(
    credentials: PageCredentials,
    params: ListConversationsParams,
  ): Promise<GraphListPage<GraphConversation>> {
    // No crash reporter: it would install a process-wide uncaught-exception handler.
    const api = new FacebookAdsApi(credentials.accessToken, 'en_US', false).setShowHeader(true);
    const query: Record<string, string | number> = { platform: graphPlatform(params.platform) };
    query.limit = params.limit;
    if (params.folder !== undefined) query.folder = params.folder;
    if (params.userId !== undefined) query.user_id = params.userId;
    if (params.after !== undefined) query.after = params.after;
    if (params.before !== undefined) query.before = params.before;
    if (credentials.appSecret !== undefined) {
      // The SDK does not sign calls; Meta's time-stamped proof, as the product's client computes it.
      const time = Math.floor(Date.now() / 1000);
      query.appsecret_proof = createHmac('sha256', credentials.appSecret)
        .update(`${credentials.accessToken}|${time}`)
        .digest('hex');
      query.appsecret_time = time;
    }
    try {
      const cursor = await new Page(params.pageId, {}, undefined, api).getConversations(
        [...params.fields],
        query,
      );
      const paging = cursor.paging ?? {};
      return {
        data: cursor.map((object) => object.exportData() as GraphConversation),
        cursors: { ...paging.cursors },
        hasNext: typeof paging.next === 'string',
        hasPrevious: typeof paging.previous === 'string',
        usage: parseUsageHeaders(cursor.headers ?? {}),
      };
    } catch (error: unknown) {
      if (!isRequestError(error) || error.response === null) {
        // The SDK's own message may quote the URL, which carries the token: never pass it on.
        throw new UpstreamError('The call to Graph failed.');
      }
      const usage = parseUsageHeaders(error.headers ?? {});
      const redact = (text: string) => text.split(credentials.accessToken).join('[redacted]');
      throw classifyGraphError(error.response as GraphErrorBody, usage, new Date(), redact);
    }
  }
}

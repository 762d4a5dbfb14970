/** The part of facebook-nodejs-business-sdk (which ships Flow, not TypeScript, types) the peer uses. */
declare module 'facebook-nodejs-business-sdk' {
  type HeaderValue = string | string[] | undefined;

  export interface SdkObject {
    exportData(): Record<string, unknown>;
  }

  /** A page of an edge: the objects, and Graph's `paging` and (with `setShowHeader`) headers. */
  export interface SdkCursor extends Array<SdkObject> {
    paging?: { cursors?: { before?: string; after?: string }; next?: string; previous?: string };
    headers?: Record<string, HeaderValue>;
  }

  export class FacebookAdsApi {
    constructor(accessToken: string, locale?: string, crashLog?: boolean);
    static readonly GRAPH: string;
    setShowHeader(flag: boolean): this;
  }

  export class Page {
    constructor(id: string, data?: Record<string, unknown>, parentId?: string, api?: FacebookAdsApi);
    getConversations(fields: string[], params?: Record<string, string | number>): Promise<SdkCursor>;
  }

  /**
   * What a failed call rejects with (the class is not exported: tell it by `name`); `response` is
   * Graph's `error` object when Graph answered.
   */
  export interface FacebookRequestError extends Error {
    name: 'FacebookRequestError';
    status: number | null;
    response: Record<string, unknown> | null;
    headers: Record<string, HeaderValue> | null;
  }

  const sdk: {
    FacebookAdsApi: typeof FacebookAdsApi;
    Page: typeof Page;
  };
  export default sdk;
}

/** One conversation as Graph returns it and the index keeps it: `id` and `updated_time` always, the rest as asked. */
export interface Conversation {
  id: string;
  updated_time: string;
  [field: string]: unknown;
}

/** What calling Graph as a page takes: its token and, when the app enforces it, the app secret. */
export interface PageCredentials {
  readonly accessToken: string;
  /** Present when calls must carry `appsecret_proof`. */
  readonly appSecret?: string;
}

import { WEBHOOK_PATH } from '../domain/routes.js';
import type { Platform } from '../domain/vocabulary.js';
import { signBody } from '../webhooks/signature.js';
import type { GraphEmulator } from './graph-emulator.js';

/** One `messaging[]` item as Meta sends it for a message (or the echo of one the Page sent). */
export interface MessagingEvent {
  /** The person's scoped id (PSID or IGSID). */
  personId: string;
  /** Epoch ms, Meta's clock. */
  timestamp: number;
  /** An echo: the Page (or Instagram account) sent it, to the person. */
  echo?: boolean;
  text?: string;
}

/**
 * A webhook body in Meta's shape: `{"object":"page"|"instagram","entry":[{"id","time","messaging":[…]}]}`,
 * one entry per account. Text is written with `\u` escapes for anything outside ASCII, as Meta does, so
 * that a verifier that re-serializes the JSON fails on it.
 */
export function metaWebhookBody(
  object: 'page' | 'instagram',
  entries: ReadonlyArray<{ accountId: string; events: readonly MessagingEvent[] }>,
): string {
  const body = {
    object,
    entry: entries.map(({ accountId, events }) => ({
      id: accountId,
      time: Math.max(0, ...events.map((event) => event.timestamp)),
      messaging: events.map((event, i) => {
        const person = { id: event.personId };
        const account = { id: accountId };
        return {
          sender: event.echo ? account : person,
          recipient: event.echo ? person : account,
          timestamp: event.timestamp,
          message: {
            mid: `m_demo_${event.timestamp}_${i}`,
            text: event.text ?? 'Hello from the demo',
            ...(event.echo ? { is_echo: true, app_id: 1 } : {}),
          },
        };
      }),
    })),
  };
  return JSON.stringify(body).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The headers Meta sends with a delivery: the signature over the body's bytes. */
export function signedHeaders(body: string, appSecret: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hub-signature-256': signBody(Buffer.from(body), appSecret),
  };
}

/** The person of a seeded conversation (its first participant, who is never the Page itself). */
export function personOfConversation(
  emulator: GraphEmulator,
  pageId: string,
  conversationId: string,
): string {
  const conversation = emulator.pages.get(pageId)?.conversations.find((c) => c.id === conversationId);
  const person = conversation?.participants.data[0]?.id;
  if (person === undefined) throw new Error(`No conversation ${conversationId} on page ${pageId}.`);
  return person;
}

/**
 * The emulator's Instagram professional account id of a Page: the linked one (`instagram_business_account`)
 * when it has one, else its participant on the seeded Instagram threads.
 */
export function instagramAccountOf(emulator: GraphEmulator, pageId: string): string | undefined {
  const page = emulator.pages.get(pageId);
  if (page?.instagramAccountId !== undefined) return page.instagramAccountId;
  const thread = page?.conversations.find((c) => c.platform === 'instagram');
  return thread?.participants.data[1]?.id;
}

export interface DemoMessage {
  pageId: string;
  conversationId: string;
  /** The local API's origin, e.g. `http://localhost:3000`. */
  apiUrl: string;
  appSecret: string;
  text?: string;
  at?: Date;
}

/**
 * Makes a seeded person "send a message": the emulator's conversation gets newer (`touch`), and a
 * correctly signed webhook for it is POSTed to the local API's `/webhooks/meta`, as Meta would.
 * Returns the receiver's HTTP status.
 */
export async function sendDemoMessage(emulator: GraphEmulator, message: DemoMessage): Promise<number> {
  const at = message.at ?? new Date();
  const page = emulator.pages.get(message.pageId);
  const conversation = page?.conversations.find((c) => c.id === message.conversationId);
  if (page === undefined || conversation === undefined) {
    throw new Error(`No conversation ${message.conversationId} on page ${message.pageId}.`);
  }
  emulator.touch(message.pageId, [message.conversationId], at);
  const platform: Platform = conversation.platform;
  const accountId = platform === 'instagram' ? instagramAccountOf(emulator, message.pageId) : message.pageId;
  if (accountId === undefined) throw new Error(`Page ${message.pageId} has no Instagram account.`);
  const body = metaWebhookBody(platform === 'instagram' ? 'instagram' : 'page', [
    {
      accountId,
      events: [
        {
          personId: personOfConversation(emulator, message.pageId, message.conversationId),
          timestamp: at.getTime(),
          ...(message.text === undefined ? {} : { text: message.text }),
        },
      ],
    },
  ]);
  const response = await fetch(new URL(WEBHOOK_PATH, message.apiUrl), {
    method: 'POST',
    headers: signedHeaders(body, message.appSecret),
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

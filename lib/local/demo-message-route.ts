import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { GraphEmulator } from './graph-emulator.js';
import { sendDemoMessage } from './webhook-demo.js';

/** Local demo only, never deployed: makes a seeded person send a message, as the README shows. */
export const DEMO_MESSAGE_PATH = '/_demo/message';

const json = (statusCode: number, body: unknown): APIGatewayProxyResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * `POST /_demo/message?page_id=<id>`: the emulator makes the person of the Page's newest Messenger
 * inbox conversation write to it (the conversation gets newer) and delivers a webhook signed with the demo
 * app secret to this API, which refreshes that conversation in the index and emits its change event.
 */
export async function demoMessage(
  event: APIGatewayProxyEventV2,
  emulator: GraphEmulator,
  apiUrl: string,
  appSecret: string,
): Promise<APIGatewayProxyResultV2> {
  if (event.requestContext.http.method !== 'POST')
    return json(405, { error: { code: 'method_not_allowed', message: 'POST only.' } });
  const pageId = new URLSearchParams(event.rawQueryString).get('page_id') ?? '';
  const conversation = emulator.pages
    .get(pageId)
    ?.conversations.filter((c) => c.platform === 'messenger' && c.folder === 'inbox')
    .sort((a, b) => (a.updated_time < b.updated_time ? 1 : -1))[0];
  if (conversation === undefined) {
    return json(404, {
      error: {
        code: 'unknown_page',
        message: 'page_id must name a demo Page with a Messenger inbox conversation.',
      },
    });
  }
  const webhookStatus = await sendDemoMessage(emulator, {
    pageId,
    conversationId: conversation.id,
    apiUrl,
    appSecret,
    text: 'Hello from the demo',
  });
  return json(202, { page_id: pageId, conversation_id: conversation.id, webhook_status: webhookStatus });
}

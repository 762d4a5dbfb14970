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
 * `POST /_demo/message?page_id=<id>[&platform=instagram]`: the emulator makes the person of the Page's
 * newest inbox conversation on that platform (default Messenger) write to it (the conversation gets
 * newer) and delivers a webhook signed with the demo app secret to this API (`object: "instagram"`, sent
 * for the Page's linked Instagram account, for Instagram), which refreshes that conversation in the index
 * and emits its change event.
 */
export async function demoMessage(
  event: APIGatewayProxyEventV2,
  emulator: GraphEmulator,
  apiUrl: string,
  appSecret: string,
): Promise<APIGatewayProxyResultV2> {
  if (event.requestContext.http.method !== 'POST')
    return json(405, { error: { code: 'method_not_allowed', message: 'POST only.' } });
  const query = new URLSearchParams(event.rawQueryString);
  const pageId = query.get('page_id') ?? '';
  const platform = query.get('platform') ?? 'messenger';
  if (platform !== 'messenger' && platform !== 'instagram') {
    return json(400, {
      error: {
        code: 'invalid_request',
        parameter: 'platform',
        message: 'platform is messenger or instagram.',
      },
    });
  }
  const page = emulator.pages.get(pageId);
  if (platform === 'instagram' && page !== undefined && page.instagramAccountId === undefined) {
    const linked = [...emulator.pages.values()].find((p) => p.instagramAccountId !== undefined)?.id;
    return json(404, {
      error: {
        code: 'unknown_page',
        message: `Page ${pageId} has no linked Instagram account${linked ? `; Page ${linked} has one` : ''}.`,
      },
    });
  }
  const conversation = page?.conversations
    .filter((c) => c.platform === platform && c.folder === 'inbox')
    .sort((a, b) => (a.updated_time < b.updated_time ? 1 : -1))[0];
  if (conversation === undefined) {
    return json(404, {
      error: {
        code: 'unknown_page',
        message: `page_id must name a demo Page with a ${platform === 'instagram' ? 'Instagram' : 'Messenger'} inbox conversation.`,
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
  return json(202, {
    page_id: pageId,
    platform,
    conversation_id: conversation.id,
    webhook_status: webhookStatus,
  });
}

// Every conversation in one Page's Messenger inbox: node --import tsx lib/client/example.ts <ApiUrl> <pageId>
import { createPageConversationsClient } from './index.js';

const [baseUrl = 'http://localhost:3000', pageId = '1000000000000001'] = process.argv.slice(2);
const auth = baseUrl.startsWith('https:') ? { type: 'sigv4' as const } : { type: 'none' as const };
const client = createPageConversationsClient({ baseUrl, auth });
for await (const conversation of client.conversations(pageId, { folder: 'inbox' })) {
  console.log(conversation.id, conversation.updated_time, conversation.snippet);
}

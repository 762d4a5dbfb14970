// Every conversation in one Page's Messenger inbox: node list-conversations.mjs <ApiUrl> <pageId>
import { createPageConversationsClient } from 'page-conversations/client';

const [baseUrl, pageId] = process.argv.slice(2);
if (baseUrl === undefined || pageId === undefined) {
  throw new Error('usage: node list-conversations.mjs <ApiUrl> <pageId>');
}
// A deployed API signs with this process's AWS credentials (SigV4); npm start's local one needs none.
const auth = baseUrl.startsWith('https:') ? { type: 'sigv4' } : { type: 'none' };
const client = createPageConversationsClient({ baseUrl, auth });
for await (const conversation of client.conversations(pageId, { folder: 'inbox' })) {
  console.log(conversation.id, conversation.updated_time, conversation.snippet);
}

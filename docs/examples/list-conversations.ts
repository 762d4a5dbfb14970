// Every conversation in one Page's Messenger inbox: tsc, then node list-conversations.js <ApiUrl> <pageId>
import { type ClientAuth, createPageConversationsClient, isApiError } from 'page-conversations/client';

const [baseUrl, pageId] = process.argv.slice(2);
if (baseUrl === undefined || pageId === undefined) {
  throw new Error('usage: node list-conversations.js <ApiUrl> <pageId>');
}
// A deployed API signs with this process's AWS credentials (SigV4); npm start's local one needs none.
const auth: ClientAuth = baseUrl.startsWith('https:') ? { type: 'sigv4' } : { type: 'none' };
const client = createPageConversationsClient({ baseUrl, auth });
try {
  for await (const conversation of client.conversations(pageId, { folder: 'inbox' })) {
    console.log(conversation.id, conversation.updated_time, conversation.snippet);
  }
} catch (error) {
  // The API's own errors carry its code (e.g. unknown_page) and status; anything else is rethrown.
  if (!isApiError(error)) throw error;
  console.error(`${error.status} ${error.code}: ${error.message}`);
  process.exitCode = 1;
}

// A CDK app in plain JavaScript with the product inside (cdk.json: { "app": "node embed.mjs" }).
import { App, Stack } from 'aws-cdk-lib';
import { PageConversations } from 'page-conversations';

const app = new App();
const stack = new Stack(app, 'Conversations');
new PageConversations(stack, 'PageConversations', {
  tokenSecretPrefix: 'acme/page-', // Page P's token is the secret acme/page-P
  syncSchedule: 15, // minutes between scheduled syncs
});
// Its parts are properties for your own constructs: apiUrl, table, syncQueue, changeEventBus, ...
app.synth();

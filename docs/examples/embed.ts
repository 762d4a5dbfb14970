// A CDK app in TypeScript with the product inside (tsc, then cdk.json: { "app": "node embed.js" }).
import { App, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PageConversations } from 'page-conversations';

class ConversationsStack extends Stack {
  readonly conversations: PageConversations;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.conversations = new PageConversations(this, 'PageConversations', {
      tokenSecretPrefix: 'acme/page-', // Page P's token is the secret acme/page-P
      syncSchedule: 15, // minutes between scheduled syncs
    });
    // Your own constructs use its parts: this.conversations.apiUrl, .table, .syncQueue, .changeEventBus, ...
  }
}

const app = new App();
new ConversationsStack(app, 'Conversations');
app.synth();

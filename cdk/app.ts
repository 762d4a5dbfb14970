import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { stackFromContext } from './app-context.js';
import { PageConversationsStack } from './page-conversations-stack.js';

/**
 * The CDK app `cdk.json` runs. Everything is set with context, e.g.
 * `npx cdk deploy -c tokenSecretPrefix=page-conversations/page- -c scheduleMinutes=30`; the keys and
 * their rules are in `app-context.ts`.
 */
const app = new App();
const { stackName, props } = stackFromContext((key) => app.node.tryGetContext(key));
new PageConversationsStack(app, stackName, props);

// Every synth checks the AwsSolutions and the NIST 800-53 rev 5 rules; an unacknowledged finding fails
// it. The exceptions, each with its reason, are in nag-suppressions.ts.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));

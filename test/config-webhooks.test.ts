import { describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import { checkSetting, SETTINGS } from '#lib/config/settings.js';
import { ConfigurationError } from '#lib/domain/errors.js';

describe('webhook and change-event settings', () => {
  it.each([
    ['a bus name', 'acme-events', true],
    ['a bus ARN of another account', 'arn:aws:events:eu-west-1:210987654321:event-bus/acme', true],
    ['a name with a space', 'acme events', false],
    ['an ARN of another service', 'arn:aws:sns:eu-west-1:210987654321:acme', false],
  ])('EVENT_BUS_NAME takes %s: %s', (_, value, accepted) => {
    expect(checkSetting(SETTINGS.eventBusName, value).ok).toBe(accepted);
  });

  it.each([
    ['a secret name', 'acme/meta-webhooks', true],
    ['a secret ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/meta-AbCdEf', true],
    ['a name with a space', 'acme meta', false],
  ])('WEBHOOK_SECRET_ID takes %s: %s', (_, value, accepted) => {
    expect(checkSetting(SETTINGS.webhookSecretId, value).ok).toBe(accepted);
  });

  it('reads every name from the environment, blank as unset', () => {
    // Act
    const config = loadConfig({
      WEBHOOK_SECRET_ID: 'acme/meta-webhooks',
      META_APP_SECRET: 'test-app-secret',
      WEBHOOK_VERIFY_TOKEN: 'test-verify-token',
      WEBHOOK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/refresh',
      EVENT_BUS_NAME: ' ',
      EVENTS_FILE: '/tmp/events.jsonl',
    });

    // Assess
    expect(config).toMatchObject({
      webhookSecretId: 'acme/meta-webhooks',
      metaAppSecret: 'test-app-secret',
      webhookVerifyToken: 'test-verify-token',
      webhookQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/refresh',
      eventBusName: undefined,
      eventsFile: '/tmp/events.jsonl',
    });
  });

  it('refuses a bad bus name, naming the variable, and an app secret without its verify token', () => {
    expect(() => loadConfig({ EVENT_BUS_NAME: 'acme events' })).toThrow(/^EVENT_BUS_NAME must be/);
    expect(() => loadConfig({ META_APP_SECRET: 'test-app-secret' })).toThrow(ConfigurationError);
  });

  it('never quotes a local secret in a message: no rule can refuse one', () => {
    for (const setting of [SETTINGS.metaAppSecret, SETTINGS.webhookVerifyToken]) {
      expect(checkSetting(setting, 'any text at all, even with spaces').ok).toBe(true);
    }
  });
});

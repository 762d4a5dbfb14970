import type { LambdaConfig } from '../config/config.js';
import type { ChangeEventSink } from '../domain/change-event.js';
import { SecretsManagerPersonKey } from '../privacy/person-key.js';
import { ConversationIndex } from '../store/conversation-index.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { PageRegistry } from '../store/page-registry.js';
import { countChangeEvents } from '../telemetry/counted-change-events.js';
import type { Logger } from '../telemetry/logger.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';
import {
  createPrivacyBase,
  createPrivacyServices,
  type PrivacyInfrastructure,
  type PrivacyServices,
} from './privacy-services.js';

/**
 * The erasure function's services: the index (removals and their events), the person stores and the
 * registry, and nothing of Graph or Page tokens: this function calls no Graph and reads no token, so
 * its bundle holds neither and its role can do neither.
 */
export function createAwsErasureServices(
  config: LambdaConfig<'erasure'>,
  options: { events: ChangeEventSink; logger: Logger; metrics: ProductMetrics },
): PrivacyServices {
  const dynamo = createDynamoClient({ endpoint: config.dynamodbEndpoint });
  const now = () => new Date();
  const { tableName } = config;
  const infrastructure: PrivacyInfrastructure = {
    dynamo,
    tableName,
    registry: new PageRegistry({ client: dynamo, tableName }),
    logger: options.logger,
    now,
    retentionDays: config.retentionDays,
    personKey: new SecretsManagerPersonKey(config.personKeySecretId),
  };
  const base = createPrivacyBase(infrastructure);
  const index = new ConversationIndex(dynamo, tableName, {
    events: countChangeEvents(options.events, options.metrics),
    logger: options.logger,
    now,
    tombstoneDays: config.tombstoneDays,
    changesDays: config.changesDays,
    admit: base.admission,
  });
  return createPrivacyServices(base, index, infrastructure);
}

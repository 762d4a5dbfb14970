import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoSettings {
  /** Another endpoint: the embedded DynamoDB locally, DynamoDB Local elsewhere. */
  endpoint?: string | undefined;
  region?: string | undefined;
}

/**
 * The container's one DynamoDB client. The SDK keeps connections alive by default; a local endpoint
 * gets fixed dummy credentials, since the embedded DynamoDB checks none and a developer's machine may
 * have no AWS profile.
 */
export function createDynamoClient(settings: DynamoSettings = {}): DynamoDBClient {
  if (settings.endpoint === undefined) {
    return new DynamoDBClient(settings.region === undefined ? {} : { region: settings.region });
  }
  return new DynamoDBClient({
    endpoint: settings.endpoint,
    region: settings.region ?? 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
}

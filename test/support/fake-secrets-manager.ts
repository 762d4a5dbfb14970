import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * Secrets Manager has no local server: this keeps secrets and versions in memory behind the real
 * client, answering the calls the product makes as Secrets Manager does (versions from
 * ClientRequestToken, ResourceNotFound and ResourceExists). Each answer waits a turn of the event loop,
 * so that concurrent writers really interleave.
 */
export function fakeSecretsManager() {
  const secrets = new Map<string, { value: string; version: string }>();
  const mock = mockClient(SecretsManagerClient);
  const turn = () => new Promise((resolve) => setTimeout(resolve, 1));
  const missing = () =>
    new ResourceNotFoundException({
      message: 'Secrets Manager can’t find the specified secret.',
      $metadata: {},
    });
  let versions = 0;
  mock.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => {
    await turn();
    const secret = secrets.get(input.SecretId);
    if (secret === undefined) throw missing();
    return { Name: input.SecretId, SecretString: secret.value, VersionId: secret.version };
  });
  mock
    .on(CreateSecretCommand)
    .callsFake(async (input: { Name: string; SecretString: string; ClientRequestToken?: string }) => {
      await turn();
      if (secrets.has(input.Name)) throw new ResourceExistsException({ message: 'exists', $metadata: {} });
      secrets.set(input.Name, {
        value: input.SecretString,
        version: input.ClientRequestToken ?? `v${++versions}`,
      });
      return { Name: input.Name };
    });
  mock
    .on(PutSecretValueCommand)
    .callsFake(async (input: { SecretId: string; SecretString: string; ClientRequestToken?: string }) => {
      await turn();
      if (!secrets.has(input.SecretId)) throw missing();
      secrets.set(input.SecretId, {
        value: input.SecretString,
        version: input.ClientRequestToken ?? `v${++versions}`,
      });
      return { Name: input.SecretId };
    });
  mock.on(DeleteSecretCommand).callsFake(async (input: { SecretId: string }) => {
    if (!secrets.delete(input.SecretId)) throw missing();
    return {};
  });
  mock.on(ListSecretsCommand).callsFake(async (input: { Filters?: Array<{ Values?: string[] }> }) => {
    const prefix = input.Filters?.[0]?.Values?.[0] ?? '';
    return {
      SecretList: [...secrets.keys()].filter((name) => name.includes(prefix)).map((Name) => ({ Name })),
    };
  });
  return {
    secrets,
    mock,
    client: new SecretsManagerClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    calls: (command: Parameters<typeof mock.commandCalls>[0]) => mock.commandCalls(command).length,
  };
}

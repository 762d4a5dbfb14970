import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

type SignerInit = ConstructorParameters<typeof SignatureV4>[0];

/** Static AWS credentials, or a provider of them (refreshed by the provider as they expire). */
export type AwsCredentials = SignerInit['credentials'];

/**
 * How the client authorizes its requests, matching how the stack was deployed (`authorization`):
 * - `sigv4` (the default deployment, IAM): signs every request with Signature Version 4 for the service
 *   `execute-api`. `credentials` default to the AWS SDK's default chain (environment, shared config and
 *   SSO, container and instance roles); `region` to the one in an `execute-api` URL, else `AWS_REGION`.
 * - `jwt`: `Authorization: Bearer <token>`; `token` may be a function, called before every request, so
 *   that a caller can refresh it.
 * - `none`: nothing; for the local runtime (`npm start`), which has no authorizer.
 */
export type ClientAuth =
  | { type: 'sigv4'; region?: string; credentials?: AwsCredentials; now?: () => Date }
  | { type: 'jwt'; token: string | (() => string | Promise<string>) }
  | { type: 'none' };

/** The parts of an outgoing request that a signature covers. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
}

/** Adds what authorizes one request to its headers. */
export type Authorize = (request: OutgoingRequest) => Promise<Record<string, string>>;

/** A client that cannot work as configured; thrown when it is built, not on its first request. */
export class ClientConfigurationError extends Error {
  override readonly name = 'ClientConfigurationError';
}

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The region of an API Gateway default endpoint (`<id>.execute-api.<region>.amazonaws.com`). */
export function regionOfUrl(url: URL): string | undefined {
  return EXECUTE_API_HOST.exec(url.hostname)?.[1];
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * SHA-256 and HMAC-SHA256 from node:crypto, in the shape the signer asks for. The SDK clients pass their
 * own (from `@smithy/core`); this keeps the client's declared dependencies to the signer itself.
 */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }
}

/** The SDK's default credential chain, loaded only by clients that sign without credentials of their own. */
function defaultCredentials(): AwsCredentials {
  let provider: Promise<Exclude<AwsCredentials, { accessKeyId: string }>> | undefined;
  return async () => {
    provider ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
    return (await provider)();
  };
}

function sigV4(auth: Extract<ClientAuth, { type: 'sigv4' }>, baseUrl: URL): Authorize {
  const region =
    auth.region ?? regionOfUrl(baseUrl) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '')
    throw new ClientConfigurationError(
      `No region to sign for: ${baseUrl.host} is not an execute-api host; pass auth.region or set AWS_REGION.`,
    );
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: auth.credentials ?? defaultCredentials(),
    sha256: NodeSha256,
  });
  const now = auth.now ?? (() => new Date());
  return async ({ method, url, headers }) => {
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    const signed = await signer.sign(
      {
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port === '' ? {} : { port: Number(url.port) }),
        path: url.pathname,
        query,
        // fetch sends exactly this Host (with a non-default port); the signature must cover the same.
        headers: { ...headers, host: url.host },
      },
      { signingDate: now() },
    );
    // fetch sets Host itself from the URL; every other header the signer added must be sent as signed.
    const { host: _host, ...signedHeaders } = signed.headers;
    return signedHeaders;
  };
}

/** Builds the authorizer of one client, failing now on a configuration that cannot sign. */
export function createAuthorize(auth: ClientAuth, baseUrl: URL): Authorize {
  switch (auth.type) {
    case 'sigv4':
      return sigV4(auth, baseUrl);
    case 'jwt': {
      const { token } = auth;
      return async ({ headers }) => {
        const value = typeof token === 'function' ? await token() : token;
        if (value.trim() === '') throw new ClientConfigurationError('The JWT to send is empty.');
        return { ...headers, authorization: `Bearer ${value.trim()}` };
      };
    }
    case 'none':
      return async ({ headers }) => headers;
  }
}

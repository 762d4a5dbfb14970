import { type JsonSchema, toJsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { FOLDERS, PLATFORMS } from '../vocabulary.js';
import {
  ChangeSchema,
  ChangesBodySchema,
  ConversationChangedSchema,
  ConversationMovedSchema,
  ConversationRemovedSchema,
} from './changes.js';
import {
  CursorsSchema,
  ErrorAnswerSchema,
  ErrorBodySchema,
  FolderSchema,
  GraphErrorDetailsSchema,
  GraphTimeSchema,
  PagingSchema,
  PlatformSchema,
} from './common.js';
import {
  ConversationsBodySchema,
  ConversationViewSchema,
  ParticipantSchema,
  RemovalReasonSchema,
  TombstoneViewSchema,
} from './conversations.js';
import {
  PageSyncViewSchema,
  PagesBodySchema,
  PageViewSchema,
  TokenHealthErrorSchema,
  TokenHealthViewSchema,
} from './pages.js';
import {
  DataDeletionAnswerSchema,
  DataDeletionRequestSchema,
  DataDeletionStatusSchema,
  ErasureRequestSchema,
  ErasureSchema,
} from './privacy.js';
import { GatewayErrorSchema, HealthSchema, WebhookDeliverySchema, WebhookReceivedSchema } from './service.js';
import { RunRecordSchema, SyncPartitionSchema, SyncStartedSchema, SyncStatusSchema } from './sync.js';

/**
 * The shapes as the OpenAPI document names them (`components.schemas`), and the JSON Schema (2020-12,
 * which OpenAPI 3.1 uses) emitted from them. A shape used inside another is emitted as a `$ref` to its
 * component, by identity: use the exported schema itself, never a copy, to keep the reference.
 */
const BODY_COMPONENTS = {
  Platform: PlatformSchema,
  Folder: FolderSchema,
  GraphTime: GraphTimeSchema,
  Participant: ParticipantSchema,
  Conversation: ConversationViewSchema,
  Cursors: CursorsSchema,
  Paging: PagingSchema,
  ConversationsPage: ConversationsBodySchema,
  RemovalReason: RemovalReasonSchema,
  Tombstone: TombstoneViewSchema,
  ConversationChanged: ConversationChangedSchema,
  ConversationMoved: ConversationMovedSchema,
  ConversationRemoved: ConversationRemovedSchema,
  Change: ChangeSchema,
  ChangesPage: ChangesBodySchema,
  GraphErrorDetails: GraphErrorDetailsSchema,
  ErrorDetail: ErrorBodySchema,
  Error: ErrorAnswerSchema,
  GatewayError: GatewayErrorSchema,
  SyncRun: RunRecordSchema,
  SyncPartition: SyncPartitionSchema,
  SyncState: SyncStatusSchema,
  SyncStarted: SyncStartedSchema,
  TokenError: TokenHealthErrorSchema,
  TokenHealth: TokenHealthViewSchema,
  PageSyncSummary: PageSyncViewSchema,
  Page: PageViewSchema,
  PagesPage: PagesBodySchema,
  Health: HealthSchema,
  WebhookDelivery: WebhookDeliverySchema,
  WebhookReceived: WebhookReceivedSchema,
  ErasureRequest: ErasureRequestSchema,
  Erasure: ErasureSchema,
  DataDeletionRequest: DataDeletionRequestSchema,
  DataDeletionAnswer: DataDeletionAnswerSchema,
  DataDeletionStatus: DataDeletionStatusSchema,
} as const;
type ComponentName = keyof typeof BODY_COMPONENTS;

const componentRef = (name: string) => `#/components/schemas/${name}`;

/**
 * What the converter writes otherwise than the document does, without changing the meaning: a string
 * constant states its type; an object without required properties has no empty `required`; an open
 * object without properties says `additionalProperties: true` instead of `properties: {}`.
 */
function tidy({ valibotSchema, jsonSchema }: { valibotSchema: v.GenericSchema; jsonSchema: JsonSchema }) {
  if (valibotSchema.type === 'literal' && typeof jsonSchema.const === 'string')
    return { type: 'string', ...jsonSchema } as JsonSchema;
  if (jsonSchema.type !== 'object') return undefined;
  const { required, properties, ...rest } = jsonSchema;
  const tidied: JsonSchema = { ...rest };
  if (Array.isArray(required) && required.length > 0) tidied.required = required;
  if (properties !== undefined && Object.keys(properties).length > 0) tidied.properties = properties;
  else if (valibotSchema.type === 'loose_object') tidied.additionalProperties = true;
  return tidied;
}

/** Every body shape as JSON Schema, by component name, referring to each other by `$ref`. */
export function openApiComponents(): Record<ComponentName, JsonSchema> {
  return toJsonSchemaDefs(BODY_COMPONENTS, {
    target: 'draft-2020-12',
    overrideRef: ({ referenceId }) => componentRef(referenceId),
    overrideSchema: tidy,
  });
}

/** Enumerations a query takes in any case, by the list they are declared with: named components. */
const NAMED_WORDS = new Map<readonly string[], ComponentName>([
  [PLATFORMS, 'Platform'],
  [FOLDERS, 'Folder'],
]);

/** A pattern matching exactly the given words in any case (JSON Schema patterns have no `i` flag). */
function anyCasePattern(words: readonly string[]): string {
  const anyCase = (word: string) =>
    [...word]
      .map((c) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`))
      .join('');
  return `^(?:${words.map(anyCase).join('|')})$`;
}

/**
 * The schema of one query parameter as the document states it: the validated value (OpenAPI writes a
 * query's numbers as numbers), its default as the parser gives it, an enumeration as its named component
 * or the same words in any case. Checks and transformations that JSON Schema cannot say (a real date, a
 * lowercase conversion) are in the parameter's description instead.
 */
function parameterSchema(entry: v.GenericSchema): JsonSchema {
  return toJsonSchema(entry, {
    target: 'draft-2020-12',
    typeMode: 'output',
    ignoreActions: ['check', 'transform'],
    overrideSchema: ({ valibotSchema, jsonSchema }) => {
      if (valibotSchema.type === 'picklist') {
        const options = (valibotSchema as v.PicklistSchema<readonly string[], undefined>).options;
        const name = NAMED_WORDS.get(options);
        if (name !== undefined)
          return {
            anyOf: [{ $ref: componentRef(name) }, { type: 'string', pattern: anyCasePattern(options) }],
          };
      }
      // The default after the parser's own coercion: `limit` defaults to 25, not "25".
      if (valibotSchema.type === 'optional' && jsonSchema.default !== undefined)
        return { ...jsonSchema, default: v.parse(valibotSchema, undefined) } as JsonSchema;
      return undefined;
    },
  });
}

/** The OpenAPI parameter objects of a query, in the schema's order of parameters. */
export function openApiQueryParameters(schema: {
  readonly entries: Readonly<Record<string, v.GenericSchema>>;
}) {
  return Object.entries(schema.entries).map(([name, entry]) => {
    const { $schema: _draft, description, ...value } = parameterSchema(entry);
    return {
      name,
      in: 'query' as const,
      ...(description === undefined ? {} : { description }),
      schema: value,
    };
  });
}

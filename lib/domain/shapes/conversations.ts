import * as v from 'valibot';
import { REMOVAL_REASONS } from '../change-event.js';
import { MAX_CONVERSATION_ID_LENGTH } from '../conversation.js';
import { count, describedInstant, GraphTimeSchema, PagingSchema } from './common.js';

/**
 * The body of `GET /pages/{pageId}/conversations`: Graph's own shape (`data`, `paging`), so that code
 * written for Graph reads it, plus `synced_at` when it is served from the index. Conversations and
 * participants are Graph's objects: open, since Graph may add fields.
 */

export const ParticipantSchema = v.pipe(
  v.looseObject({
    id: v.pipe(
      v.string(),
      v.description('A Page-scoped or Instagram-scoped user id, or the Page (or account) id.'),
    ),
    name: v.optional(v.string()),
    email: v.optional(
      v.pipe(v.string(), v.description("Messenger only: Graph's proxy address, e.g. <id>@facebook.com.")),
    ),
    username: v.optional(v.pipe(v.string(), v.description('Instagram only.'))),
  }),
  v.description(
    'A person or Page in a conversation, as Graph gives it: Messenger gives name, email and id; Instagram gives username and id (and may give name).',
  ),
);

const participants = (description: string) =>
  v.optional(v.pipe(v.looseObject({ data: v.array(ParticipantSchema) }), v.description(description)));

/** Described after `optional` so that the description stands beside the `$ref`, as Graph's time is named. */
const describedOptional = <T extends v.GenericSchema>(schema: T, description: string) =>
  v.pipe(v.optional(schema), v.description(description));

const describedString = (description: string) => v.optional(v.pipe(v.string(), v.description(description)));

const conversationId = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CONVERSATION_ID_LENGTH));

/** The revision of a conversation's index item: what `event_id` counts (`<id>@<revision>`). */
export const RevisionSchema = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1),
  v.description(
    "The revision of the conversation's index item: 1 when created, one more for every write (moves and removals included), never restarting.",
  ),
);

export const RemovalReasonSchema = v.pipe(
  v.picklist(REMOVAL_REASONS),
  v.description(
    'not_listed: Graph lists it in no covered folder of its platform (deleted, or moved to a folder the sync does not cover); erased: a person in it was erased; expired: older than RETENTION_DAYS.',
  ),
);

export const ConversationViewSchema = v.pipe(
  v.looseObject({
    id: v.pipe(conversationId, v.examples(['t_123'])),
    updated_time: describedOptional(GraphTimeSchema, 'The last activity in the conversation.'),
    link: describedString('Where the Page reads it in Meta Business Suite (a path).'),
    snippet: describedString('The last message, shortened.'),
    message_count: v.optional(count()),
    unread_count: v.optional(count()),
    participants: participants('The people and the Page (or Instagram account) in the conversation.'),
    senders: participants('Those who sent messages in it.'),
    former_participants: participants('Those who left it.'),
    can_reply: v.optional(
      v.pipe(v.boolean(), v.description('Whether the Page may reply now (messaging window).')),
    ),
    is_subscribed: v.optional(v.boolean()),
    name: v.optional(v.string()),
    subject: v.optional(v.string()),
    scoped_thread_key: v.optional(v.string()),
    revision: v.optional(
      v.pipe(RevisionSchema, v.description("Only with updated_since: the index item's revision.")),
    ),
  }),
  v.description(
    "One conversation in Graph's own shape, with the fields asked for (`fields`); `id` always. Instagram conversations lack link, snippet, senders, subject, former_participants and scoped_thread_key.",
  ),
);

/** A removed conversation as `include_removed=true` lists it: ids and times only. */
export const TombstoneViewSchema = v.pipe(
  v.strictObject({
    id: conversationId,
    updated_time: GraphTimeSchema,
    revision: RevisionSchema,
    removed: v.literal(true),
    removed_time: describedInstant('When the index removed it; selected and ordered by this.'),
    reason: RemovalReasonSchema,
  }),
  v.description(
    'With include_removed=true: a conversation removed from the index within TOMBSTONE_DAYS (deleted, moved out of the covered folders, erased), listed under the folder where it was last indexed.',
  ),
);

export const ConversationsBodySchema = v.pipe(
  v.strictObject({
    data: v.array(v.union([ConversationViewSchema, TombstoneViewSchema])),
    paging: v.optional(PagingSchema),
    synced_at: v.optional(
      v.pipe(
        v.nullable(v.pipe(v.string(), v.isoTimestamp())),
        v.description(
          'Only with updated_since: when the scheduled sync last brought the index of this platform and folder up to date; null before its first complete scan.',
        ),
      ),
    ),
  }),
  v.description(
    'One page of conversations, newest activity first, in Graph\'s shape; `{"data": []}` when empty.',
  ),
);
export type ConversationsBody = v.InferOutput<typeof ConversationsBodySchema>;

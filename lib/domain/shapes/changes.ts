import * as v from 'valibot';
import { CHANGE_EVENT_DETAIL_TYPES } from '../change-event.js';
import { MAX_CONVERSATION_ID_LENGTH } from '../conversation.js';
import { describedInstant, FolderSchema, GraphTimeSchema, PlatformSchema } from './common.js';
import { ConversationViewSchema, RemovalReasonSchema, RevisionSchema } from './conversations.js';

/**
 * The index's writes as `GET /pages/{pageId}/changes` lists them: each change event's detail under its
 * `detail_type`. Ids and times only for a removal, never a snippet or a name.
 */

const ids = {
  event_id: v.pipe(
    v.string(),
    v.description('<conversation id>@<revision>: the same for the same write, so de-duplicate on it.'),
  ),
  revision: RevisionSchema,
  page_id: v.string(),
  platform: PlatformSchema,
};

const changed = {
  ...ids,
  folder: v.pipe(FolderSchema, v.description('Where the conversation is now.')),
  change: v.picklist(['created', 'updated']),
  previous_updated_time: v.pipe(
    v.nullable(GraphTimeSchema),
    v.description('What the index held before this write; null when new to it.'),
  ),
  conversation: ConversationViewSchema,
};

export const ConversationChangedSchema = v.pipe(
  v.strictObject({ detail_type: v.literal(CHANGE_EVENT_DETAIL_TYPES.changed), ...changed }),
  v.description('A conversation created in, or updated within, its folder.'),
);

export const ConversationMovedSchema = v.pipe(
  v.strictObject({
    detail_type: v.literal(CHANGE_EVENT_DETAIL_TYPES.moved),
    ...changed,
    from_folder: v.pipe(FolderSchema, v.description('The folder it left.')),
  }),
  v.description('A write that changed the folder (and maybe more): never a Conversation Changed then.'),
);

export const ConversationRemovedSchema = v.pipe(
  v.strictObject({
    detail_type: v.literal(CHANGE_EVENT_DETAIL_TYPES.removed),
    ...ids,
    folder: v.pipe(FolderSchema, v.description('Where the conversation was last indexed.')),
    conversation: v.strictObject({
      id: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CONVERSATION_ID_LENGTH)),
      updated_time: GraphTimeSchema,
    }),
    removed_time: describedInstant('When the index removed it.'),
    reason: RemovalReasonSchema,
  }),
  v.description('A conversation the index removed: ids and times only.'),
);

export const ChangeSchema = v.pipe(
  v.variant('detail_type', [ConversationChangedSchema, ConversationMovedSchema, ConversationRemovedSchema]),
  v.description("One write of the index: the change event's Detail under its DetailType."),
);

export const ChangesBodySchema = v.pipe(
  v.strictObject({
    data: v.array(ChangeSchema),
    paging: v.strictObject({
      cursors: v.strictObject({
        after: v.pipe(
          v.string(),
          v.description(
            'Where to ask from next: always given. Kept CHANGES_DAYS; an older one is invalid_cursor.',
          ),
        ),
      }),
      next: v.optional(
        v.pipe(
          v.string(),
          v.metadata({ format: 'uri-reference' }),
          v.description(
            'Present when more changes are waiting now; absent, ask again later with cursors.after.',
          ),
        ),
      ),
    }),
  }),
  v.description(
    'The writes of a Page\'s index, oldest first, each once; `{"data": [], ...}` when none is new.',
  ),
);
export type ChangesBody = v.InferOutput<typeof ChangesBodySchema>;

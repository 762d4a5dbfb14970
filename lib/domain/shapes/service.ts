import * as v from 'valibot';

/** The service's own answers (`/health`, the webhook receiver), Meta's webhook body and API Gateway's errors. */

export const HealthSchema = v.strictObject({ status: v.literal('ok') });
export type Health = v.InferOutput<typeof HealthSchema>;

/** API Gateway's own answers: not this API's shape, and open, since AWS writes them. */
export const GatewayErrorSchema = v.pipe(
  v.looseObject({ message: v.string() }),
  v.description(
    'An answer of API Gateway itself, before or instead of this API\'s function: e.g. {"message": "Forbidden"} (a request not signed or not allowed), {"message": "Unauthorized"} (no valid JWT), {"message": "Too Many Requests"} (the stage\'s throttle), {"message": "Not Found"} (no such route or method).',
  ),
);

/**
 * Meta's webhook body as the document describes it: every part optional and open, since Meta adds
 * fields and the receiver ignores what it does not know. The receiver's own checks stay where they are.
 */
export const WebhookDeliverySchema = v.pipe(
  v.looseObject({
    object: v.optional(v.pipe(v.string(), v.examples(['page', 'instagram']))),
    entry: v.optional(
      v.array(
        v.looseObject({
          id: v.optional(v.string()),
          time: v.optional(v.pipe(v.number(), v.integer())),
          messaging: v.optional(v.array(v.looseObject({}))),
        }),
      ),
    ),
  }),
  v.description(
    "Meta's webhook body. object page: entry[].id is the Page id; object instagram: the Instagram professional account id. Each messaging[] item with a message (echoes too), postback, reaction or read refreshes that person's conversation. Unknown objects, Pages, accounts and items are answered 200 and ignored.",
  ),
);

export const WebhookReceivedSchema = v.strictObject({ status: v.literal('received') });
export type WebhookReceived = v.InferOutput<typeof WebhookReceivedSchema>;

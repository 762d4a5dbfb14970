/** The SQS client with timeouts lives in `lib/events/`, below the sync's layer, which sends with it too. */
export { createSqsClient, SQS_TIMEOUTS } from '../events/sqs-client.js';

/**
 * Log messages that something outside the code depends on: the stack's alarms match them with metric
 * filters, so they are constants that CDK imports rather than strings written twice.
 */

/** Logged (as the JSON line's `message`) when a run fails: the stack's sync-failure alarm counts it. */
export const SYNC_RUN_FAILED_MESSAGE = 'sync run failed';

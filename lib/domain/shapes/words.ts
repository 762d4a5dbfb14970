/**
 * The words the HTTP shapes enumerate, kept apart from the shapes: code that needs only a word list
 * (the sync, the registry's items) imports it from here, and its bundle holds no schema and no valibot.
 */

/** How a sync run ended. */
export const RUN_OUTCOMES = ['complete', 'partial', 'skipped', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** A partition's sync status; a Page's sync summary has the same three. */
export const SYNC_STATUSES = ['idle', 'running', 'failed'] as const;
export type SyncStatusWord = (typeof SYNC_STATUSES)[number];

/** A Page token's health. */
export const TOKEN_STATUSES = ['valid', 'invalid', 'unchecked'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

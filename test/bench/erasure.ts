/**
 * What one erasure costs (`POST /pages/{pageId}/erasures`, run through the erasure service as the
 * route runs it), against the emulator and dynalite: a 10,000-conversation Page, a person with 1 and
 * one with 50 conversations. DynamoDB calls and write units by item kind; and what the person refs
 * cost the backfill that indexed the Page (about one write per new conversation).
 */
import type { EmulatedConversation, EmulatedPage } from '#lib/local/graph-emulator.js';
import {
  emulatorToken,
  makeConversation,
  mulberry32,
  truncateToSecond,
} from '#lib/local/graph-emulator-seed.js';
import { erasePerson } from '#lib/privacy/erasure.js';
import { syncPage } from '#lib/sync/page-run.js';
import { type DynamoCounts, totalUnits } from './dynamo-meter.js';
import { startBenchEnvironment } from './environment.js';
import { count, progress, type Report, seconds } from './report.js';

const SECTION = 'Erasure (one person, a 10,000-conversation Page)';
const DAY_SECONDS = 86_400;

export interface ErasureBenchOptions {
  conversations: number;
  /** The people erased, by how many conversations each has. */
  people: readonly number[];
}

/** The person id of the bench's person with `n` conversations. */
const personWith = (n: number) => `29${String(n).padStart(14, '0')}`;

function namePerson(conversation: EmulatedConversation, personId: string): void {
  const person = conversation.participants.data[0];
  if (person !== undefined) person.id = personId;
  const sender = conversation.senders.data[0];
  if (sender !== undefined) sender.id = personId;
}

/** One Messenger inbox of `size` conversations over 60 days; the bench's people each own some of them. */
function largeInbox(pageId: string, size: number, people: readonly number[]): EmulatedPage {
  const random = mulberry32(0x5e2a5e);
  const nowSeconds = Math.floor(truncateToSecond(new Date()).getTime() / 1000);
  const page: EmulatedPage = {
    id: pageId,
    name: 'Bench Page',
    accessToken: emulatorToken(pageId),
    conversations: [],
  };
  for (let i = 0; i < size; i++) {
    const time = new Date((nowSeconds - 1 - Math.floor(random() * 60 * DAY_SECONDS)) * 1000);
    page.conversations.push(
      makeConversation(random, {
        page,
        platform: 'messenger',
        folder: 'inbox',
        number: 30_000_000_000_000 + i * 7,
        time,
      }),
    );
  }
  // Each person's conversations spread over the inbox (every 97th from a different start).
  let start = 0;
  for (const n of people) {
    for (let k = 0; k < n; k++) {
      const conversation = page.conversations[(start + k * 97) % size];
      if (conversation !== undefined) namePerson(conversation, personWith(n));
    }
    start += 13;
  }
  return page;
}

const byKind = (dynamo: DynamoCounts) =>
  Object.entries(dynamo.tableUnits)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, value]) => `${kind} ${count(value)}`)
    .join(', ');

export async function benchErasure(report: Report, options: ErasureBenchOptions): Promise<void> {
  const pageId = '3777777777777777';
  const env = await startBenchEnvironment(
    { pages: [largeInbox(pageId, options.conversations, options.people)] },
    { units: true, dynalite: 'child' },
  );
  try {
    const services = env.services({
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' },
      pacer: { callsPerSecond: Number.POSITIVE_INFINITY },
    });
    await services.registry.register({ pageId, token: { kind: 'page-secret' } });
    progress(`erasure: backfill of ${count(options.conversations)} conversations`);
    env.meter.take();
    await syncPage(services.sync, pageId);
    const backfill = env.meter.take();
    const refUnits = backfill.tableUnits.PERSON ?? 0;
    report.add({
      section: SECTION,
      measure: `the backfill's person refs (${count(options.conversations)} new conversations, one person each)`,
      value: `${count(refUnits)} WU of ${count(totalUnits(backfill))} (${byKind(backfill)})`,
      reference:
        '1 ref Put per new conversation, before it is indexed; 1 BatchGetItem per Graph listing (erasure records and refs)',
      budget: `≤ ${count(options.conversations)} WU`,
      verdict: refUnits <= options.conversations ? 'ok' : 'MISSED',
    });
    for (const n of options.people) {
      progress(`erasure: a person with ${n} conversation${n === 1 ? '' : 's'}`);
      env.meter.take();
      const started = performance.now();
      const result = await erasePerson(services.privacy.erasure, pageId, personWith(n));
      const wallMs = performance.now() - started;
      const dynamo = env.meter.take();
      report.add({
        section: SECTION,
        measure: `a person with ${n} conversation${n === 1 ? '' : 's'}: removed, DynamoDB reads (calls), writes`,
        value: `${count(result.conversationsRemoved)}; ${count(dynamo.reads)} reads; ${count(dynamo.writes)} writes, ${count(totalUnits(dynamo))} WU (${byKind(dynamo)}, GSI ${count(dynamo.indexUnits)})`,
        reference: `refs: 1 Query; the index: 2 BatchGetItem + 1 UpdateItem and its clearing per conversation; the feed: its pages read once (${count(options.conversations)} records of the backfill), 1 Put per record of theirs; the record, the refresh items, the refs`,
        budget: `removed = ${n}`,
        verdict: result.conversationsRemoved === n ? 'ok' : 'MISSED',
      });
      report.add({
        section: SECTION,
        measure: `a person with ${n} conversation${n === 1 ? '' : 's'}: wall time (dynalite, one process)`,
        value: seconds(wallMs),
        reference: 'information',
        budget: '—',
        verdict: 'info',
      });
    }
  } finally {
    await env.close();
  }
}

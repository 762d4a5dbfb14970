import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeEventSink, ConversationChangeDetail } from '#lib/domain/change-event.js';
import type { EmulatedConversation } from '#lib/local/graph-emulator-seed.js';
import { ConversationIndex } from '#lib/store/conversation-index.js';
import { syncPage } from '#lib/sync/page-run.js';
import { namePerson, PAGE_ID, type PrivacyRig, personOf, startPrivacyRig } from './support/privacy-rig.js';

/**
 * `POST /pages/{pageId}/erasures` over HTTP: the real handlers, stores and index over dynalite and the
 * Graph emulator, the sync, a webhook's refresh and the events, as the contract's section "A person's
 * data" says.
 */

let rig: PrivacyRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** A person with conversations on both platforms: Messenger inbox and other, Instagram inbox. */
async function personOnBothPlatforms(started: PrivacyRig) {
  const page = started.emulator.pages.get(PAGE_ID);
  if (page === undefined) throw new Error('no page');
  const pick = (platform: string, folder: string) =>
    page.conversations.find((c) => c.platform === platform && c.folder === folder) as EmulatedConversation;
  const messengerInbox = pick('messenger', 'inbox');
  const personId = personOf(messengerInbox);
  const messengerOther = pick('messenger', 'other');
  const instagramInbox = pick('instagram', 'inbox');
  namePerson(messengerOther, personId);
  namePerson(instagramInbox, personId);
  await started.fullSync();
  return { personId, messengerInbox, messengerOther, instagramInbox };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ids = (items: Array<Record<string, unknown>>) => items.map((item) => item.id);

describe('erasing a person', () => {
  it('tombstones their conversations on both platforms with reason erased, one Removed event each', async () => {
    // Prepare
    rig = await startPrivacyRig();
    const { personId, messengerInbox, messengerOther, instagramInbox } = await personOnBothPlatforms(rig);
    expect(ids(await rig.listed('messenger'))).toContain(messengerInbox.id);
    expect(ids(await rig.listed('instagram'))).toContain(instagramInbox.id);
    const eventsBefore = rig.events.length;

    // Act
    const answer = await rig.erase(PAGE_ID, { person_id: personId });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      page_id: PAGE_ID,
      person: sha256(personId),
      conversations_removed: 3,
      erased_at: rig.clock.now.toISOString(),
    });
    expect(ids(await rig.listed('messenger'))).not.toContain(messengerInbox.id);
    expect(ids(await rig.listed('messenger', 'other'))).not.toContain(messengerOther.id);
    expect(ids(await rig.listed('instagram'))).not.toContain(instagramInbox.id);
    const tombstones = await rig.listed('messenger', 'inbox', '&include_removed=true');
    expect(tombstones.find((item) => item.id === messengerInbox.id)).toMatchObject({
      removed: true,
      reason: 'erased',
    });
    const removed = rig.events.slice(eventsBefore);
    expect(
      removed.map((event) => [event.conversation.id, 'reason' in event ? event.reason : 'none']).sort(),
    ).toEqual([messengerInbox.id, messengerOther.id, instagramInbox.id].map((id) => [id, 'erased']).sort());
    // A Removed detail carries ids and times only.
    for (const event of removed) expect(JSON.stringify(event)).not.toContain(personId);
  });

  it('keeps erased history out: a full sync and an old-news webhook bring nothing back, new activity does', async () => {
    // Prepare
    rig = await startPrivacyRig();
    const { personId, messengerInbox, instagramInbox } = await personOnBothPlatforms(rig);
    const erased = await rig.erase(PAGE_ID, { person_id: personId });
    expect(erased.status).toBe(200);
    rig.clock.now = new Date(rig.clock.now.getTime() + 60_000);

    // Act: Graph still lists them, unchanged; a webhook names the person again with nothing new.
    await rig.fullSync();
    expect(await rig.webhook(personId)).toBe(200);
    const afterOldNews = [...ids(await rig.listed('messenger')), ...ids(await rig.listed('instagram'))];
    // New activity after the erasure is new data.
    rig.emulator.touch(PAGE_ID, [messengerInbox.id], rig.clock.now);
    rig.clock.now = new Date(rig.clock.now.getTime() + 1_000);
    expect(await rig.webhook(personId)).toBe(200);
    const afterNewActivity = ids(await rig.listed('messenger'));

    // Assess
    expect(afterOldNews).not.toContain(messengerInbox.id);
    expect(afterOldNews).not.toContain(instagramInbox.id);
    expect(afterNewActivity).toContain(messengerInbox.id);
    // Found again by a second erasure: its person ref was written when it came back.
    const again = await rig.erase(PAGE_ID, { person_id: personId });
    expect(again.body).toMatchObject({ conversations_removed: 1 });
  });

  it('answers the same shape with 0 when erasing twice', async () => {
    // Prepare
    rig = await startPrivacyRig();
    const { personId } = await personOnBothPlatforms(rig);
    await rig.erase(PAGE_ID, { person_id: personId });
    rig.clock.now = new Date(rig.clock.now.getTime() + 1_000);

    // Act
    const second = await rig.erase(PAGE_ID, { person_id: personId });

    // Assess
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      page_id: PAGE_ID,
      person: sha256(personId),
      conversations_removed: 0,
      erased_at: rig.clock.now.toISOString(),
    });
  });

  it('leaves other people and their conversations alone', async () => {
    // Prepare
    rig = await startPrivacyRig();
    const { personId } = await personOnBothPlatforms(rig);
    const before = ids(await rig.listed('messenger'));

    // Act
    await rig.erase(PAGE_ID, { person_id: personId });

    // Assess
    expect(ids(await rig.listed('messenger'))).toHaveLength(before.length - 1);
  });

  it.each([
    ['not JSON', 'person_id=1', 'body'],
    ['a JSON array', '["1"]', 'body'],
    ['an extra key', JSON.stringify({ person_id: '123', reason: 'gdpr' }), 'reason'],
    ['an extra key of digits, never quoted', JSON.stringify({ person_id: '123', '2000123': 1 }), 'body'],
    ['no person_id', '{}', 'person_id'],
    ['a person_id that is a number', JSON.stringify({ person_id: 123 }), 'person_id'],
    ['a person_id not of digits', JSON.stringify({ person_id: '12a' }), 'person_id'],
    ['an empty person_id', JSON.stringify({ person_id: '' }), 'person_id'],
  ])(
    'refuses a body that is %s: 400 invalid_request naming %s, nothing erased',
    async (_, body, parameter) => {
      // Prepare
      rig = await startPrivacyRig();
      await rig.fullSync();
      const before = ids(await rig.listed('messenger'));

      // Act
      const answer = await rig.erase(PAGE_ID, body);

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_request', parameter } });
      expect(answer.text).not.toContain('2000123');
      expect(ids(await rig.listed('messenger'))).toEqual(before);
    },
  );

  it('answers 404 unknown_page for a Page not registered, and for a Page id in another form', async () => {
    // Prepare
    rig = await startPrivacyRig();

    // Act
    const unknown = await rig.erase('1000000000000009', { person_id: '123' });
    const padded = await rig.erase(`0${PAGE_ID}`, { person_id: '123' });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'unknown_page' } });
    expect(padded.status).toBe(404);
  });

  it('reaches conversations indexed before person refs existed, once a scheduled run has given them refs', async () => {
    // Prepare: two people's conversations indexed as a version without refs wrote them (no admit
    // hook); the first person is erased before any run, which cannot find their conversation then.
    rig = await startPrivacyRig();
    const inbox = (rig.emulator.pages.get(PAGE_ID)?.conversations ?? []).filter(
      (c) => c.platform === 'messenger' && c.folder === 'inbox',
    );
    const [early, later] = inbox as [EmulatedConversation, EmulatedConversation];
    const graphShape = ({ platform: _p, folder: _f, ...rest }: EmulatedConversation) => rest;
    const before = new ConversationIndex(rig.dynamo.client, rig.tableName);
    await before.write({ pageId: PAGE_ID, platform: 'messenger', folder: 'inbox' }, [
      graphShape(early),
      graphShape(later),
    ]);
    const missed = await rig.erase(PAGE_ID, { person_id: personOf(early) });

    // Act: a scheduled run (its housekeeping gives the Page's conversations their refs), then erase.
    rig.clock.now = new Date(rig.clock.now.getTime() + 1_000);
    await syncPage(rig.services.sync, PAGE_ID);
    const found = await rig.erase(PAGE_ID, { person_id: personOf(later) });

    // Assess: the missed one became a tombstone (erased) in the run; the other was found by its erasure.
    expect(missed.body).toMatchObject({ conversations_removed: 0 });
    expect(found.body).toMatchObject({ conversations_removed: 1 });
    const listed = await rig.listed('messenger', 'inbox', '&include_removed=true');
    for (const conversation of [early, later])
      expect(listed.find((item) => item.id === conversation.id)).toMatchObject({
        removed: true,
        reason: 'erased',
      });
  });

  it('publishes no content of a write still undelivered at the erasure: its event goes out with ids and times', async () => {
    // Prepare: the bus refuses the sync's events, so the writes stay pending on their items.
    let accepting = false;
    const published: ConversationChangeDetail[] = [];
    const sink: ChangeEventSink = {
      publish: async (details) => {
        if (!accepting) return { undelivered: details.map((detail) => detail.event_id) };
        published.push(...details);
        return { undelivered: [] };
      },
    };
    rig = await startPrivacyRig({ sink });
    const { personId, messengerInbox } = await personOnBothPlatforms(rig);
    accepting = true;

    // Act: the erasure's removals deliver the items' pending writes with them.
    await rig.erase(PAGE_ID, { person_id: personId });

    // Assess
    const ofConversation = published.filter((event) => event.conversation.id === messengerInbox.id);
    expect(ofConversation.map((event) => ('reason' in event ? 'removed' : event.change))).toEqual([
      'created',
      'removed',
    ]);
    expect(JSON.stringify(published)).not.toContain(personId);
  });

  it('cuts the changes feed of the erased conversations to ids and times', async () => {
    // Prepare
    rig = await startPrivacyRig();
    const { personId, messengerInbox } = await personOnBothPlatforms(rig);

    // Act
    await rig.erase(PAGE_ID, { person_id: personId });

    // Assess: every record of the feed that names the conversation holds no more than its id and time
    // (read once the feed's settle time has passed).
    rig.clock.now = new Date(rig.clock.now.getTime() + 60_000);
    const feed = await rig.services.index.feed.read(PAGE_ID, rig.services.index.feed.oldestKept(), 1000);
    const ofConversation = feed.changes.filter((change) => change.conversation.id === messengerInbox.id);
    expect(ofConversation.length).toBeGreaterThan(0);
    for (const change of ofConversation) {
      expect(Object.keys(change.conversation).sort()).toEqual(['id', 'updated_time']);
    }
    expect(JSON.stringify(feed.changes)).not.toContain(personId);
  });
});

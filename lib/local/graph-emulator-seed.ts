/**
 * The emulator's data: conversations shaped as Graph returns them, generated deterministically from a
 * seed so that tests, benches and the demo see the same pages on every run; and their order, which
 * the cursors name a place in.
 */
import { randomBytes } from 'node:crypto';
import { FOLDERS, type Folder, PLATFORMS, type Platform } from '../domain/vocabulary.js';

export interface EmulatedConversation {
  id: string;
  platform: Platform;
  folder: Folder;
  /** Graph's format, one-second resolution: '2026-11-20T10:00:00+0000'. */
  updated_time: string;
  link: string;
  snippet: string;
  message_count: number;
  unread_count: number;
  participants: { data: Array<{ name: string; email?: string; id: string; username?: string }> };
  can_reply: boolean;
  is_subscribed: boolean;
  name?: string;
  subject?: string;
  scoped_thread_key: string;
  senders: { data: Array<{ name: string; email?: string; id: string }> };
  former_participants: { data: [] };
}

export interface EmulatedPage {
  id: string;
  name: string;
  accessToken: string;
  appSecret?: string;
  /** The linked Instagram professional account, as `instagram_business_account.id`. */
  instagramAccountId?: string;
  conversations: EmulatedConversation[];
}

export type Random = () => number;

/** mulberry32: tiny, fast and good enough to make seeded data look varied. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, so that each page id gets its own stream of numbers from one seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Deliberately unlike Meta's 'EAA...' tokens, so that no log scanner or reader mistakes one for real. */
export function emulatorToken(pageId: string): string {
  return `EMULATOR-TOKEN-${pageId}`;
}

export function formatGraphTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}

/** Seconds since the epoch of a Graph time (JavaScript's parser does not promise to read '+0000'). */
export function graphTimeSeconds(time: string): number {
  return Math.floor(Date.parse(time.replace(/\+0000$/, 'Z')) / 1000);
}

export function truncateToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function digits(random: Random, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += String(Math.floor(random() * 10));
  return text;
}

const FIRST_NAMES = ['Ada', 'Bruno', 'Chiara', 'Dmitri', 'Elif', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas'];
const LAST_NAMES = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Novak', 'Silva', 'Kowalski', 'Haddad'];
export const SNIPPETS = [
  'Are you open on Sunday?',
  'Do you deliver to the city centre?',
  'Thanks, see you tomorrow!',
  'Can I change my order?',
  'Is the sourdough vegan?',
  'What time do you close today?',
  'I left my umbrella in the shop yesterday.',
  'Could you send me the price list?',
  'Perfect, thank you!',
  'Is there parking nearby?',
];
const DEMO_PAGE_NAMES = ['Demo Bakery', 'Demo Bike Shop', 'Demo Bookshop'];
const DAY_SECONDS = 24 * 60 * 60;
/** Seeded activity spreads over this many days before `now`. */
const SPREAD_DAYS = 60;
const FIRST_CONVERSATION_NUMBER = 10_000_000_000_000;

function username(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/** The number after 't_' that a new conversation of this page may take: above every existing one. */
export function nextConversationNumber(page: EmulatedPage, random: Random): number {
  let highest = FIRST_CONVERSATION_NUMBER;
  for (const conversation of page.conversations) {
    highest = Math.max(highest, Number(conversation.id.slice(2)));
  }
  return highest + 1 + Math.floor(random() * 50);
}

export interface NewConversation {
  page: Pick<EmulatedPage, 'id' | 'name'>;
  platform: Platform;
  folder: Folder;
  number: number;
  time: Date;
}

export function makeConversation(random: Random, spec: NewConversation): EmulatedConversation {
  const { page, platform, folder } = spec;
  const person = `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
  const messageCount = 1 + Math.floor(random() * 40);
  const unread =
    folder === 'inbox' && random() < 0.3 ? Math.min(messageCount, 1 + Math.floor(random() * 3)) : 0;
  let participants: EmulatedConversation['participants']['data'];
  let userId: string;
  if (platform === 'instagram') {
    // Instagram-scoped ids (IGSIDs) for people; the professional account has a 1784... user id.
    userId = `6${digits(random, 15)}`;
    participants = [
      { name: person, username: username(person) + digits(random, 2), id: userId },
      { name: page.name, username: username(page.name), id: `17841${page.id.slice(-12).padStart(12, '0')}` },
    ];
  } else {
    // Page-scoped ids (PSIDs): digits, unrelated to the person's Facebook id.
    userId = `2${digits(random, 15)}`;
    participants = [
      { name: person, email: `${userId}@facebook.com`, id: userId },
      { name: page.name, email: `${page.id}@facebook.com`, id: page.id },
    ];
  }
  const conversation: EmulatedConversation = {
    id: `t_${spec.number}`,
    platform,
    folder,
    updated_time: formatGraphTime(spec.time),
    link: `/${page.id}/inbox/${spec.number}/?section=messages`,
    snippet: pick(random, SNIPPETS),
    message_count: messageCount,
    unread_count: unread,
    participants: { data: participants },
    can_reply: random() < 0.95,
    is_subscribed: true,
    scoped_thread_key: `t_${userId}`,
    senders: {
      data: participants.map(({ name, email, id }) =>
        email === undefined ? { name, id } : { name, email, id },
      ),
    },
    former_participants: { data: [] },
  };
  if (platform === 'messenger' && random() < 0.1) conversation.subject = `Order #${digits(random, 5)}`;
  return conversation;
}

export interface SeedPageOptions {
  /** Conversations in each inbox and other partition; page_done and spam get a fifth of it. */
  perPartition: number;
  seed?: number;
  now?: Date;
  /** Puts many conversations at the very same second, to test paging across equal timestamps. */
  sharedSecond?: boolean;
  appSecret?: string;
  name?: string;
}

export function partitionSize(folder: Folder, perPartition: number): number {
  return folder === 'inbox' || folder === 'other' ? perPartition : Math.ceil(perPartition / 5);
}

export function seedPage(pageId: string, options: SeedPageOptions): EmulatedPage {
  const random = mulberry32(hash(pageId) ^ (options.seed ?? 1));
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const page: EmulatedPage = {
    id: pageId,
    name: options.name ?? `Demo Page ${pageId}`,
    accessToken: emulatorToken(pageId),
    conversations: [],
  };
  if (options.appSecret !== undefined) page.appSecret = options.appSecret;
  let number = FIRST_CONVERSATION_NUMBER;
  for (const platform of PLATFORMS) {
    for (const folder of FOLDERS) {
      let seconds = nowSeconds;
      let sameSecondLeft = 0;
      for (let i = 0; i < partitionSize(folder, options.perPartition); i++) {
        if (sameSecondLeft > 0) {
          sameSecondLeft--;
        } else {
          seconds = nowSeconds - 1 - Math.floor(random() * SPREAD_DAYS * DAY_SECONDS);
          if (options.sharedSecond === true) sameSecondLeft = 4 + Math.floor(random() * 10);
          else if (random() < 0.15) sameSecondLeft = 1 + Math.floor(random() * 2);
        }
        number += 1 + Math.floor(random() * 50);
        const time = new Date(seconds * 1000);
        page.conversations.push(makeConversation(random, { page, platform, folder, number, time }));
      }
    }
  }
  return page;
}

export const DEMO_PAGE_IDS = ['1000000000000001', '1000000000000002', '1000000000000003'] as const;

/** The demo's pages: the third requires appsecret_proof, so that path runs in every demo. */
export function seedDemoPages(
  options: { pages?: number; perPartition?: number; seed?: number; now?: Date } = {},
): EmulatedPage[] {
  const now = truncateToSecond(options.now ?? new Date());
  const pages: EmulatedPage[] = [];
  for (let i = 1; i <= (options.pages ?? 3); i++) {
    const pageId = String(1_000_000_000_000_000 + i);
    const seedOptions: SeedPageOptions = {
      perPartition: options.perPartition ?? 30,
      seed: options.seed ?? 1,
      now,
      name: DEMO_PAGE_NAMES[i - 1] ?? `Demo Page ${i}`,
    };
    if (i === 3) seedOptions.appSecret = 'emulator-app-secret-3';
    pages.push(seedPage(pageId, seedOptions));
  }
  return pages;
}

/**
 * Many small Pages made from their id when asked for, not stored: a bench's 100,000 Pages cost no
 * memory until one is changed. Ids run from `firstPageId` up; each Page is `seedPage` of its id with
 * the emulator's start time, so it is the same Page on every request.
 */
export interface GeneratedPagesOptions {
  count: number;
  /** Default 3000000000000001, apart from the demo's and the emulated users' Pages. */
  firstPageId?: bigint;
  /** Conversations per inbox and other partition (page_done and spam get one); default 1. */
  perPartition?: number;
  /** Links an Instagram professional account to every Page; default true. */
  instagram?: boolean;
}

export const GENERATED_FIRST_PAGE_ID = 3_000_000_000_000_001n;

/** The ids of generated Pages `from` (inclusive) to `to` (exclusive), ascending. */
export function generatedPageIds(options: GeneratedPagesOptions, from = 0, to = options.count): string[] {
  const first = options.firstPageId ?? GENERATED_FIRST_PAGE_ID;
  const ids: string[] = [];
  for (let i = Math.max(0, from); i < Math.min(to, options.count); i++) ids.push(String(first + BigInt(i)));
  return ids;
}

/** The generated Page of this id, or undefined when the id is not one of them. */
export function generatedPage(
  pageId: string,
  options: GeneratedPagesOptions,
  now: Date,
): EmulatedPage | undefined {
  if (!/^[1-9]\d{0,31}$/.test(pageId)) return undefined;
  const index = BigInt(pageId) - (options.firstPageId ?? GENERATED_FIRST_PAGE_ID);
  if (index < 0n || index >= BigInt(options.count)) return undefined;
  const page = seedPage(pageId, { perPartition: options.perPartition ?? 1, now, name: `Page ${pageId}` });
  if (options.instagram !== false) page.instagramAccountId = `178414${pageId.slice(-11).padStart(11, '0')}`;
  return page;
}

/** Where a conversation sits in Graph's order: what a cursor names. */
export interface Position {
  seconds: number;
  id: string;
}

export function positionOf(conversation: EmulatedConversation): Position {
  return { seconds: graphTimeSeconds(conversation.updated_time), id: conversation.id };
}

/** Numeric order of 't_<digits>' ids without leading zeros. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Negative when `a` is listed first: newest first, ties by the higher id, so the order is total. */
export function order(a: Position, b: Position): number {
  return b.seconds - a.seconds || compareIds(b.id, a.id);
}

/** Makes cursors start 'QVFIU', as Graph's do, so nothing can tell them apart by their look. */
const CURSOR_MARK = 'AQHR';

/** The nonce makes two cursors for the same item differ, as Graph's do: nobody may compare them. */
export function encodeCursor(position: Position): string {
  const inner = `${position.id}:${position.seconds}:${randomBytes(12).toString('hex')}`;
  return Buffer.from(CURSOR_MARK + Buffer.from(inner).toString('base64url')).toString('base64url');
}

export function decodeCursor(cursor: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const outer = Buffer.from(cursor, 'base64url').toString('latin1');
  if (!outer.startsWith(CURSOR_MARK)) return undefined;
  const inner = outer.slice(CURSOR_MARK.length);
  if (!/^[A-Za-z0-9_-]+$/.test(inner)) return undefined;
  const match = /^(t_\d+):(\d+):[0-9a-f]+$/.exec(Buffer.from(inner, 'base64url').toString('latin1'));
  const [, id, seconds] = match ?? [];
  return id === undefined || seconds === undefined ? undefined : { id, seconds: Number(seconds) };
}

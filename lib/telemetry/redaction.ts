/**
 * Every secret this process has loaded, so that the logger can scrub them from whatever it is asked to
 * print: an SDK error, a Graph message or a bug's message could quote one, and logs are read by people
 * who must never see a Page token. Module-level on purpose: one index per container.
 *
 * A container of the sync worker or of `npm start` may hold tens of thousands of Page tokens, and every
 * log line passes through here, so the work per line must not grow with their number. Each secret is
 * filed under one window of `WINDOW` characters of its own text, chosen where the fewest other secrets
 * are filed (Page tokens of one app share a long prefix: filing them all by their first characters
 * would put them in one bucket). A line is read once with a rolling hash of its windows; only the
 * secrets filed under a window the line holds are compared with it. The work per line is its length
 * plus the few comparisons its windows bring, whatever the number of secrets.
 */

/** Shorter values are not tokens, and scrubbing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 8;
/** The filing window: every secret has at least one, as none is shorter. */
const WINDOW = MIN_SECRET_LENGTH;
const BASE = 257;
/** BASE^(WINDOW − 1), wrapped to 32 bits as the hash is: what a window's first character weighs. */
const LEADING_WEIGHT = (() => {
  let weight = 1;
  for (let i = 1; i < WINDOW; i++) weight = Math.imul(weight, BASE);
  return weight;
})();
const REDACTED = '[redacted]';

interface Filed {
  secret: string;
  /** Where the filing window starts inside the secret. */
  offset: number;
}

const secrets = new Set<string>();
const buckets = new Map<number, Filed[]>();
const work = { windows: 0, comparisons: 0 };

/**
 * The rolling hash of every window of `text`, in order: `visit(hash, start)`. Integer arithmetic
 * wrapped to 32 bits: collisions only cost a comparison, as every candidate is compared in full.
 */
function eachWindow(text: string, visit: (hash: number, start: number) => void): void {
  if (text.length < WINDOW) return;
  let hash = 0;
  for (let i = 0; i < WINDOW; i++) hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
  visit(hash, 0);
  for (let start = 1; start + WINDOW <= text.length; start++) {
    hash = (hash - Math.imul(text.charCodeAt(start - 1), LEADING_WEIGHT)) | 0;
    hash = (Math.imul(hash, BASE) + text.charCodeAt(start + WINDOW - 1)) | 0;
    visit(hash, start);
  }
}

export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  // File it under its least crowded window, the last of equals: a token's random tail rather than the
  // prefix it shares with the app's other tokens. Paid once, here, not on every line.
  let best = { hash: 0, offset: 0, crowd: Number.POSITIVE_INFINITY };
  eachWindow(value, (hash, offset) => {
    const crowd = buckets.get(hash)?.length ?? 0;
    if (crowd <= best.crowd) best = { hash, offset, crowd };
  });
  const filed = { secret: value, offset: best.offset };
  const bucket = buckets.get(best.hash);
  if (bucket === undefined) buckets.set(best.hash, [filed]);
  else bucket.push(filed);
}

/** Every registered secret in `text`, anywhere, replaced; overlapping ones are replaced as one span. */
export function redactSecrets(text: string): string {
  if (secrets.size === 0 || text.length < WINDOW) return text;
  const spans: Array<[number, number]> = [];
  eachWindow(text, (hash, start) => {
    work.windows++;
    const bucket = buckets.get(hash);
    if (bucket === undefined) return;
    for (const { secret, offset } of bucket) {
      work.comparisons++;
      const at = start - offset;
      if (at >= 0 && text.startsWith(secret, at)) spans.push([at, at + secret.length]);
    }
  });
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let result = '';
  let copied = 0;
  let open: [number, number] | undefined;
  for (const span of spans) {
    if (open !== undefined && span[0] < open[1]) {
      open[1] = Math.max(open[1], span[1]);
      continue;
    }
    if (open !== undefined) {
      result += text.slice(copied, open[0]) + REDACTED;
      copied = open[1];
    }
    open = [span[0], span[1]];
  }
  if (open !== undefined) result += text.slice(copied, open[0]) + REDACTED + text.slice(open[1]);
  return result;
}

/**
 * What redaction has done in this process: windows hashed and secrets compared. Lets a test show that
 * the work per line does not grow with the number of secrets, without timing anything.
 */
export function redactionWork(): { windows: number; comparisons: number } {
  return { ...work };
}

/** Scrubs every string inside a log line's extra keys. */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value instanceof Error) {
    const described: Record<string, string> = { name: value.name, message: redactSecrets(value.message) };
    if (value.stack !== undefined) described.stack = redactSecrets(value.stack);
    return described;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactDeep(inner)]));
  }
  return value;
}

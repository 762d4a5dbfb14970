import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConsoleLogger } from '#lib/local/console-logger.js';
import { redactionWork, redactSecrets, registerSecret } from '#lib/telemetry/redaction.js';

/**
 * Redaction in a container that holds 10,000 Page tokens: every log line is scrubbed of each of them,
 * at a cost that does not grow with their number (counted as work, never timed).
 */

const SECRETS = 10_000;
/** Tokens of one Meta app share a long prefix, as these do: the case a prefix index would choke on. */
const tokenOf = (i: number) => `EAABwzLixnjYBO0sharedappprefix${(i * 7_919).toString(36).padStart(8, '0')}ZD`;
const tokens = Array.from({ length: SECRETS }, (_, i) => tokenOf(i));
for (const token of tokens) registerSecret(token);

/** The work one call does, by the module's own counters. */
function workOf(text: string): { result: string; windows: number; comparisons: number } {
  const before = redactionWork();
  const result = redactSecrets(text);
  const after = redactionWork();
  return {
    result,
    windows: after.windows - before.windows,
    comparisons: after.comparisons - before.comparisons,
  };
}

describe('redaction with 10,000 registered secrets', () => {
  it.each([
    ['at the start', (t: string) => `${t} was refused`],
    ['inside a URL', (t: string) => `GET /v24.0/me?access_token=${t}&fields=name failed`],
    ['glued to other characters', (t: string) => `x${t}y`],
    ['twice', (t: string) => `${t} and again ${t}`],
  ])('scrubs a registered token %s, comparing it with a handful of secrets, not 10,000', (_, line) => {
    // Prepare
    const token = tokens[4_321] as string;
    const text = line(token);
    // Act
    const { result, windows, comparisons } = workOf(text);
    // Assess
    expect(result).not.toContain(token);
    expect(result).not.toContain(token.slice(-12));
    expect(result).toContain('[redacted]');
    expect(windows).toBe(text.length - 7);
    expect(comparisons).toBeLessThanOrEqual(8);
  });

  it('reads a line without a secret once and compares it with nothing', () => {
    // Prepare
    const text = `request status=200 latency_ms=12 page_id=1000000000000001 ${'EAABwzLixnjYBO0shared'}`;
    // Act
    const { result, windows, comparisons } = workOf(text);
    // Assess
    expect(result).toBe(text);
    expect(windows).toBe(text.length - 7);
    expect(comparisons).toBeLessThanOrEqual(2);
  });

  it('scrubs every registered token in a line through the local logger', () => {
    // Prepare
    const written: string[] = [];
    const logger = createConsoleLogger('info', (line) => written.push(line));
    const some = [tokens[0], tokens[5_000], tokens[9_999]] as string[];
    // Act
    logger.warn(`Graph refused ${some[0]}`, {
      error: new Error(`bad token ${some[1]}`),
      url: `?t=${some[2]}`,
    });
    // Assess
    const line = written.join('\n');
    for (const token of some) expect(line).not.toContain(token);
    // The Error's message is in its stack too: four places.
    expect(line.match(/\[redacted\]/g)).toHaveLength(4);
  });
});

describe('redaction spans', () => {
  registerSecret('abcdefghij');
  registerSecret('ghijklmnop');
  registerSecret('cdefghijklmnopqrst');
  registerSecret('0123456789');
  registerSecret('short');

  it.each([
    ['overlapping secrets are one span, no part left', 'x abcdefghijklmnop y', 'x [redacted] y'],
    ['a secret inside a longer one', 'cdefghijklmnopqrst!', '[redacted]!'],
    ['adjacent secrets are two spans', '0123456789abcdefghij', '[redacted][redacted]'],
    ['a value under 8 characters is not a secret', 'short and sweet', 'short and sweet'],
    ['text shorter than any secret', 'abc', 'abc'],
  ])('%s', (_, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('leaves no registered secret in any line (random secrets and lines over a two-letter alphabet)', () => {
    const registered = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[ab]{8,12}$/), { minLength: 1, maxLength: 5 }),
        fc.stringMatching(/^[ab]{0,60}$/),
        (secrets, line) => {
          for (const secret of secrets) {
            registerSecret(secret);
            registered.add(secret);
          }
          const scrubbed = redactSecrets(line);
          for (const secret of registered) expect(scrubbed).not.toContain(secret);
        },
      ),
      { numRuns: 200, seed: 20 },
    );
  });
});

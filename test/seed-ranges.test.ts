import assert from 'node:assert/strict';
import { renderCurrentDetails } from '../src/workflows/current-details.js';
import { GUIDED_RANGES_IN_FLIGHT, guidedSeedRanges, MAX_GUIDED_RANGES, MIN_GUIDED_RANGE_RECORDS } from '../src/workflows/seed-ranges.js';
import { seedingProgressLines, seedingProgressText } from '../src/workflows/seeding-progress.js';
import type { ChecklistItemState } from '../src/workflows/cutover-state.js';

function widths(total: number): number[] {
  return guidedSeedRanges(total).map((r) => r.to - r.from);
}

describe('seeding ranges', () => {
  it('cover every record once, in order, for any size', () => {
    for (const total of [1, 24, 25, 26, 399, 1_000, 2_000, 10_000, 100_000, 1_000_000]) {
      const ranges = guidedSeedRanges(total);
      assert.equal(ranges[0]?.from, 0, `${total}`);
      assert.equal(ranges[ranges.length - 1]?.to, total, `${total}`);
      for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i]?.from, ranges[i - 1]?.to, `${total}: range ${i} follows on`);
      assert.ok(
        ranges.every((r) => r.to > r.from),
        `${total}: no empty range`,
      );
    }
  });

  it('shrink towards the end, so the last ranges in flight are small whatever the size', () => {
    for (const total of [2_000, 10_000, 100_000, 1_000_000]) {
      const w = widths(total);
      for (let i = 1; i < w.length; i++)
        assert.ok((w[i] as number) <= (w[i - 1] as number), `${total}: range ${i} is no wider than the one before`);
      const last = w.slice(-GUIDED_RANGES_IN_FLIGHT);
      assert.ok(
        last.every((n) => n <= MIN_GUIDED_RANGE_RECORDS),
        `${total}: the last ${GUIDED_RANGES_IN_FLIGHT} are ${last.join(', ')}`,
      );
    }
  });

  it('stay within the range cap, so the history does not grow with the file', () => {
    assert.ok(guidedSeedRanges(100_000).length <= 150, `${guidedSeedRanges(100_000).length} ranges for 100,000`);
    assert.ok(guidedSeedRanges(1_000_000).length <= MAX_GUIDED_RANGES);
    assert.ok(guidedSeedRanges(10_000_000).length <= MAX_GUIDED_RANGES);
    assert.ok(
      widths(100_000).every((n) => n <= 2_000),
      'a range at 100,000 is at most 2,000 records, so progress moves often',
    );
  });
});

describe('seeding progress as people read it', () => {
  const item = (progress: ChecklistItemState['progress'], status: ChecklistItemState['status'] = 'checking'): ChecklistItemState => ({
    id: 'seed-card-records',
    section: 'data',
    title: 'Seed initial card records',
    owner: 'engineering',
    kind: 'automated',
    optional: false,
    status,
    attempts: 1,
    problems: [],
    ...(progress ? { progress } : {}),
  });

  it('says done, total, rate and expected end', () => {
    assert.equal(
      seedingProgressText({ done: 42_000, total: 100_000, perSecond: 186.4, expectedEnd: '2026-12-05T15:07:12.345Z' }),
      '42,000 of 100,000 records (42 %), 186.4 a second, expected end 2026-12-05 15:07:12Z',
    );
    assert.equal(seedingProgressText({ done: 0, total: 500 }), '0 of 500 records (0 %)');
  });

  it('shows only while the check runs', () => {
    assert.equal(seedingProgressLines([item({ done: 10, total: 20 })]).length, 1);
    assert.deepEqual(seedingProgressLines([item({ done: 20, total: 20 }, 'done')]), []);
    assert.deepEqual(seedingProgressLines([item(undefined)]), []);
    assert.deepEqual(seedingProgressLines(undefined), []);
  });

  it('appears in the current details under the readiness line', () => {
    const status = {
      programme: 'P',
      phase: 'waiting',
      goLive: '2026-12-06T15:00:00.000Z',
      timeScale: 1,
      stages: [],
      checklist: [item({ done: 500, total: 2_000, perSecond: 190, expectedEnd: '2026-12-05T15:07:12.000Z' })],
      compensations: [],
      refusals: [],
    } as unknown as Parameters<typeof renderCurrentDetails>[0];
    assert.match(
      renderCurrentDetails(status),
      /\*\*Readiness\*\* 0 of 1 items done or waived\n\nseed-card-records: 500 of 2,000 records \(25 %\), 190 a second, expected end 2026-12-05 15:07:12Z/,
    );
  });
});

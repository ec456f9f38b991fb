import { describe, expect, it } from 'vitest';
import { EFFORT_COLUMNS, effortCells, effortTables, formatDuration } from '../src/effort_panel';
import type { EffortStats } from '../src/types';

describe('effort figures', () => {
  it('durations read as seconds, minutes or hours', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('a row: counts, active time, seconds per image and per box, share accepted', () => {
    const cells = effortCells({
      images: 12,
      boxes: 40,
      active_seconds: 250,
      seconds_per_image: 20.83,
      seconds_per_box: 6.25,
      accepted_share: 0.675,
    });
    expect(cells).toEqual(['12', '40', '4 min 10 s', '21', '6.3', '68 %']);
    expect(cells).toHaveLength(EFFORT_COLUMNS.length);
    const none = { seconds_per_image: null, seconds_per_box: null, accepted_share: null };
    expect(effortCells({ images: 0, boxes: 0, active_seconds: 0, ...none })).toEqual([
      '0',
      '0',
      '0 s',
      '–',
      '–',
      '–',
    ]);
  });

  it('per labeler as given, per round newest first with images labeled before any model last', () => {
    const figures = {
      images: 1,
      boxes: 2,
      active_seconds: 3,
      seconds_per_image: 3,
      seconds_per_box: 1.5,
      accepted_share: 0.5,
    };
    const effort: EffortStats = {
      per_labeler: [
        { labeler: 'alice', ...figures },
        { labeler: 'bob', ...figures },
      ],
      per_round: [
        { model_id: null, ...figures },
        { model_id: 1, ...figures },
        { model_id: 2, ...figures },
      ],
    };
    const [labelers, rounds] = effortTables(effort);
    expect(labelers?.head).toBe('labeler');
    expect(labelers?.rows.map((r) => r.name)).toEqual(['alice', 'bob']);
    expect(rounds?.head).toBe('model');
    expect(rounds?.rows.map((r) => r.name)).toEqual(['#2', '#1', 'none']);
  });
});

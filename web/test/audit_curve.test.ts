import { describe, expect, it } from 'vitest';
import { auditSetText, curveNote, curvePlot, latestAuditText } from '../src/audit_curve';
import { yExtent } from '../src/chart';
import { noAuditSet, round, threeRounds } from './fixtures/curve';

describe('curvePlot', () => {
  it('plots audit mAP@0.5 with its interval and the agreement against images labeled', () => {
    const plot = curvePlot(threeRounds, 'images');
    expect(plot.xLabel).toBe('images labeled');
    // Sorted by images labeled; the round without an audit score has no audit point.
    expect(plot.audit.points).toEqual([
      { x: 20, y: 0.3, low: expect.closeTo(0.15, 9) as number, high: 0.4 },
      { x: 44, y: 0.61, low: expect.closeTo(0.46, 9) as number, high: expect.closeTo(0.71, 9) as number },
    ]);
    // The first round has no previous model to agree with.
    expect(plot.agreement.points).toEqual([
      { x: 32, y: 0.8 },
      { x: 44, y: 0.93 },
    ]);
    expect(plot.audit.yRange).toEqual([0, 1]);
    expect(plot.agreement.yRange).toEqual([0, 1]);
  });

  it('plots against boxes labeled on the boxes axis', () => {
    const plot = curvePlot(threeRounds, 'boxes');
    expect(plot.xLabel).toBe('boxes labeled');
    expect(plot.audit.points.map((p) => p.x)).toEqual([70, 120]);
    expect(plot.agreement.points.map((p) => p.x)).toEqual([80, 120]);
  });

  it('orders rounds at the same count by model', () => {
    const curve = { ...threeRounds, rounds: [round(5, 40, 90, 0.5, null), round(4, 40, 90, 0.4, null)] };
    expect(curvePlot(curve, 'images').audit.points.map((p) => p.y)).toEqual([0.4, 0.5]);
  });

  it('keeps the band around its point even when the interval comes back inverted', () => {
    const odd = round(1, 10, 20, 0.5, null);
    odd.audit = { ...odd.audit!, map50_low: 0.6, map50_high: 0.7 };
    const [point] = curvePlot({ ...threeRounds, rounds: [odd] }, 'images').audit.points;
    expect(point).toEqual({ x: 10, y: 0.5, low: 0.5, high: 0.7 });
  });

  it('has no audit points without an audit set', () => {
    const plot = curvePlot(noAuditSet, 'images');
    expect(plot.audit.points).toEqual([]);
    expect(plot.agreement.points).toEqual([{ x: 10, y: 0.95 }]);
  });
});

describe('what the panel says', () => {
  it('shows the server’s note when there is no audit set', () => {
    expect(curveNote(noAuditSet)).toBe('no audit set: every image was imported already labeled');
  });

  it('says why the line is missing when the server gave no note', () => {
    expect(curveNote({ ...threeRounds, rounds: [] })).toMatch(/No round yet/);
    const unscored = { ...noAuditSet, note: null };
    expect(curveNote(unscored)).toMatch(/No audit image labeled yet/);
    expect(curveNote({ ...unscored, audit: { fraction: 0.1, images: 3, boxes: 9 } })).toMatch(
      /next round is scored on them/,
    );
    expect(curveNote(threeRounds)).toBeNull();
  });

  it('describes the latest audit figure on the axis shown', () => {
    expect(latestAuditText(threeRounds, 'images')).toBe(
      'Model #3: audit mAP@0.5 0.61 (95 % interval 0.46–0.71; mAP@0.5:0.95 0.30) ' +
        'on 4 audit images with 11 boxes, at 44 images labeled.',
    );
    expect(latestAuditText(threeRounds, 'boxes')).toMatch(/at 120 boxes labeled\.$/);
    expect(latestAuditText(noAuditSet, 'images')).toBeNull();
  });

  it('describes the audit set', () => {
    expect(auditSetText(threeRounds)).toBe(
      'Audit set: 10 % of the images served, drawn at random and never trained on; ' +
        '12 labeled so far (30 boxes).',
    );
  });
});

describe('yExtent', () => {
  it('spans fixed ranges, values and band ends', () => {
    expect(yExtent([{ name: 'a', color: '', points: [{ x: 0, y: 0.5, low: -0.1, high: 0.6 }], yRange: [0, 1] }])).toEqual([
      -0.1, 1,
    ]);
    expect(yExtent([{ name: 'a', color: '', points: [{ x: 0, y: 2 }] }])).toEqual([1.5, 2.5]);
    expect(yExtent([{ name: 'a', color: '', points: [] }])).toBeNull();
  });
});

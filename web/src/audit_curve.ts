// What the Loop panel plots from GET /api/loop/curve, as plain data (no DOM): each round's audit
// mAP@0.5 with its bootstrap interval and its agreement with the previous round's model, against
// the images or the boxes labeled when the round started.
import type { Point, Series } from './chart';
import type { CurveRound, LoopCurve } from './types';

export type CurveAxis = 'images' | 'boxes';

export const AUDIT_COLOR = '#22c55e';
export const AGREEMENT_COLOR = '#a78bfa';
export const AUDIT_SERIES = 'audit mAP@0.5';
export const AGREEMENT_SERIES = 'agreement';

export interface CurvePlot {
  audit: Series;
  agreement: Series;
  xLabel: string;
}

function xOf(round: CurveRound, axis: CurveAxis): number {
  return axis === 'images' ? round.labeled_images : round.labeled_boxes;
}

function byX(axis: CurveAxis): (a: CurveRound, b: CurveRound) => number {
  return (a, b) => xOf(a, axis) - xOf(b, axis) || a.model_id - b.model_id;
}

const finite = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export function curvePlot(curve: LoopCurve, axis: CurveAxis): CurvePlot {
  const rounds = [...curve.rounds].sort(byX(axis));
  const audit: Point[] = [];
  const agreement: Point[] = [];
  for (const round of rounds) {
    const x = xOf(round, axis);
    const score = round.audit;
    if (score && finite(score.map50)) {
      const point: Point = { x, y: score.map50 };
      if (finite(score.map50_low) && finite(score.map50_high)) {
        point.low = Math.min(score.map50_low, score.map50);
        point.high = Math.max(score.map50_high, score.map50);
      }
      audit.push(point);
    }
    if (round.agreement && finite(round.agreement.f1)) agreement.push({ x, y: round.agreement.f1 });
  }
  return {
    audit: { name: AUDIT_SERIES, color: AUDIT_COLOR, points: audit, yRange: [0, 1] },
    agreement: {
      name: AGREEMENT_SERIES,
      color: AGREEMENT_COLOR,
      points: agreement,
      yRange: [0, 1],
      dashed: true,
    },
    xLabel: axis === 'images' ? 'images labeled' : 'boxes labeled',
  };
}

// What to say above the chart: the server's note (say, no audit set because every image was
// imported labeled) or, without one, why there is no audit line yet; null when nothing is missing.
export function curveNote(curve: LoopCurve): string | null {
  if (curve.note) return curve.note;
  if (curve.rounds.some((r) => r.audit !== null)) return null;
  if (curve.rounds.length === 0) return 'No round yet: the curve starts after the first round.';
  if (curve.audit.images === 0) {
    return 'No audit image labeled yet: some of the images served are drawn at random to score each round on.';
  }
  return 'The audit images were labeled after the last round; the next round is scored on them.';
}

// One line under the chart: the latest audit figure and what it rests on.
export function latestAuditText(curve: LoopCurve, axis: CurveAxis): string | null {
  const scored = [...curve.rounds].sort(byX(axis)).filter((r) => r.audit !== null);
  const last = scored[scored.length - 1];
  if (!last?.audit) return null;
  const a = last.audit;
  const unit = axis === 'images' ? 'images' : 'boxes';
  return (
    `Model #${last.model_id}: audit mAP@0.5 ${a.map50.toFixed(2)} ` +
    `(95 % interval ${a.map50_low.toFixed(2)}–${a.map50_high.toFixed(2)}; ` +
    `mAP@0.5:0.95 ${a.map.toFixed(2)}) on ${a.images} audit image${a.images === 1 ? '' : 's'} ` +
    `with ${a.boxes} box${a.boxes === 1 ? '' : 'es'}, at ${xOf(last, axis)} ${unit} labeled.`
  );
}

export function auditSetText(curve: LoopCurve): string {
  const { fraction, images, boxes } = curve.audit;
  return (
    `Audit set: ${Math.round(fraction * 1000) / 10} % of the images served, drawn at random and ` +
    `never trained on; ${images} labeled so far (${boxes} box${boxes === 1 ? '' : 'es'}).`
  );
}

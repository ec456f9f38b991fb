// The Loop panel's audit curve: each round's mAP@0.5 on the audit set (with its interval band)
// and its agreement with the previous round's model, against images or boxes labeled, and the
// stop signal in plain words. It fetches GET /api/loop/curve itself; overlapping refreshes
// coalesce into one request after the one in flight.
import { Api, ApiError, NetworkError } from './api';
import {
  AGREEMENT_COLOR,
  AUDIT_COLOR,
  auditSetText,
  curvePlot,
  latestAuditText,
  curveNote,
  type CurveAxis,
} from './audit_curve';
import { lineChart } from './chart';
import { h } from './dom';
import type { LoopCurve } from './types';
import { Coalesced } from './coalesced';

export class CurvePanel {
  readonly element: HTMLElement;
  private curve: LoopCurve | null = null;
  private axis: CurveAxis = 'images';
  private readonly loads = new Coalesced(() => this.load());

  private readonly axisButtons: Record<CurveAxis, HTMLButtonElement> = {
    images: h('button', { type: 'button', 'data-testid': 'curve-axis-images', text: 'images' }),
    boxes: h('button', { type: 'button', 'data-testid': 'curve-axis-boxes', text: 'boxes' }),
  };
  private readonly stop = h('div', { class: 'stop-signal', 'data-testid': 'stop-signal' });
  private readonly note = h('p', { class: 'curve-note small', 'data-testid': 'curve-note' });
  private readonly chart = h('div', { class: 'loop-curve', 'data-testid': 'learning-curve' });
  private readonly caption = h('div', { class: 'muted small', 'data-testid': 'curve-caption' });
  private readonly auditLine = h('div', { class: 'muted small', 'data-testid': 'audit-set' });

  constructor(
    private readonly api: Api,
    // Called when the stop signal turns on while the page is open.
    private readonly onStopped: (message: string) => void,
  ) {
    for (const axis of ['images', 'boxes'] as const) {
      const button = this.axisButtons[axis];
      button.addEventListener('mousedown', (e) => e.preventDefault());
      button.addEventListener('click', () => this.setAxis(axis));
    }
    this.element = h(
      'div',
      { class: 'curve-panel' },
      h(
        'div',
        { class: 'curve-head' },
        h('h3', { text: 'Audit curve' }),
        h(
          'div',
          { class: 'segmented', role: 'group', 'aria-label': 'x axis' },
          this.axisButtons.images,
          this.axisButtons.boxes,
        ),
      ),
      this.stop,
      this.note,
      this.chart,
      h(
        'div',
        { class: 'legend small' },
        h('span', { class: 'swatch', style: `background:${AUDIT_COLOR}` }),
        ' audit mAP@0.5 (band: 95 % interval) ',
        h('span', { class: 'swatch', style: `background:${AGREEMENT_COLOR}` }),
        ' agreement with the previous model',
      ),
      this.caption,
      this.auditLine,
    );
    this.render();
  }

  get current(): LoopCurve | null {
    return this.curve;
  }

  setAxis(axis: CurveAxis): void {
    this.axis = axis;
    this.render();
  }

  refresh(): Promise<void> {
    return this.loads.run();
  }

  private async load(): Promise<void> {
    try {
      const curve = await this.api.loopCurve();
      const wasStopped = this.curve?.stop.stopped_changing;
      this.curve = curve;
      this.render();
      if (wasStopped === false && curve.stop.stopped_changing) this.onStopped(curve.stop.message);
    } catch (error) {
      this.showError(error);
    }
  }

  private showError(error: unknown): void {
    const text =
      error instanceof ApiError && error.status === 404
        ? 'This server has no audit curve.'
        : error instanceof NetworkError
          ? 'Audit curve unavailable: cannot reach the server.'
          : `Audit curve unavailable: ${error instanceof Error ? error.message : String(error)}`;
    // A failed refresh keeps the last curve on screen; the note says it may be stale.
    this.note.hidden = false;
    this.note.textContent = text;
    this.note.dataset['kind'] = 'error';
  }

  private render(): void {
    for (const [axis, button] of Object.entries(this.axisButtons)) {
      button.classList.toggle('active', axis === this.axis);
      button.setAttribute('aria-pressed', String(axis === this.axis));
    }
    const curve = this.curve;
    this.chart.dataset['axis'] = this.axis;
    if (!curve) {
      this.stop.hidden = true;
      this.note.hidden = false;
      this.note.textContent = 'Loading the audit curve…';
      this.note.dataset['kind'] = 'info';
      this.chart.dataset['points'] = '0';
      this.chart.dataset['agreementPoints'] = '0';
      this.chart.replaceChildren();
      this.caption.textContent = '';
      this.auditLine.textContent = '';
      return;
    }
    this.stop.hidden = curve.rounds.length === 0 && !curve.stop.message;
    this.stop.textContent = curve.stop.message;
    this.stop.dataset['stopped'] = String(curve.stop.stopped_changing);
    this.stop.classList.toggle('stopped', curve.stop.stopped_changing);

    const reason = curveNote(curve);
    this.note.hidden = reason === null;
    this.note.textContent = reason ?? '';
    this.note.dataset['kind'] = curve.note ? 'note' : 'info';

    const plot = curvePlot(curve, this.axis);
    this.chart.dataset['rounds'] = String(curve.rounds.length);
    this.chart.dataset['points'] = String(plot.audit.points.length);
    this.chart.dataset['agreementPoints'] = String(plot.agreement.points.length);
    const series = [plot.audit, plot.agreement].filter((s) => s.points.length > 0);
    this.chart.replaceChildren(
      ...(series.length > 0
        ? [
            lineChart(series, {
              width: 300,
              height: 160,
              xLabel: plot.xLabel,
              sharedY: true,
              guides:
                plot.agreement.points.length > 0
                  ? [
                      {
                        y: curve.stop.threshold,
                        color: AGREEMENT_COLOR,
                        label: `stop at ${curve.stop.threshold}`,
                      },
                    ]
                  : [],
            }),
          ]
        : []),
    );
    this.caption.textContent = latestAuditText(curve, this.axis) ?? '';
    this.auditLine.textContent = auditSetText(curve);
  }
}

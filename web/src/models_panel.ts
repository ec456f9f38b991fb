// The models drawer: the active-learning loop (its state, settings, audit curve and stop signal),
// the labeling effort per labeler and per round, running jobs with their progress, and each
// trained model's training curves (loss and validation mAP@0.5 per epoch, from metrics.epochs).
import { Api } from './api';
import { lineChart } from './chart';
import { h } from './dom';
import type { EffortPanel } from './effort_panel';
import { jobPercent, jobTitle } from './job_title';
import { LoopPanel } from './loop_panel';
import type { Job, Model } from './types';

export class ModelsPanel {
  private jobs: Job[] = [];
  private models: Model[] = [];
  private error: string | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly api: Api,
    private readonly loop: LoopPanel,
    private readonly effort: EffortPanel,
  ) {}

  get isOpen(): boolean {
    return !this.host.hidden;
  }

  async toggle(): Promise<void> {
    this.host.hidden = !this.host.hidden;
    if (!this.host.hidden) {
      await Promise.all([
        this.refresh(),
        this.loop.refresh(),
        this.loop.curve.refresh(),
        this.effort.refresh(),
      ]);
    }
  }

  async open(): Promise<void> {
    if (!this.isOpen) await this.toggle();
  }

  async refresh(): Promise<void> {
    try {
      [this.models, this.jobs] = await Promise.all([this.api.models(), this.api.jobs()]);
      this.error = null;
    } catch (error) {
      this.error = `Could not load models: ${(error as Error).message}`;
    }
    this.render();
  }

  // A job event: update that job in place, reload models when one finished training.
  onJob(job: Job): void {
    const index = this.jobs.findIndex((j) => j.id === job.id);
    if (index >= 0) this.jobs[index] = job;
    else this.jobs.unshift(job);
    if (this.isOpen) {
      if (job.state === 'done' && job.kind === 'train') void this.refresh();
      else this.render();
    }
  }

  private render(): void {
    const body = h('div', { class: 'panel-body' });
    if (this.error) body.append(h('p', { class: 'panel-error', text: this.error }));
    body.append(this.loop.element, this.effort.element);
    const active = this.jobs.filter((j) => j.state === 'running' || j.state === 'queued');
    body.append(h('h3', { text: 'Jobs' }));
    if (active.length === 0) {
      body.append(h('p', { class: 'muted', text: 'No job running.' }));
    }
    for (const job of active) {
      const percent = jobPercent(job);
      body.append(
        h(
          'div',
          { class: 'job', 'data-testid': 'job' },
          h('div', { class: 'job-title', text: jobTitle(job) }),
          h('div', { class: 'bar' }, h('div', { class: 'bar-fill', style: `width:${percent}%` })),
          job.message ? h('div', { class: 'muted small', text: job.message }) : null,
        ),
      );
    }
    body.append(h('h3', { text: 'Models' }));
    if (this.models.length === 0) {
      body.append(
        h('p', {
          class: 'muted',
          'data-testid': 'models-empty',
          text: 'No model trained yet. One is trained automatically after enough labels.',
        }),
      );
    }
    const newestFirst = [...this.models].sort((a, b) => b.id - a.id);
    for (const model of newestFirst) body.append(modelCard(model));
    this.host.replaceChildren(
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { text: 'Loop and models' }),
        closeButton(() => (this.host.hidden = true)),
      ),
      body,
    );
  }
}

function closeButton(run: () => void): HTMLButtonElement {
  const button = h('button', { class: 'icon-button', title: 'Close', 'aria-label': 'Close' }, '×');
  button.addEventListener('click', run);
  return button;
}

function modelCard(model: Model): HTMLElement {
  const epochs = Array.isArray(model.metrics.epochs) ? model.metrics.epochs : [];
  const points = (field: 'loss' | 'val_map50') =>
    epochs
      .filter((e) => typeof e[field] === 'number' && Number.isFinite(e[field]))
      .map((e, i) => ({ x: typeof e.epoch === 'number' ? e.epoch : i + 1, y: e[field] as number }));
  const loss = points('loss');
  const map = points('val_map50');
  // The model's unbiased figure (the audit set's) when there is one, else its validation figure.
  const audit = model.metrics.audit;
  const best = model.metrics.val_map50;
  const figure =
    audit && Number.isFinite(audit.map50)
      ? `audit mAP@0.5 ${audit.map50.toFixed(3)} on ${audit.images} images`
      : typeof best === 'number' && Number.isFinite(best)
        ? `val mAP@0.5 ${best.toFixed(3)}`
        : map.length > 0
          ? `val mAP@0.5 ${map[map.length - 1]!.y.toFixed(3)}`
          : null;
  const card = h(
    'div',
    { class: 'model', 'data-testid': 'model' },
    h('div', { class: 'model-title', text: `Model #${model.id} · ${model.arch}` }),
    h('div', {
      class: 'muted small',
      text:
        `trained on ${model.trained_on} images` +
        (figure !== null ? ` · ${figure}` : '') +
        (model.created_at ? ` · ${model.created_at.replace('T', ' ').slice(0, 16)}` : ''),
    }),
  );
  if (loss.length + map.length === 0) {
    card.append(h('p', { class: 'muted small', text: 'No per-epoch metrics recorded.' }));
    return card;
  }
  card.append(
    lineChart([
      { name: 'loss', color: '#f97316', points: loss },
      { name: 'val mAP@0.5', color: '#22c55e', points: map },
    ]),
    h(
      'div',
      { class: 'legend small' },
      h('span', { class: 'swatch', style: 'background:#f97316' }),
      ' loss ',
      h('span', { class: 'swatch', style: 'background:#22c55e' }),
      ' val mAP@0.5',
    ),
  );
  return card;
}

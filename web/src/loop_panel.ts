// The active-learning loop at a glance: what the worker is doing (idle, a round queued, training
// or scoring with its progress), how many labels until the next round, and the audit curve with
// the stop signal (curve_panel.ts). Admins also get the loop's settings and a "Retrain now"
// button; labelers only watch.
//
// The element is built once and updated in place, so a server event arriving while an admin types
// into the settings never throws their input away.
import { Api, ApiError, NetworkError, isConflict } from './api';
import { CurvePanel } from './curve_panel';
import { h } from './dom';
import { Toasts } from './toasts';
import type { Job, LoopState } from './types';

const STATE_TEXT: Record<LoopState['state'], string> = {
  idle: 'Idle',
  queued: 'Round queued: waiting for the worker',
  training: 'Training a new model',
  scoring: 'Scoring the unlabeled images',
};

function jobPercent(job: Job | null): number {
  return job ? Math.round(Math.max(0, Math.min(1, job.progress)) * 100) : 0;
}

// One short line for the top bar.
export function loopSummary(state: LoopState): string {
  switch (state.state) {
    case 'training':
      return `Training ${jobPercent(state.job)}%`;
    case 'scoring':
      return `Scoring ${jobPercent(state.job)}%`;
    case 'queued':
      return 'Round queued';
    case 'idle':
      if (!state.enabled) return 'Loop off';
      return state.next_round_in <= 0 ? 'Round due' : `Next round in ${state.next_round_in}`;
  }
}

function nextRoundText(state: LoopState): string {
  if (!state.enabled) return 'Automatic rounds are off.';
  const n = state.next_round_in;
  const due = n <= 0 ? 'Next round is due now' : `Next round in ${n} label${n === 1 ? '' : 's'}`;
  return `${due} (every ${state.every}; ${state.labels_since_round} since the last round).`;
}

function why(error: unknown): string {
  if (error instanceof NetworkError) return 'cannot reach the server';
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export class LoopPanel {
  readonly element: HTMLElement;
  readonly curve: CurvePanel;
  private state: LoopState | null = null;
  private admin = false;
  // The admin changed a setting and has not saved it: events must not overwrite the form.
  private dirty = false;

  private readonly stateLine = h('div', { class: 'loop-state', 'data-testid': 'loop-state' });
  private readonly progress = h('div', { class: 'bar', hidden: true });
  private readonly progressFill = h('div', { class: 'bar-fill' });
  private readonly jobLine = h('div', { class: 'muted small', 'data-testid': 'loop-job' });
  private readonly nextLine = h('div', { class: 'small', 'data-testid': 'loop-next' });
  // novalidate: the server's rules decide, and its message is shown beside the form.
  private readonly controls = h('form', {
    class: 'loop-controls',
    novalidate: true,
    'data-testid': 'loop-controls',
  });
  private readonly enabled = h('input', { type: 'checkbox', 'data-testid': 'loop-enabled' });
  private readonly every = h('input', {
    type: 'number',
    min: 1,
    step: 1,
    class: 'loop-every',
    'data-testid': 'loop-every',
  });
  private readonly strategy = h('select', { 'data-testid': 'loop-strategy' });
  private readonly saveButton = h('button', {
    type: 'submit',
    'data-testid': 'loop-save',
    text: 'Save',
  });
  private readonly runButton = h('button', {
    type: 'button',
    class: 'primary',
    'data-testid': 'loop-run',
    text: 'Retrain now',
  });
  private readonly formError = h('p', { class: 'panel-error small', 'data-testid': 'loop-error' });

  constructor(
    private readonly api: Api,
    private readonly toasts: Toasts,
    private readonly onState: (state: LoopState | null) => void,
  ) {
    this.curve = new CurvePanel(api, (message) =>
      this.toasts.show(message, { kind: 'success', testid: 'toast-stop', timeoutMs: 0 }),
    );
    this.progress.append(this.progressFill);
    this.controls.append(
      h('label', { class: 'loop-check' }, this.enabled, ' Retrain automatically'),
      h('label', { class: 'field' }, 'Every N labels', this.every),
      h('label', { class: 'field' }, 'Query strategy', this.strategy),
      h('div', { class: 'loop-buttons' }, this.saveButton, this.runButton),
      this.formError,
    );
    this.controls.hidden = true;
    this.formError.hidden = true;
    for (const input of [this.enabled, this.every, this.strategy]) {
      input.addEventListener('input', () => (this.dirty = true));
      input.addEventListener('change', () => (this.dirty = true));
    }
    this.controls.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    this.runButton.addEventListener('click', () => void this.runNow());
    this.element = h(
      'section',
      { class: 'loop-panel', 'data-testid': 'loop-panel' },
      h('h3', { text: 'Active-learning loop' }),
      this.stateLine,
      this.progress,
      this.jobLine,
      this.nextLine,
      this.controls,
      this.curve.element,
    );
    this.renderState();
  }

  get current(): LoopState | null {
    return this.state;
  }

  setAdmin(admin: boolean): void {
    this.admin = admin;
    this.controls.hidden = !admin || this.state === null;
  }

  async refresh(): Promise<void> {
    try {
      this.apply(await this.api.loop());
    } catch (error) {
      this.stateLine.textContent = `Loop state unavailable: ${why(error)}`;
      this.stateLine.dataset['state'] = 'unknown';
    }
  }

  // A `loop` event or an answer of the loop routes.
  apply(state: LoopState): void {
    this.state = state;
    this.controls.hidden = !this.admin;
    if (!this.dirty) this.fillForm(state);
    this.renderState();
    this.onState(state);
  }

  // Job events carry the progress between loop events.
  onJob(job: Job): void {
    if (!this.state || this.state.job?.id !== job.id) return;
    this.state = { ...this.state, job };
    this.renderState();
    this.onState(this.state);
    // The round moved on (training done, scoring next, or a failure): ask where it stands now.
    if (job.state !== 'running' && job.state !== 'queued') void this.refresh();
  }

  private fillForm(state: LoopState): void {
    this.enabled.checked = state.enabled;
    this.every.value = String(state.every);
    const specs = state.strategies.includes(state.strategy)
      ? state.strategies
      : [state.strategy, ...state.strategies];
    this.strategy.replaceChildren(...specs.map((spec) => h('option', { value: spec, text: spec })));
    this.strategy.value = state.strategy;
  }

  private renderState(): void {
    const state = this.state;
    if (!state) {
      this.stateLine.textContent = 'Loading the loop state…';
      this.progress.hidden = true;
      this.jobLine.textContent = '';
      this.nextLine.textContent = '';
      return;
    }
    this.stateLine.dataset['state'] = state.state;
    const busy = state.state === 'training' || state.state === 'scoring';
    const percent = jobPercent(state.job);
    const text = STATE_TEXT[state.state];
    this.stateLine.textContent = busy ? `${text} · ${percent}%` : text;
    this.progress.hidden = !busy;
    this.progressFill.style.width = `${percent}%`;
    this.jobLine.textContent = state.job
      ? `${state.job.kind} job #${state.job.id} · ${state.job.state}` +
        (state.job.message ? ` · ${state.job.message}` : '')
      : `${state.models} model${state.models === 1 ? '' : 's'} so far · strategy ${state.strategy}`;
    this.nextLine.textContent = nextRoundText(state);
    // One round at a time: the server would answer 409, but the button can say so first.
    this.runButton.disabled = state.state !== 'idle';
  }

  private showFormError(message: string | null): void {
    this.formError.hidden = message === null;
    this.formError.textContent = message ?? '';
  }

  private async save(): Promise<void> {
    const every = Number(this.every.value);
    if (this.every.value.trim() === '' || !Number.isInteger(every)) {
      this.showFormError('Not saved: "every" must be a whole number of labels.');
      return;
    }
    this.saveButton.disabled = true;
    try {
      const state = await this.api.setLoop({
        enabled: this.enabled.checked,
        every,
        strategy: this.strategy.value,
      });
      this.dirty = false;
      this.showFormError(null);
      this.apply(state);
      this.toasts.show('Loop settings saved.', { kind: 'success', testid: 'toast-loop-saved' });
    } catch (error) {
      this.showFormError(`Not saved: ${why(error)}`);
    } finally {
      this.saveButton.disabled = false;
    }
  }

  private async runNow(): Promise<void> {
    this.runButton.disabled = true;
    try {
      const { job } = await this.api.runLoop();
      this.toasts.show(`Round started: ${job.kind} job #${job.id}.`, {
        kind: 'success',
        testid: 'toast-loop-run',
      });
    } catch (error) {
      if (isConflict(error)) {
        this.toasts.show(`A round is already under way: ${error.message}`, {
          kind: 'warn',
          testid: 'toast-loop-busy',
        });
      } else {
        this.toasts.show(`Could not start a round: ${why(error)}`, {
          kind: 'error',
          testid: 'toast-error',
        });
      }
    } finally {
      await this.refresh();
    }
  }
}

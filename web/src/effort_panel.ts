// What labeling costs, from GET /api/stats `effort`: per labeler and per round (the model whose
// queue and proposals the images were labeled under), the active seconds per image and per box
// and the share of boxes accepted as the model proposed them. Two small tables in the Loop and
// models drawer; refreshes coalesce like the curve's.
import { Api, ApiError, NetworkError } from './api';
import { h } from './dom';
import type { EffortFigures, EffortStats } from './types';
import { Coalesced } from './coalesced';

// Short headings (the drawer is narrow), each with its meaning as a tooltip.
export const EFFORT_COLUMNS = ['images', 'boxes', 'active', 's/img', 's/box', 'acc.'] as const;
const COLUMN_TITLES: Record<(typeof EFFORT_COLUMNS)[number], string> = {
  images: 'images labeled',
  boxes: 'boxes on them',
  active: 'active time, all saves and skips',
  's/img': 'active seconds per labeled image',
  's/box': 'active seconds per box',
  'acc.': 'share of the boxes accepted as the model proposed them',
};

// "42 s", "3 min 05 s", "2 h 07 min"; "–" when unknown.
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function perUnit(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  return seconds < 10 ? seconds.toFixed(1) : String(Math.round(seconds));
}

function share(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${Math.round(value * 100)} %`;
}

// One table row's cells after its name, in EFFORT_COLUMNS order.
export function effortCells(f: EffortFigures): string[] {
  return [
    String(f.images),
    String(f.boxes),
    formatDuration(f.active_seconds),
    perUnit(f.seconds_per_image),
    perUnit(f.seconds_per_box),
    share(f.accepted_share),
  ];
}

export interface EffortTable {
  kind: 'labeler' | 'round';
  head: string; // the name column's heading
  rows: { name: string; cells: string[] }[];
}

// The two tables; rounds newest first, images labeled before any model as "no model".
export function effortTables(effort: EffortStats): EffortTable[] {
  const rounds = [...effort.per_round].sort((a, b) => (b.model_id ?? 0) - (a.model_id ?? 0));
  return [
    {
      kind: 'labeler',
      head: 'labeler',
      rows: effort.per_labeler.map((l) => ({ name: l.labeler, cells: effortCells(l) })),
    },
    {
      kind: 'round',
      head: 'model',
      rows: rounds.map((r) => ({
        name: r.model_id === null ? 'none' : `#${r.model_id}`,
        cells: effortCells(r),
      })),
    },
  ];
}

export class EffortPanel {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'effort-tables', 'data-testid': 'effort-tables' });
  private readonly loads = new Coalesced(() => this.load());

  constructor(private readonly api: Api) {
    this.element = h(
      'section',
      { class: 'effort-panel', 'data-testid': 'effort-panel' },
      h('h3', { text: 'Effort' }),
      h('p', {
        class: 'muted small',
        text:
          'Per labeler and per round (the model whose queue and proposals were current): active ' +
          'seconds on the page (idle stretches over 30 s cut) per image and per box, and the ' +
          'share of boxes accepted as the model proposed them.',
      }),
      this.body,
    );
  }

  refresh(): Promise<void> {
    return this.loads.run();
  }

  private async load(): Promise<void> {
    try {
      const stats = await this.api.stats();
      this.render(stats.effort ?? null);
    } catch (error) {
      const why =
        error instanceof NetworkError
          ? 'cannot reach the server'
          : error instanceof ApiError
            ? error.message
            : String(error);
      this.body.replaceChildren(h('p', { class: 'panel-error small', text: `Effort unavailable: ${why}` }));
    }
  }

  private render(effort: EffortStats | null): void {
    if (!effort || (effort.per_labeler.length === 0 && effort.per_round.length === 0)) {
      this.body.replaceChildren(
        h('p', { class: 'muted small', 'data-testid': 'effort-empty', text: 'No effort recorded yet.' }),
      );
      return;
    }
    this.body.replaceChildren(
      ...effortTables(effort).map((table) =>
        h(
          'table',
          { class: 'effort-table small', 'data-testid': `effort-${table.kind}` },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { text: table.head }),
              ...EFFORT_COLUMNS.map((c) => h('th', { text: c, title: COLUMN_TITLES[c] })),
            ),
          ),
          h(
            'tbody',
            {},
            ...table.rows.map((row) =>
              h(
                'tr',
                { 'data-name': row.name },
                h('th', { text: row.name }),
                ...row.cells.map((cell) => h('td', { text: cell })),
              ),
            ),
          ),
        ),
      ),
    );
  }
}

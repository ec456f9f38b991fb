// The halting criterion next to the image: the queue as a bar (least uncertain on the left, each
// image an equal slice) coloured red / orange / green, its flat (random-like) low end hatched, and
// a marker where the shown image sits.
// It answers the labeler's question "is this order still worth following, or is it time to
// retrain?" for the image in front of them.
import { h } from './dom';
import type { Halting, QueryPosition, QueueInfo, Zone } from './types';

const ZONE_TEXT: Record<Zone, string> = {
  green: 'uncertainty sampling still beats random here',
  orange: 'near random: consider retraining',
  red: 'queue has run flat: retrain',
};

// The queue's halting report decides the colours; the server also names the zone of each image,
// but a position without a zone (or one off the scale) still gets a colour from the thresholds.
function zoneAt(halting: Halting, position: number): Zone {
  if (position <= halting.red_below) return 'red';
  if (position >= halting.green_from) return 'green';
  return 'orange';
}

function isZone(value: unknown): value is Zone {
  return value === 'green' || value === 'orange' || value === 'red';
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
}

function percent(value: number): string {
  return `${(clamp01(value) * 100).toFixed(2)}%`;
}

export class HaltingWidget {
  private queue: QueueInfo | null = null;
  // Until the first answer nothing is said, rather than "no model yet" flashing by.
  private known = false;
  private unavailable: string | null = null;
  private query: QueryPosition | null = null;
  private hasImage = false;
  // The marker came from a queue that has since been replaced: its place is only a hint now.
  private stale = false;

  constructor(private readonly host: HTMLElement) {
    this.render();
  }

  setQueue(queue: QueueInfo | null): void {
    this.queue = queue;
    this.known = true;
    this.unavailable = null;
    this.render();
  }

  // The queue could not be read (the server is older, or unreachable): say so, quietly.
  setUnavailable(reason: string): void {
    this.queue = null;
    this.known = true;
    this.unavailable = reason;
    this.render();
  }

  setImage(query: QueryPosition | null, hasImage = true): void {
    this.query = query;
    this.hasImage = hasImage;
    this.stale = false;
    this.render();
  }

  // A new queue replaced the one the shown image was handed out from.
  markStale(): void {
    if (this.query) this.stale = true;
  }

  private render(): void {
    const queue = this.queue;
    this.host.dataset['state'] = queue ? 'queue' : this.known ? 'none' : 'loading';
    this.host.dataset['zone'] = '';
    if (!this.known) {
      this.host.replaceChildren();
      return;
    }
    if (!queue) {
      this.host.replaceChildren(
        h('span', {
          class: 'halting-note muted small',
          'data-testid': 'halting-text',
          text: this.unavailable ?? 'No model yet: images in import order.',
        }),
      );
      return;
    }
    // A queue no model scored: the first batch ("random first batch"), or a checkpoint file's.
    const source =
      `${queue.model_id !== null ? `model #${queue.model_id} · ` : ''}${queue.strategy}` +
      ` · ${queue.size} queued`;
    const halting = queue.halting;
    if (!halting) {
      this.host.replaceChildren(
        h('span', {
          class: 'halting-source muted small',
          'data-testid': 'halting-source',
          text: `Queue: ${source}`,
        }),
        h('span', {
          class: 'halting-note muted small',
          'data-testid': 'halting-text',
          text: this.imageNote(),
        }),
      );
      return;
    }
    const scale = h('div', {
      class: 'halting-scale',
      'data-testid': 'halting-scale',
      title:
        'The queued images, least uncertain on the left, each an equal slice. Green: clearly ' +
        'more uncertain than a random pick of the images after it. Orange: above random, not ' +
        'clearly. Red: the queue has run flat, the order no longer beats random: retrain. ' +
        'Hatched: flat. The ten most uncertain images are never red.',
    });
    const red = clamp01(halting.red_below);
    const green = Math.max(red, clamp01(halting.green_from));
    scale.append(
      segment('red', 0, red),
      segment('orange', red, green),
      segment('green', green, 1),
    );
    if (halting.flat_until > 0) {
      scale.append(
        h('div', {
          class: 'halting-flat',
          'data-testid': 'halting-flat',
          style: `left:0;width:${percent(halting.flat_until)}`,
          title:
            `Flat in the last ${(clamp01(halting.flat_until) * 100).toFixed(0)}% of the queue: ` +
            'following the order here is no better than a random pick',
        }),
      );
    }
    for (const edge of halting.edges) {
      scale.append(h('div', { class: 'halting-edge', style: `left:${percent(edge)}` }));
    }
    let text = this.imageNote();
    let zone: Zone | null = null;
    if (this.query && this.hasImage) {
      const position = clamp01(this.query.position ?? 0);
      zone = isZone(this.query.zone) ? this.query.zone : zoneAt(halting, position);
      scale.append(
        h('div', {
          class: `halting-marker${this.stale ? ' stale' : ''}`,
          'data-testid': 'halting-marker',
          'data-zone': zone,
          'data-position': position.toFixed(4),
          style: `left:${percent(position)}`,
          title: `uncertainty ${this.query.uncertainty.toFixed(3)} · position ${position.toFixed(2)}`,
        }),
      );
      text =
        `#${this.query.rank + 1} of ${queue.size}: ${ZONE_TEXT[zone]}` +
        (this.stale ? ' (place in the previous order)' : '');
    }
    this.host.dataset['zone'] = zone ?? '';
    this.host.replaceChildren(
      h('span', { class: 'halting-source muted small', title: `Queue: ${source}`, text: source }),
      scale,
      h('span', {
        class: `halting-note small${zone ? ` zone-${zone}` : ' muted'}`,
        'data-testid': 'halting-text',
        text,
      }),
    );
  }

  private imageNote(): string {
    if (!this.hasImage) return 'No image shown.';
    if (!this.query) return 'This image is not in the current queue.';
    return `#${this.query.rank + 1} in the queue`;
  }
}

function segment(zone: Zone, from: number, to: number): HTMLElement {
  return h('div', {
    class: `halting-zone zone-${zone}`,
    style: `left:${percent(from)};width:${percent(Math.max(0, to - from))}`,
  });
}

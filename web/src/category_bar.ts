// The category buttons: colour, hotkey and name, with a bar of how many boxes each category has
// (relative to the most frequent one, so the rare categories stand out). Boxes of the image being
// edited that are not saved yet show beside the count as pending ("+4") and as a paler bar.
import { formatPending } from './category_counts';
import { h } from './dom';
import type { Category, Counts } from './types';

export class CategoryBar {
  private buttons = new Map<number, HTMLButtonElement>();
  private categories: Category[] = [];
  private counts: Counts | null = null;
  private pending = new Map<number, number>();

  constructor(
    private readonly host: HTMLElement,
    private readonly onPick: (id: number) => void,
  ) {}

  setCategories(categories: Category[]): void {
    this.categories = [...categories].sort((a, b) => a.position - b.position);
    this.buttons.clear();
    const items = this.categories.map((category) => {
      const button = h(
        'button',
        {
          class: 'category',
          'data-testid': `category-${category.name}`,
          'data-category-id': category.id,
          title: category.hotkey
            ? `${category.name} (key ${category.hotkey})`
            : category.name,
          style: `--category-color:${category.color}`,
        },
        h('span', { class: 'category-top' },
          h('span', { class: 'swatch' }),
          category.hotkey ? h('kbd', { text: category.hotkey }) : null,
          h('span', { class: 'category-name', text: category.name }),
          h('span', {
            class: 'category-pending',
            'data-testid': `pending-${category.name}`,
            title: 'boxes on this image not saved yet',
          }),
          h('span', { class: 'category-count', 'data-testid': `count-${category.name}`, text: '0' }),
        ),
        h('span', { class: 'bar' }, h('span', { class: 'bar-fill' }), h('span', { class: 'bar-pending' })),
      );
      // Keep keyboard focus on the canvas: a focused button would also react to Space/Enter.
      button.addEventListener('mousedown', (e) => e.preventDefault());
      button.addEventListener('click', () => this.onPick(category.id));
      this.buttons.set(category.id, button);
      return button;
    });
    this.host.replaceChildren(...items);
  }

  setActive(id: number | null): void {
    for (const [categoryId, button] of this.buttons) {
      button.classList.toggle('active', categoryId === id);
      button.setAttribute('aria-pressed', String(categoryId === id));
    }
  }

  setCounts(counts: Counts): void {
    this.counts = counts;
    this.render();
  }

  // Per category, boxes on screen minus the server's boxes of the same image.
  setPending(pending: ReadonlyMap<number, number>): void {
    this.pending = new Map(pending);
    this.render();
  }

  private render(): void {
    const saved = new Map((this.counts?.categories ?? []).map((c) => [c.id, c]));
    const total = (id: number) => (saved.get(id)?.boxes ?? 0) + Math.max(0, this.pending.get(id) ?? 0);
    const max = Math.max(1, ...[...this.buttons.keys()].map(total));
    for (const [id, button] of this.buttons) {
      const count = saved.get(id);
      const boxes = count?.boxes ?? 0;
      const delta = this.pending.get(id) ?? 0;
      button.querySelector('.category-count')!.textContent = String(boxes);
      const pending = button.querySelector<HTMLElement>('.category-pending')!;
      pending.textContent = formatPending(delta);
      pending.dataset['pending'] = String(delta);
      button.querySelector<HTMLElement>('.bar-fill')!.style.width =
        `${(100 * Math.max(0, boxes + Math.min(0, delta))) / max}%`;
      button.querySelector<HTMLElement>('.bar-pending')!.style.width =
        `${(100 * Math.abs(delta)) / max}%`;
      button.querySelector<HTMLElement>('.bar-pending')!.classList.toggle('removed', delta < 0);
      const name = count?.name ?? this.categories.find((c) => c.id === id)?.name ?? '';
      button.title =
        `${name}: ${boxes} saved boxes on ${count?.images ?? 0} images` +
        (delta !== 0 ? `; ${formatPending(delta)} on this image, not saved yet` : '');
    }
  }
}

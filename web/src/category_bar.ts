// The category buttons: colour, hotkey and name, with a bar of how many boxes each category has
// (relative to the most frequent one, so the rare categories stand out).
import { h } from './dom';
import type { Category, Counts } from './types';

export class CategoryBar {
  private buttons = new Map<number, HTMLButtonElement>();
  private categories: Category[] = [];

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
          h('span', { class: 'category-count', 'data-testid': `count-${category.name}`, text: '0' }),
        ),
        h('span', { class: 'bar' }, h('span', { class: 'bar-fill' })),
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
    const max = Math.max(1, ...counts.categories.map((c) => c.boxes));
    for (const count of counts.categories) {
      const button = this.buttons.get(count.id);
      if (!button) continue;
      button.querySelector('.category-count')!.textContent = String(count.boxes);
      const fill = button.querySelector<HTMLElement>('.bar-fill')!;
      fill.style.width = `${(100 * count.boxes) / max}%`;
      button.title = `${count.name}: ${count.boxes} boxes on ${count.images} images`;
    }
  }
}

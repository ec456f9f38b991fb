// The side panel part that edits the selected box: its category (dropdown), size and a delete
// button. Hidden when nothing is selected.
import type { EditBox } from './box_model';
import { h } from './dom';
import type { Category } from './types';

export class SelectionPanel {
  private readonly select: HTMLSelectElement;
  private readonly info: HTMLElement;
  private readonly remove: HTMLButtonElement;

  constructor(
    private readonly host: HTMLElement,
    onCategory: (id: number) => void,
    onDelete: () => void,
  ) {
    this.select = h('select', { 'data-testid': 'box-category', 'aria-label': 'Category of the selected box' });
    this.info = h('div', { class: 'muted small', 'data-testid': 'box-info' });
    this.remove = h('button', { class: 'danger', 'data-testid': 'box-delete', title: 'Delete (Del)' }, 'Delete box');
    this.select.addEventListener('change', () => {
      onCategory(Number(this.select.value));
      // Give the keyboard back to the canvas so the hotkeys work again at once.
      this.select.blur();
    });
    this.remove.addEventListener('mousedown', (e) => e.preventDefault());
    this.remove.addEventListener('click', onDelete);
    host.replaceChildren(
      h('h3', { text: 'Selected box' }),
      h('label', { class: 'field' }, 'Category', this.select),
      this.info,
      this.remove,
    );
    host.hidden = true;
  }

  setCategories(categories: Category[]): void {
    this.select.replaceChildren(
      ...[...categories]
        .sort((a, b) => a.position - b.position)
        .map((c) => h('option', { value: c.id, text: c.hotkey ? `${c.name} (${c.hotkey})` : c.name })),
    );
  }

  show(box: EditBox | null): void {
    this.host.hidden = box === null;
    if (!box) return;
    this.select.value = String(box.category_id);
    this.info.textContent =
      `${Math.round(box.w)} × ${Math.round(box.h)} px at (${Math.round(box.x)}, ${Math.round(box.y)})` +
      (box.source === 'model' && box.score !== null ? ` · model proposal ${box.score.toFixed(2)}` : '');
  }
}

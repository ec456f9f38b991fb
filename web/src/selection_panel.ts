// The side panel part that edits the selected box: its category (dropdown), size and a delete
// button; for a selected proposal, accept and reject (relabelling it accepts it as adjusted).
// Hidden when nothing is selected.
import type { EditBox, Proposal } from './box_model';
import { h } from './dom';
import type { Category } from './types';

// What is selected on the canvas: a box, or a proposal still waiting for the labeler's word.
export type Selection = { kind: 'box'; box: EditBox } | { kind: 'proposal'; proposal: Proposal };

export class SelectionPanel {
  private readonly select: HTMLSelectElement;
  private readonly info: HTMLElement;
  private readonly remove: HTMLButtonElement;
  private readonly accept: HTMLButtonElement;
  private readonly title: HTMLElement;

  constructor(
    private readonly host: HTMLElement,
    onCategory: (id: number) => void,
    onDelete: () => void,
    onAccept: () => void,
  ) {
    this.select = h('select', { 'data-testid': 'box-category', 'aria-label': 'Category of the selected box' });
    this.info = h('div', { class: 'muted small', 'data-testid': 'box-info' });
    this.remove = h(
      'button',
      { class: 'danger', 'data-testid': 'box-delete', title: 'Delete (Del, X)' },
      'Delete box',
    );
    this.accept = h(
      'button',
      { class: 'primary', 'data-testid': 'proposal-accept', title: 'Accept (Enter)' },
      'Accept',
    );
    this.title = h('h3', { text: 'Selected box' });
    this.select.addEventListener('change', () => {
      onCategory(Number(this.select.value));
      // Give the keyboard back to the canvas so the hotkeys work again at once.
      this.select.blur();
    });
    this.remove.addEventListener('mousedown', (e) => e.preventDefault());
    this.remove.addEventListener('click', onDelete);
    this.accept.addEventListener('mousedown', (e) => e.preventDefault());
    this.accept.addEventListener('click', onAccept);
    host.replaceChildren(
      this.title,
      h('label', { class: 'field' }, 'Category', this.select),
      this.info,
      h('div', { class: 'selection-buttons' }, this.accept, this.remove),
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

  show(selection: Selection | null): void {
    this.host.hidden = selection === null;
    if (!selection) return;
    const item = selection.kind === 'box' ? selection.box : selection.proposal;
    const proposal = selection.kind === 'proposal';
    this.select.value = String(item.category_id);
    const r = (v: number) => Math.round(v);
    const size = `${r(item.w)} × ${r(item.h)} px at (${r(item.x)}, ${r(item.y)})`;
    this.title.textContent = proposal ? 'Selected proposal' : 'Selected box';
    this.accept.hidden = !proposal;
    this.remove.textContent = proposal ? 'Reject' : 'Delete box';
    this.remove.title = proposal ? 'Reject (Del, X)' : 'Delete (Del, X)';
    if (selection.kind === 'proposal') {
      this.info.textContent =
        `${size} · model score ${selection.proposal.score.toFixed(2)}; ` +
        'moving, resizing or relabelling accepts it as adjusted';
      return;
    }
    const box = selection.box;
    this.info.textContent =
      size +
      (box.source === 'model' && box.score !== null ? ` · accepted proposal ${box.score.toFixed(2)}` : '') +
      (box.origin === 'adjusted' ? ' · adjusted proposal' : '');
  }
}

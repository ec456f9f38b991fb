// Keyboard shortcuts. Category hotkeys win over the single-letter tool keys, so a project may use
// any letter for a category (the toolbar buttons still do what a shadowed key would). Nothing
// fires while the labeler types in a text field.
import type { Category } from './types';

export type Command =
  | 'save-next'
  | 'back'
  | 'skip'
  | 'delete'
  | 'undo'
  | 'redo'
  | 'fit'
  | 'pan-toggle'
  | 'deselect'
  | 'zoom-in'
  | 'zoom-out'
  | 'accept' // the selected proposal
  | 'accept-all' // every pending proposal
  | 'toggle-proposals';

export type Action = { type: 'category'; id: number } | { type: Command };

export const TOOL_KEYS: Record<string, Command> = {
  a: 'accept-all',
  f: 'fit',
  h: 'pan-toggle',
  p: 'toggle-proposals',
  s: 'skip',
  // Delete the selected box or reject the selected proposal (Del's twin under the left hand).
  x: 'delete',
  '+': 'zoom-in',
  '=': 'zoom-in',
  '-': 'zoom-out',
};

export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range'].includes(target.type);
  }
  return false;
}

export function actionFor(event: KeyboardEvent, categories: readonly Category[]): Action | null {
  const key = event.key;
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl) {
    const lower = key.toLowerCase();
    if (lower === 'z') return { type: event.shiftKey ? 'redo' : 'undo' };
    if (lower === 'y') return { type: 'redo' };
    return null;
  }
  if (event.altKey) return null;
  switch (key) {
    case 'ArrowRight':
    case ' ':
      return { type: 'save-next' };
    case 'ArrowLeft':
      return { type: 'back' };
    case 'Delete':
    case 'Backspace':
      return { type: 'delete' };
    case 'Escape':
      return { type: 'deselect' };
    case 'Enter':
      return { type: 'accept' };
  }
  const lower = key.toLowerCase();
  const category = categories.find((c) => c.hotkey !== '' && c.hotkey.toLowerCase() === lower);
  if (category) return { type: 'category', id: category.id };
  const tool = TOOL_KEYS[lower];
  return tool ? { type: tool } : null;
}

// Listens on the window in the capture phase, so a focused button never also gets the key.
export function installHotkeys(
  categories: () => readonly Category[],
  enabled: () => boolean,
  dispatch: (action: Action) => void,
): void {
  window.addEventListener(
    'keydown',
    (event) => {
      if (isTextEntry(event.target)) {
        if (event.key === 'Escape') (event.target as HTMLElement).blur();
        return;
      }
      if (!enabled()) return;
      const action = actionFor(event, categories());
      if (!action) return;
      event.preventDefault();
      event.stopPropagation();
      // Holding a key down must not save, skip or go back a dozen images.
      if (event.repeat && ['save-next', 'back', 'skip'].includes(action.type)) return;
      dispatch(action);
    },
    true,
  );
  // A button activates on Space's keyup; swallow it so Space only ever means "save and next".
  window.addEventListener(
    'keyup',
    (event) => {
      if (event.key === ' ' && !isTextEntry(event.target) && enabled()) event.preventDefault();
    },
    true,
  );
}

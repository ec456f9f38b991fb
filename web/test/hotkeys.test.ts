import { describe, expect, it } from 'vitest';
import { actionFor } from '../src/hotkeys';
import type { Category } from '../src/types';

const cat = (id: number, hotkey: string): Category => ({
  id,
  name: `c${id}`,
  hotkey,
  color: '#000000',
  position: id,
});
const key = (k: string, mods: Partial<KeyboardEvent> = {}) =>
  ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods }) as KeyboardEvent;

describe('hotkeys', () => {
  const categories = [cat(1, '1'), cat(2, '2')];

  it('proposal keys: A accepts all, Enter the selected one, Del/Backspace/X reject or delete, P hides', () => {
    expect(actionFor(key('a'), categories)).toEqual({ type: 'accept-all' });
    expect(actionFor(key('A', { shiftKey: true }), categories)).toEqual({ type: 'accept-all' });
    expect(actionFor(key('Enter'), categories)).toEqual({ type: 'accept' });
    for (const k of ['Delete', 'Backspace', 'x', 'X']) {
      expect(actionFor(key(k), categories)).toEqual({ type: 'delete' });
    }
    expect(actionFor(key('p'), categories)).toEqual({ type: 'toggle-proposals' });
  });

  it('the new keys clash with none of the page’s other keys', () => {
    const taken = ['ArrowRight', ' ', 'ArrowLeft', 'Escape', 's', 'f', 'h', '+', '=', '-'];
    const kinds = taken.map((k) => actionFor(key(k), categories)?.type);
    for (const proposalAction of ['accept-all', 'accept', 'toggle-proposals']) {
      expect(kinds).not.toContain(proposalAction);
    }
    // Ctrl+A stays the browser's select-all.
    expect(actionFor(key('a', { ctrlKey: true }), categories)).toBeNull();
  });

  it('a category hotkey still wins over a tool letter', () => {
    const lettered = [...categories, cat(3, 'a'), cat(4, 'p')];
    expect(actionFor(key('a'), lettered)).toEqual({ type: 'category', id: 3 });
    expect(actionFor(key('p'), lettered)).toEqual({ type: 'category', id: 4 });
    expect(actionFor(key('Enter'), lettered)).toEqual({ type: 'accept' });
  });
});

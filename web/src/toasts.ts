// Short notices in the corner: server events, saves that failed, conflicts. A toast with actions
// stays until acted on; an error stays until closed, so no failure scrolls away unread.
import { h } from './dom';

export type ToastKind = 'info' | 'success' | 'warn' | 'error';

export interface ToastAction {
  label: string;
  testid?: string;
  run: () => void;
}

export interface ToastOptions {
  kind?: ToastKind;
  timeoutMs?: number; // 0 = until closed
  actions?: ToastAction[];
  testid?: string;
}

export interface ToastHandle {
  close(): void;
}

export class Toasts {
  constructor(private readonly host: HTMLElement) {}

  show(message: string, options: ToastOptions = {}): ToastHandle {
    const kind = options.kind ?? 'info';
    const sticky = (options.actions?.length ?? 0) > 0 || kind === 'error';
    const timeout = options.timeoutMs ?? (sticky ? 0 : 4000);
    const close = h('button', { class: 'toast-close', title: 'Dismiss', 'aria-label': 'Dismiss' }, '×');
    const actions = h('div', { class: 'toast-actions' });
    const toast = h(
      'div',
      {
        class: `toast toast-${kind}`,
        role: kind === 'error' || kind === 'warn' ? 'alert' : 'status',
        'data-testid': options.testid ?? 'toast',
        'data-kind': kind,
      },
      h('div', { class: 'toast-message', text: message }),
      actions,
      close,
    );
    const handle = {
      close: () => {
        toast.classList.add('toast-leaving');
        window.setTimeout(() => toast.remove(), 150);
      },
    };
    for (const action of options.actions ?? []) {
      const button = h('button', {
        class: 'toast-action',
        text: action.label,
        'data-testid': action.testid,
      });
      button.addEventListener('click', () => {
        handle.close();
        action.run();
      });
      actions.append(button);
    }
    close.addEventListener('click', handle.close);
    this.host.append(toast);
    if (timeout > 0) window.setTimeout(handle.close, timeout);
    return handle;
  }
}

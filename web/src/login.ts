// The login dialog. It resolves once the server accepted a name and password, so a caller that
// hit a 401 can simply await it and retry what it was doing.
import { Api, ApiError, NetworkError } from './api';
import { h } from './dom';
import type { User } from './types';

export class LoginDialog {
  private waiting: ((result: { token: string; user: User }) => void)[] = [];
  private readonly form: HTMLFormElement;
  private readonly name: HTMLInputElement;
  private readonly password: HTMLInputElement;
  private readonly reason: HTMLElement;
  private readonly error: HTMLElement;
  private readonly submit: HTMLButtonElement;

  constructor(
    private readonly host: HTMLElement,
    private readonly api: Api,
  ) {
    this.name = h('input', {
      name: 'name',
      autocomplete: 'username',
      required: true,
      'data-testid': 'login-name',
    });
    this.password = h('input', {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      'data-testid': 'login-password',
    });
    this.reason = h('p', { class: 'login-reason', 'data-testid': 'login-reason' });
    this.error = h('p', { class: 'login-error', role: 'alert', 'data-testid': 'login-error' });
    this.submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, 'Log in');
    this.form = h(
      'form',
      { class: 'login-card' },
      h('div', { class: 'brand big' }, h('span', { class: 'brand-mark' }), 'boxloop'),
      this.reason,
      h('label', {}, 'Name', this.name),
      h('label', {}, 'Password', this.password),
      this.error,
      this.submit,
    );
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.attempt();
    });
    this.host.replaceChildren(this.form);
    this.host.hidden = true;
  }

  get isOpen(): boolean {
    return !this.host.hidden;
  }

  // Shows the dialog (with why it is needed) and resolves after a successful login.
  ask(reason: string): Promise<{ token: string; user: User }> {
    this.reason.textContent = reason;
    this.error.textContent = '';
    this.host.hidden = false;
    window.setTimeout(() => (this.name.value ? this.password : this.name).focus(), 0);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private async attempt(): Promise<void> {
    this.submit.disabled = true;
    this.error.textContent = '';
    try {
      const result = await this.api.login(this.name.value.trim(), this.password.value);
      this.password.value = '';
      this.host.hidden = true;
      const waiting = this.waiting;
      this.waiting = [];
      for (const resolve of waiting) resolve(result);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.error.textContent = 'Wrong name or password.';
      } else if (error instanceof NetworkError) {
        this.error.textContent = 'Cannot reach the server. Check the connection and try again.';
      } else {
        this.error.textContent = `Login failed: ${(error as Error).message}`;
      }
    } finally {
      this.submit.disabled = false;
    }
  }
}

// Every save goes through this queue: it is written to storage before it is sent, so a save
// survives a lost connection, a lost session or a closed tab, and is retried with backoff until
// the server takes it. Nothing leaves the queue without the server's answer: a conflict waits for
// the labeler's choice, a refusal is reported and kept aside in storage. A busy server (503, its
// database locked for a moment) is neither: nothing was written, and the save is sent again
// after the wait the server asks for (Retry-After) or the backoff, whichever is longer.
//
// Saves belong to the user who made them: each user's unsent saves are stored under their own
// key and only sent while that user is logged in (setUser), never as whoever logs in next.
//
// Each outcome reaches one place: a save someone awaits (submit, resumeFor, resolveConflict) is
// answered through that promise only; the listener hears about the others (saves sent in the
// background after being offline or kept from an earlier visit).
import { ApiError, NetworkError } from './api';
import { readStorage, writeStorage } from './session';
import type { ImageWithBoxes, SaveAnswer, SaveEffort, SavePayload, SkipAnswer } from './types';

export interface PendingSave {
  id: string;
  image_id: number;
  kind: 'labels' | 'skip';
  payload: SavePayload; // for a skip only version, comment and effort are sent
  queued_at: string;
  conflict?: ImageWithBoxes; // the server's state when it answered 409; waits for the labeler
}

export type SaveOutcome =
  | { kind: 'saved'; answer: SaveAnswer | SkipAnswer }
  | { kind: 'queued' } // not reachable now; retried in the background
  | { kind: 'unauthorized'; id: string } // kept; sent again by resumeFor(id) after a login
  | { kind: 'conflict'; id: string; current: ImageWithBoxes }
  | { kind: 'rejected'; error: ApiError };

// Outcomes of saves nobody awaits.
export interface SaveQueueListener {
  onCountChange(count: number): void;
  onConflict(entry: PendingSave, current: ImageWithBoxes): void;
  onRejected(entry: PendingSave, error: ApiError): void;
  onUnauthorized(): void;
  onStorageFailed(): void;
}

// The two routes a save uses (Api implements them).
export interface SaveSender {
  saveLabels(id: number, payload: SavePayload): Promise<SaveAnswer>;
  skip(id: number, version: number, comment: string, effort?: SaveEffort): Promise<SkipAnswer>;
}

export interface KeyValueStorage {
  get(key: string): string | null;
  set(key: string, value: string): boolean; // false when the browser refuses
  remove(key: string): void;
}

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserStorage: KeyValueStorage = {
  get: readStorage,
  set: writeStorage,
  remove: (key) => {
    try {
      localStorage.removeItem(key);
    } catch {
      // Storage disabled: nothing was kept there.
    }
  },
};

const globalTimers: Timers = {
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

// Before saves were kept per user they all sat under this key.
export const LEGACY_PENDING_KEY = 'boxloop.pending';
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;

export function pendingKey(user: string): string {
  return `${LEGACY_PENDING_KEY}.${encodeURIComponent(user)}`;
}

export function rejectedKey(user: string): string {
  return `boxloop.rejected.${encodeURIComponent(user)}`;
}

export class SaveQueue {
  private user: string | null = null;
  private entries: PendingSave[] = [];
  private outcomes = new Map<string, SaveOutcome>();
  private awaited = new Set<string>();
  private running: Promise<void> | null = null;
  private again = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: unknown = null;
  private paused = false; // after a 401 until login

  constructor(
    private readonly sender: SaveSender,
    private readonly listener: SaveQueueListener,
    private readonly storage: KeyValueStorage = browserStorage,
    private readonly timers: Timers = globalTimers,
  ) {}

  get pending(): readonly PendingSave[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  get owner(): string | null {
    return this.user;
  }

  // Whose saves are held and sent from now on. Another user's saves stay in storage, untouched,
  // until they log in again on this browser.
  setUser(user: string): void {
    if (user === this.user) return;
    this.clearRetry();
    this.user = user;
    this.outcomes.clear();
    this.awaited.clear();
    this.retryMs = FIRST_RETRY_MS;
    this.entries = loadEntries(this.storage, pendingKey(user));
    // Saves from before they were kept per user have no owner: the first user to log in after
    // the upgrade is the one who most likely made them (the old behaviour, once).
    const legacy = loadEntries(this.storage, LEGACY_PENDING_KEY);
    if (legacy.length > 0) {
      const known = new Set(this.entries.map((e) => e.id));
      this.entries.push(...legacy.filter((e) => !known.has(e.id)));
      this.storage.remove(LEGACY_PENDING_KEY);
    }
    this.persist();
  }

  // Queues a save and tries to send it now; answers what became of this save.
  async submit(entry: Omit<PendingSave, 'id' | 'queued_at'>): Promise<SaveOutcome> {
    if (this.user === null) throw new Error('no user to save for: setUser first');
    const full: PendingSave = {
      ...entry,
      id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      queued_at: new Date().toISOString(),
    };
    // A newer save of the same image supersedes an unsent older one (same version edited).
    this.entries = this.entries.filter((e) => e.image_id !== full.image_id || e.conflict);
    this.entries.push(full);
    this.awaited.add(full.id);
    this.persist();
    await this.flush();
    return this.takeOutcome(full.id);
  }

  private takeOutcome(id: string): SaveOutcome {
    this.awaited.delete(id);
    const outcome = this.outcomes.get(id);
    this.outcomes.delete(id);
    if (outcome) return outcome;
    return this.paused ? { kind: 'unauthorized', id } : { kind: 'queued' };
  }

  // Sends every waiting save in order. Safe to call at any time; concurrent calls coalesce.
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.sendAll();
      } while (this.again && !this.paused);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  // After a login: sends what the lost session left behind.
  resume(): Promise<void> {
    this.paused = false;
    return this.flush();
  }

  // The same, answering what became of one save that waited for the login.
  async resumeFor(id: string): Promise<SaveOutcome> {
    this.awaited.add(id);
    await this.resume();
    return this.takeOutcome(id);
  }

  // The labeler chose after a conflict: 'mine' re-sends on top of the other save's version,
  // 'theirs' drops this save (the caller shows their boxes).
  async resolveConflict(id: string, choice: 'mine' | 'theirs'): Promise<SaveOutcome | null> {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry?.conflict) return null;
    if (choice === 'theirs') {
      this.entries = this.entries.filter((e) => e.id !== id);
      this.persist();
      return null;
    }
    entry.payload = { ...entry.payload, version: entry.conflict.image.version };
    delete entry.conflict;
    this.awaited.add(id);
    this.persist();
    await this.flush();
    return this.takeOutcome(id);
  }

  private async sendAll(): Promise<void> {
    if (this.paused || this.user === null) return;
    const user = this.user;
    this.clearRetry();
    for (const entry of [...this.entries]) {
      if (entry.conflict || !this.entries.includes(entry)) continue;
      try {
        const answer =
          entry.kind === 'skip'
            ? await this.sender.skip(
                entry.image_id,
                entry.payload.version,
                entry.payload.comment ?? '',
                entry.payload.effort,
              )
            : await this.sender.saveLabels(entry.image_id, entry.payload);
        this.remove(entry);
        this.retryMs = FIRST_RETRY_MS;
        this.deliver(entry, { kind: 'saved', answer });
      } catch (error) {
        if (error instanceof NetworkError) {
          this.scheduleRetry();
          return;
        }
        if (!(error instanceof ApiError)) throw error;
        if (error.status === 401) {
          this.paused = true;
          // Someone awaiting a save asks for the login; otherwise the listener does.
          if (this.awaited.size === 0) this.listener.onUnauthorized();
          return;
        }
        if (error.status === 409 && error.body.current) {
          entry.conflict = error.body.current;
          this.persist();
          this.deliver(entry, { kind: 'conflict', id: entry.id, current: error.body.current });
          continue;
        }
        // A busy database (503) is not someone else's save: sent again, never a conflict.
        if (error.status >= 500 || error.status === 429) {
          this.scheduleRetry(error.retryAfterMs);
          return;
        }
        // Refused for good (bad box, unknown image, forbidden): kept aside, reported.
        this.remove(entry);
        const rejected = loadEntries(this.storage, rejectedKey(user));
        rejected.push(entry);
        this.storage.set(rejectedKey(user), JSON.stringify(rejected));
        this.deliver(entry, { kind: 'rejected', error });
      }
      // The user changed while this save was on its way: the rest belongs to someone else.
      if (this.user !== user) return;
    }
  }

  private deliver(entry: PendingSave, outcome: SaveOutcome): void {
    if (this.awaited.has(entry.id)) {
      this.outcomes.set(entry.id, outcome);
      return;
    }
    if (outcome.kind === 'conflict') this.listener.onConflict(entry, outcome.current);
    else if (outcome.kind === 'rejected') this.listener.onRejected(entry, outcome.error);
  }

  private remove(entry: PendingSave): void {
    this.entries = this.entries.filter((e) => e.id !== entry.id);
    this.persist();
  }

  private scheduleRetry(serverAsks: number | null = null): void {
    this.clearRetry();
    const delay = Math.min(MAX_RETRY_MS, Math.max(this.retryMs, serverAsks ?? 0));
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private persist(): void {
    if (this.user !== null) {
      if (!this.storage.set(pendingKey(this.user), JSON.stringify(this.entries))) {
        this.listener.onStorageFailed();
      }
    }
    this.listener.onCountChange(this.entries.length);
  }
}

function loadEntries(storage: KeyValueStorage, key: string): PendingSave[] {
  const text = storage.get(key);
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as PendingSave[]) : [];
  } catch {
    return [];
  }
}

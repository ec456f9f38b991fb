// Every save goes through this queue: it is written to localStorage before it is sent, so a save
// survives a lost connection, a lost session or a closed tab, and is retried with backoff until
// the server takes it. Nothing leaves the queue without the server's answer: a conflict waits for
// the labeler's choice, a refusal is reported and kept aside in storage.
import { Api, ApiError, NetworkError } from './api';
import { readStorage, writeStorage } from './session';
import type { ImageWithBoxes, SaveAnswer, SavePayload, SkipAnswer } from './types';

export interface PendingSave {
  id: string;
  image_id: number;
  kind: 'labels' | 'skip';
  payload: SavePayload; // for a skip only version and comment are sent
  queued_at: string;
  conflict?: ImageWithBoxes; // the server's state when it answered 409; waits for the labeler
}

export type SaveOutcome =
  | { kind: 'saved'; answer: SaveAnswer | SkipAnswer }
  | { kind: 'queued' } // not reachable now; retried in the background
  | { kind: 'unauthorized'; id: string } // kept; sent again by resumeFor(id) after a login
  | { kind: 'conflict'; current: ImageWithBoxes }
  | { kind: 'rejected'; error: ApiError };

export interface SaveQueueListener {
  onCountChange(count: number): void;
  onSaved(entry: PendingSave, answer: SaveAnswer | SkipAnswer): void;
  onConflict(entry: PendingSave, current: ImageWithBoxes): void;
  onRejected(entry: PendingSave, error: ApiError): void;
  onUnauthorized(): void;
  onStorageFailed(): void;
}

const PENDING_KEY = 'boxloop.pending';
const REJECTED_KEY = 'boxloop.rejected';
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;

export class SaveQueue {
  private entries: PendingSave[];
  private outcomes = new Map<string, SaveOutcome>();
  private awaited = new Set<string>();
  private running: Promise<void> | null = null;
  private again = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: number | null = null;
  private paused = false; // after a 401 until login

  constructor(
    private readonly api: Api,
    private readonly listener: SaveQueueListener,
  ) {
    this.entries = loadEntries(PENDING_KEY);
    window.addEventListener('online', () => void this.flush());
  }

  get pending(): readonly PendingSave[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  // Queues a save and tries to send it now; answers what became of this save.
  async submit(entry: Omit<PendingSave, 'id' | 'queued_at'>): Promise<SaveOutcome> {
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

  // Outcomes are kept only for saves someone awaits (submit, resumeFor, resolveConflict).
  private record(id: string, outcome: SaveOutcome): void {
    if (this.awaited.has(id)) this.outcomes.set(id, outcome);
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
    if (this.paused) return;
    this.clearRetry();
    for (const entry of [...this.entries]) {
      if (entry.conflict || !this.entries.includes(entry)) continue;
      try {
        const answer =
          entry.kind === 'skip'
            ? await this.api.skip(entry.image_id, entry.payload.version, entry.payload.comment ?? '')
            : await this.api.saveLabels(entry.image_id, entry.payload);
        this.remove(entry);
        this.retryMs = FIRST_RETRY_MS;
        this.record(entry.id, { kind: 'saved', answer });
        this.listener.onSaved(entry, answer);
      } catch (error) {
        if (error instanceof NetworkError) {
          this.scheduleRetry();
          return;
        }
        if (!(error instanceof ApiError)) throw error;
        if (error.status === 401) {
          this.paused = true;
          this.listener.onUnauthorized();
          return;
        }
        if (error.status === 409 && error.body.current) {
          entry.conflict = error.body.current;
          this.persist();
          this.record(entry.id, { kind: 'conflict', current: error.body.current });
          this.listener.onConflict(entry, error.body.current);
          continue;
        }
        if (error.status >= 500 || error.status === 429 || error.status === 503) {
          this.scheduleRetry();
          return;
        }
        // Refused for good (bad box, unknown image, forbidden): kept aside, reported.
        this.remove(entry);
        const rejected = loadEntries(REJECTED_KEY);
        rejected.push(entry);
        writeStorage(REJECTED_KEY, JSON.stringify(rejected));
        this.record(entry.id, { kind: 'rejected', error });
        this.listener.onRejected(entry, error);
      }
    }
  }

  private remove(entry: PendingSave): void {
    this.entries = this.entries.filter((e) => e.id !== entry.id);
    this.persist();
  }

  private scheduleRetry(): void {
    this.clearRetry();
    const delay = this.retryMs;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private persist(): void {
    if (!writeStorage(PENDING_KEY, JSON.stringify(this.entries))) this.listener.onStorageFailed();
    this.listener.onCountChange(this.entries.length);
  }
}

function loadEntries(key: string): PendingSave[] {
  const text = readStorage(key);
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as PendingSave[]) : [];
  } catch {
    return [];
  }
}

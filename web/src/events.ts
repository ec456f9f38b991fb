// The server's notifications (GET /api/events, server-sent events). EventSource reconnects by
// itself after a dropped connection; a fresh token after login needs a new stream.
import type { Counts, Job, LoopState, QueueEvent } from './types';

export interface ServerEvents {
  counts(data: { counts: Counts }): void;
  queue(data: QueueEvent): void;
  model(data: { model_id?: number; trained_on?: number; message?: string }): void;
  job(data: { job: Job }): void;
  loop(data: LoopState): void;
}

export class EventStream {
  private source: EventSource | null = null;

  constructor(private readonly handlers: ServerEvents) {}

  connect(url: string): void {
    this.close();
    const source = new EventSource(url);
    for (const type of ['counts', 'queue', 'model', 'job', 'loop'] as const) {
      source.addEventListener(type, (event) => {
        let data: unknown;
        try {
          data = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          console.warn(`boxloop: unreadable ${type} event`, event);
          return;
        }
        (this.handlers[type] as (d: unknown) => void)(data);
      });
    }
    this.source = source;
  }

  close(): void {
    this.source?.close();
    this.source = null;
  }
}

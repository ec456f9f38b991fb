// Typed client for the boxloop HTTP API. Every failure is an exception the caller must handle:
// ApiError when the server answered with an error status, NetworkError when it could not be reached.
import type {
  ApiErrorBody,
  ImageWithBoxes,
  Job,
  LoopCurve,
  LoopSettingsPatch,
  LoopState,
  Model,
  Project,
  QueueInfo,
  SaveAnswer,
  SaveEffort,
  SavePayload,
  SkipAnswer,
  Stats,
  User,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: ApiErrorBody,
    // How long the server asked to wait before sending again (Retry-After), if it said.
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// The request never got an answer (offline, server down, connection reset).
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

export function isConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409;
}

// The server could not take the request now (503: its database was locked by another process,
// nothing was written): the same request may be sent again after a wait. Not a conflict.
export function isBusy(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 503;
}

// Retry-After in seconds (the only form the server sends); null when absent or not a number.
export function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim()) * 1000;
}

// Reads (GET) that the server answers 503 (busy database) are sent again this many times in all,
// after the wait it asks for: a read changes nothing, so repeating it is always safe. Writes are
// retried by the save queue, which keeps them across reloads.
export const BUSY_READ_ATTEMPTS = 4;
const DEFAULT_BUSY_WAIT_MS = 1000;

export class Api {
  constructor(
    private readonly token: () => string | null,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  private headers(json: boolean): Headers {
    const headers = new Headers();
    const token = this.token();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    if (json) headers.set('Content-Type', 'application/json');
    return headers;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendOnce(method, path, body);
      } catch (error) {
        if (method !== 'GET' || !isBusy(error) || attempt >= BUSY_READ_ATTEMPTS) throw error;
        await this.sleep(error.retryAfterMs ?? DEFAULT_BUSY_WAIT_MS);
      }
    }
  }

  private async sendOnce(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (error) {
      throw new NetworkError(`cannot reach the server (${String(error)})`);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    try {
      return (await response.json()) as T;
    } catch (error) {
      // A cut connection mid-body looks like this too; treat it as the network's fault.
      throw new NetworkError(`incomplete answer from ${path} (${String(error)})`);
    }
  }

  login(name: string, password: string): Promise<{ token: string; user: User }> {
    return this.json('POST', '/api/login', { name, password });
  }
  logout(): Promise<unknown> {
    return this.json('POST', '/api/logout', {});
  }
  me(): Promise<User> {
    return this.json('GET', '/api/me');
  }
  project(): Promise<Project> {
    return this.json('GET', '/api/project');
  }
  // The counts, and the effort per labeler and per round where the server records it.
  stats(): Promise<Stats> {
    return this.json('GET', '/api/stats');
  }
  async next(exclude: number[]): Promise<ImageWithBoxes | null> {
    const query = exclude.length > 0 ? `?exclude=${exclude.join(',')}` : '';
    const answer = await this.json<{ image: unknown }>('GET', `/api/next${query}`);
    return answer.image ? (answer as ImageWithBoxes) : null;
  }
  async previous(before: number | null): Promise<ImageWithBoxes | null> {
    const query = before === null ? '' : `?before=${before}`;
    const answer = await this.json<{ image: unknown }>('GET', `/api/previous${query}`);
    return answer.image ? (answer as ImageWithBoxes) : null;
  }
  image(id: number): Promise<ImageWithBoxes> {
    return this.json('GET', `/api/images/${id}`);
  }
  async imageFile(id: number): Promise<Blob> {
    const response = await this.send('GET', `/api/images/${id}/file`);
    try {
      return await response.blob();
    } catch (error) {
      throw new NetworkError(`incomplete image ${id} (${String(error)})`);
    }
  }
  saveLabels(id: number, payload: SavePayload): Promise<SaveAnswer> {
    return this.json('PUT', `/api/images/${id}/labels`, payload);
  }
  skip(id: number, version: number, comment: string, effort?: SaveEffort): Promise<SkipAnswer> {
    const body = effort ? { version, comment, effort } : { version, comment };
    return this.json('POST', `/api/images/${id}/skip`, body);
  }
  models(): Promise<Model[]> {
    return this.json('GET', '/api/models');
  }
  jobs(): Promise<Job[]> {
    return this.json('GET', '/api/jobs');
  }
  // The current query queue and its halting criterion; null before any model has scored.
  // The server answers a queue-less project with null fields ({strategy: null, size: 0, ...}).
  async queue(): Promise<QueueInfo | null> {
    const answer = await this.json<Partial<QueueInfo> | null>('GET', '/api/queue');
    return answer && typeof answer.strategy === 'string' ? (answer as QueueInfo) : null;
  }
  loop(): Promise<LoopState> {
    return this.json('GET', '/api/loop');
  }
  // The audit curve per round and the stop signal; any user may read it.
  loopCurve(): Promise<LoopCurve> {
    return this.json('GET', '/api/loop/curve');
  }
  setLoop(patch: LoopSettingsPatch): Promise<LoopState> {
    return this.json('PUT', '/api/loop', patch);
  }
  // Starts a round now (admin); 409 when one is already queued or running.
  runLoop(): Promise<{ job: Job }> {
    return this.json('POST', '/api/loop/run', {});
  }
  eventsUrl(): string {
    const token = this.token();
    return token ? `/api/events?token=${encodeURIComponent(token)}` : '/api/events';
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: ApiErrorBody = {};
  try {
    body = (await response.json()) as ApiErrorBody;
  } catch {
    // Not JSON (a proxy's error page): the status line is all there is to report.
  }
  const code = body.error?.code ?? `http_${response.status}`;
  const message = body.error?.message ?? `${response.status} ${response.statusText}`;
  return new ApiError(
    response.status,
    code,
    message,
    body,
    retryAfterMs(response.headers.get('Retry-After')),
  );
}

// Where the page keeps its session token: localStorage, so a reload stays logged in. A `?token=`
// in the URL (the demo prints such a link) is taken once and removed from the address bar, so it
// is neither bookmarked nor left in the history.
const TOKEN_KEY = 'boxloop.token';

export class Session {
  private token: string | null;

  constructor() {
    this.token = readStorage(TOKEN_KEY);
    const url = new URL(window.location.href);
    const fromUrl = url.searchParams.get('token');
    if (fromUrl) {
      this.set(fromUrl);
      url.searchParams.delete('token');
      window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    }
  }

  get(): string | null {
    return this.token;
  }

  set(token: string): void {
    this.token = token;
    writeStorage(TOKEN_KEY, token);
  }

  clear(): void {
    this.token = null;
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage disabled: the token only lived in memory anyway.
    }
  }
}

export function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

// Returns false when the browser refuses (private mode, quota): callers that keep user work
// there must then say so instead of pretending it is safe.
export function writeStorage(key: string, value: string): boolean {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

// Runs an async load so that at most one is in flight: a call while one runs does not start a
// second, it asks for one more run after the current one (events can arrive faster than a
// panel reloads, and the last state must win). Every caller gets the promise of the runs that
// cover its call.
export class Coalesced {
  private inFlight: Promise<void> | null = null;
  private again = false;

  constructor(private readonly load: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        await this.load();
      } while (this.again);
    })().finally(() => (this.inFlight = null));
    return this.inFlight;
  }
}

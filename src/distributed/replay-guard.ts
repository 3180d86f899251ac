/**
 * Which authenticated messages were seen already: per sender session, the highest sequence number
 * and a sliding window of the ones below it (as IPsec does). One publisher's messages reach one
 * subscriber connection in order, so a window of `WINDOW` numbers is plenty; anything older counts
 * as stale. Sessions silent for longer than the freshness window are forgotten: every message
 * they sent is stale by its timestamp already.
 */
const WINDOW = 1024;
const MAX_SESSIONS = 4096;

export type Admission = 'fresh' | 'replayed' | 'stale';

class SessionWindow {
  highest = 0;
  lastHeard = 0;
  readonly seen = new Uint8Array(WINDOW);

  admit(seq: number): Admission {
    if (seq > this.highest) {
      const cleared = Math.min(seq - this.highest, WINDOW);
      for (let i = 1; i <= cleared; i++) this.seen[(this.highest + i) % WINDOW] = 0;
      this.highest = seq;
    } else if (this.highest - seq >= WINDOW) {
      return 'stale';
    } else if (this.seen[seq % WINDOW] === 1) {
      return 'replayed';
    }
    this.seen[seq % WINDOW] = 1;
    return 'fresh';
  }
}

export class ReplayGuard {
  private readonly sessions = new Map<string, SessionWindow>();

  constructor(private readonly maxAge: number) {}

  /** Whether message `seq` of `session` is new; a new one is remembered. */
  admit(session: string, seq: number, now: number): Admission {
    let window = this.sessions.get(session);
    if (window === undefined) {
      this.makeRoom(now);
      this.sessions.set(session, (window = new SessionWindow()));
    }
    window.lastHeard = now;
    return window.admit(seq);
  }

  private makeRoom(now: number): void {
    if (this.sessions.size < MAX_SESSIONS) return;
    for (const [session, window] of this.sessions) if (now - window.lastHeard > this.maxAge) this.sessions.delete(session);
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
  }
}

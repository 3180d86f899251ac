/** A soak's console log and its list of events (faults and what followed), timed from the first emit. */
export class SoakLog {
  private readonly events: Array<{ atSeconds: number; what: string }> = [];
  /** Set again when emission starts: event times count from there. */
  started = Date.now();

  event(what: string): void {
    this.events.push({ atSeconds: (Date.now() - this.started) / 1000, what });
    this.log(what);
  }

  log(line: string): void {
    console.log(`[soak ${((Date.now() - this.started) / 1000).toFixed(1)} s] ${line}`);
  }

  printEvents(): void {
    console.log('\nevents:');
    for (const { atSeconds, what } of this.events) console.log(`  ${atSeconds.toFixed(1).padStart(7)} s  ${what}`);
  }
}

/** Prints a line once per key: a condition that repeats per message must not flood stderr. */
export class OnceLog {
  private readonly seen = new Set<string>();

  constructor(private readonly print: (line: string) => void = (line) => console.error(line)) {}

  /** Prints `line` unless a line with this key was printed already; true when it printed. */
  log(key: string, line: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.print(line);
    return true;
  }
}

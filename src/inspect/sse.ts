import type { ServerResponse } from 'node:http';

/** Server-sent events to every connected browser. */
export class EventChannel {
  private readonly clients = new Set<ServerResponse>();

  get size(): number {
    return this.clients.size;
  }

  /** Takes over `response` as an event stream until the client goes away. */
  add(response: ServerResponse, first?: { event: string; data: unknown }): void {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    response.write('retry: 1000\n\n');
    if (first !== undefined) response.write(formatEvent(first.event, first.data));
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const text = formatEvent(event, data);
    for (const client of this.clients) client.write(text);
  }

  close(): void {
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}

/** One SSE message; JSON never contains a raw newline, so one `data:` line suffices. */
export function formatEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

import type { Server } from 'node:net';

/** Binds `server`; a port in use rejects with an error that names the port. */
export function listen(server: Server, port: number, host: string, owner: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${error.code ?? error.message})`;
      reject(new Error(`${owner}: port ${port} on ${host} ${reason}`, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** The port `server` is bound to, or `fallback` when it is not listening. */
export function boundPort(server: Server | undefined, fallback: number): number {
  const address = server?.address();
  return address !== null && typeof address === 'object' ? address.port : fallback;
}

/** Stops accepting connections; resolves once the server is closed. */
export function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined || !server.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

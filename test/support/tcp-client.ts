import { connect, type Socket } from 'node:net';

/** A TCP connection to 127.0.0.1:`port`, resolved once connected. */
export function tcpConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** Connects, writes `data` and closes the connection. */
export async function tcpSend(port: number, data: string | Buffer): Promise<void> {
  const socket = await tcpConnect(port);
  await new Promise<void>((resolve) => socket.end(data, resolve));
}

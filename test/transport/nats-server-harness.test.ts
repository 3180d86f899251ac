import { connect } from 'node:net';
import { NatsServer, natsServerBinary } from '../support/nats-server';

function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString());
    });
    socket.once('error', reject);
  });
}

describe('nats-server test harness', () => {
  let server: NatsServer;

  beforeAll(async () => {
    server = await NatsServer.start();
  });

  afterAll(async () => {
    await server.stop();
  });

  test('starts on a free 127.0.0.1 port other than 4222 and accepts connections', async () => {
    expect(server.port).not.toBe(4222);
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(await greeting(server.port)).toMatch(/^INFO /);
  });

  test('stop, restart on the same port, kill, launch again', async () => {
    const port = server.port;
    await server.stop();
    expect(server.running).toBe(false);
    await expect(greeting(port)).rejects.toThrow();
    await server.restart();
    expect(server.port).toBe(port);
    expect(await greeting(port)).toMatch(/^INFO /);
    await server.kill();
    expect(server.running).toBe(false);
    await server.launch();
    expect(await greeting(port)).toMatch(/^INFO /);
  });

  test('a missing binary fails loudly with an install hint', () => {
    expect(() => natsServerBinary({ PATH: '/nonexistent' }, '/nonexistent/nats-server')).toThrow(/apt-get install nats-server/);
  });

  test('NATS_SERVER names the binary to use', () => {
    const binary = natsServerBinary();
    expect(natsServerBinary({ NATS_SERVER: binary, PATH: '' }, '/nonexistent')).toBe(binary);
  });
});

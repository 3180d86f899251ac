/** A client that cannot start: its failure reaches every emit into its segments, once, unprinted. */
import { Client, NatsConnectionError, Stream } from '../../src';
import { freePort } from '../support/free-port';
import { square } from './fixtures/user-project/tasks';
import { UserProject } from './fixtures/user-project';

describe('a NATS client whose server does not answer', () => {
  let url: string;
  let errorLog: jest.SpyInstance;
  beforeEach(async () => {
    url = `nats://127.0.0.1:${await freePort()}`;
    errorLog = jest.spyOn(console, 'error');
  });
  afterEach(() => errorLog.mockRestore());

  test('rejects the pending emits and every later one with the connection error, naming the URL; prints nothing', async () => {
    const client = new Client({ servers: url });
    const source = new Stream<number>();
    const results = source.scatter({ client }).map(square).buffer(4).gather().sinkToList();
    const pending = [source.emit(1), source.emit(2)];
    await expect(pending[0]).rejects.toThrow(NatsConnectionError);
    await expect(pending[0]).rejects.toThrow(`cannot connect to NATS at ${url}: ConnectionError: connection refused`);
    await expect(pending[1]).rejects.toBe(client.startFailure);
    await expect(client.whenReady()).rejects.toBe(client.startFailure);
    await expect(source.emit(3)).rejects.toBe(client.startFailure);
    await expect(source.emit(4)).rejects.toBe(client.startFailure);
    await source.drain();
    await client.close();
    expect(results).toEqual([]);
    expect(errorLog).not.toHaveBeenCalled();
  });

  test('a script that emits into it exits non-zero with the error', async () => {
    const project = new UserProject();
    try {
      const run = await project.run('unreachable.ts', [url]);
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`NatsConnectionError: cannot connect to NATS at ${url}: ConnectionError: connection refused`);
    } finally {
      project.remove();
    }
  });
});

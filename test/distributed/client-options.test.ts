/** What `new Client(options)` accepts: its own options and the NATS connection options, nothing else. */
import { ArgumentRangeError, Client, NatsConnectionError, type ClientOptions } from '../../src';
import { NatsServer } from '../support/nats-server';

/** The error `new Client(options)` throws (fails the test when it throws none). */
function refusal(options: Record<string, unknown>): ArgumentRangeError {
  try {
    new Client(options as ClientOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentRangeError);
    return error as ArgumentRangeError;
  }
  throw new Error(`new Client(${JSON.stringify(options)}) did not throw`);
}

describe('Client options', () => {
  test.each([
    [{ worker: 2, tasks: './tasks.js' }, 'worker', 'workers'],
    [{ workers: 2, task: './tasks.js' }, 'task', 'tasks'],
    [{ server: 'nats://127.0.0.1:4222' }, 'server', 'servers'],
    [{ servers: 'nats://127.0.0.1:4222', Token: 'x' }, 'Token', 'token'],
  ])('%j: an ArgumentRangeError names the unknown option and the nearest known one', (options, unknown, nearest) => {
    const error = refusal(options);
    expect(error.argument).toBe(unknown);
    expect(error.message).toMatch(new RegExp(`^Client has no option '${unknown}' \\(did you mean '${nearest}'\\?\\); its options are workers, tasks, `));
  });

  test('an option far from every known one gets no suggestion', () => {
    expect(refusal({ colour: 'blue' }).message).toMatch(/^Client has no option 'colour'; its options are /);
  });

  test.each([
    [{ servers: 'nats://127.0.0.1:4222', workers: 2 }, 'workers', /workers must be left out with servers/],
    [{ token: 't0ken' }, 'token', /token must be given only with servers \(it is a NATS connection option\)/],
    [{ tasks: './tasks.js' }, 'tasks', /tasks must be given only with workers/],
  ])('%j: an option the chosen deployment would ignore is refused', (options, argument, message) => {
    const error = refusal(options);
    expect(error.argument).toBe(argument);
    expect(error.message).toMatch(message);
  });

  describe('NATS connection options reach the connection', () => {
    let server: NatsServer;
    beforeAll(async () => {
      server = await NatsServer.start({ user: 'alice', pass: 's3cret' });
    });
    afterAll(() => server.stop());

    test('the right user and password connect', async () => {
      const client = new Client({ servers: server.url, user: 'alice', pass: 's3cret', name: 'contact-test' });
      await client.whenReady();
      expect(client.taskBus?.status).toBe('connected');
      await client.close();
    });

    test('a wrong password is refused with an error naming the server', async () => {
      const client = new Client({ servers: server.url, user: 'alice', pass: 'wrong', maxReconnectAttempts: 0 });
      const ready = client.whenReady();
      await expect(ready).rejects.toThrow(NatsConnectionError);
      await expect(ready).rejects.toThrow(`cannot connect to NATS at ${server.url}: `);
      await expect(ready).rejects.toThrow(/authorization violation/i);
      await client.close();
    });
  });
});

/**
 * Worker threads of a pipeline that runs under ts-node or jest: the pipeline imports its tasks
 * from TypeScript, while the threads load the compiled twin or the TypeScript module itself.
 */
import * as path from 'node:path';
import { ArgumentRangeError, Client, Stream } from '../../src';
import { square } from './fixtures/user-project/tasks';
import { UserProject } from './fixtures/user-project';

const FIXTURES = path.join(__dirname, 'fixtures', 'user-project');

async function squares(client: Client): Promise<number[]> {
  const source = new Stream<number>();
  const results = source.scatter({ client }).map(square).gather().sinkToList();
  for (const x of [1, 2, 3]) await source.emit(x);
  await source.drain();
  return results;
}

describe('Client({ workers, tasks }) in jest', () => {
  let errorLog: jest.SpyInstance;
  beforeEach(() => {
    errorLog = jest.spyOn(console, 'error');
  });
  afterEach(() => errorLog.mockRestore());

  test.each([
    ['the compiled twin of the tasks the test imported from TypeScript', path.join('dist', 'tasks.js')],
    ['a TypeScript tasks module', 'tasks.ts'],
  ])('the threads load %s', async (_case, tasks) => {
    const client = new Client({ workers: 2, tasks: path.join(FIXTURES, tasks) });
    try {
      expect(await squares(client)).toEqual([1, 4, 9]);
    } finally {
      await client.close();
    }
  });

  test('threads that cannot load their tasks make every emit reject with that error, and nothing is printed', async () => {
    const client = new Client({ workers: 2, tasks: path.join(FIXTURES, 'broken-tasks.js') });
    const source = new Stream<number>();
    source.scatter({ client }).map(square).gather().sinkToList();
    const pending = source.emit(1);
    await expect(pending).rejects.toThrow('this tasks module is broken');
    await expect(client.whenReady()).rejects.toThrow(/worker thread \S+ could not start: Error: this tasks module is broken/);
    await expect(source.emit(2)).rejects.toThrow('this tasks module is broken');
    await client.close();
    expect(errorLog).not.toHaveBeenCalled();
  });

  test('a tasks module that does not exist is refused at once, naming it', () => {
    const missing = () => new Client({ workers: 1, tasks: './no-such-tasks.js' });
    expect(missing).toThrow(ArgumentRangeError);
    expect(missing).toThrow(`tasks: cannot find module './no-such-tasks.js' (looked for ${path.resolve('no-such-tasks.js')})`);
  });
});

describe('a pipeline run with ts-node on Rivulet compiled to JavaScript', () => {
  let project: UserProject;
  beforeAll(() => {
    project = new UserProject();
  });
  afterAll(() => project.remove());

  test.each([
    ['the compiled twin of its tasks', 'dist/tasks.js'],
    ['its TypeScript tasks', 'tasks.ts'],
  ])('runs on threads loading %s', async (_case, tasks) => {
    const run = await project.run('threads.ts', [project.file(tasks)]);
    expect(run).toEqual({ code: 0, stdout: '[1,4,9]\n', stderr: '' });
  });

  test('exits non-zero, with the error, when the threads cannot load the tasks', async () => {
    const run = await project.run('threads.ts', [project.file('broken-tasks.js')]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('this tasks module is broken');
  });
});

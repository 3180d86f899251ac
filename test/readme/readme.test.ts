/**
 * Every ```ts block of README.md, type-checked as written: once as a CommonJS module and once as
 * an ES module, under `module: nodenext` and `strict`, with 'rivulet' resolved to this
 * repository's source. The block that starts with `// tasks.ts` is the `./tasks.js` the others import.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { ROOT } from '../support/run-typescript';

interface Block {
  /** 1-based line of the opening fence in README.md. */
  line: number;
  code: string;
}

const TASKS_MODULE = '// tasks.ts';

function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```ts\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(markdown); match !== null; match = fence.exec(markdown)) {
    blocks.push({ line: markdown.slice(0, match.index).split('\n').length, code: match[1] });
  }
  return blocks;
}

function compilerOptions(): ts.CompilerOptions {
  return {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    paths: { rivulet: [join(ROOT, 'src', 'index.ts')] },
  };
}

function formatted(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file === undefined || diagnostic.start === undefined) return `TS${diagnostic.code}: ${text}`;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `line ${line + 1}:${character + 1} TS${diagnostic.code}: ${text}`;
  });
}

describe('README.md', () => {
  const blocks = tsBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const examples = blocks.filter((block) => !block.code.startsWith(TASKS_MODULE));
  let dir: string;
  let program: ts.Program;

  beforeAll(() => {
    mkdirSync(join(ROOT, 'build'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'build', 'readme-'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
    const tasks = blocks.find((block) => block.code.startsWith(TASKS_MODULE));
    if (tasks !== undefined) writeFileSync(join(dir, 'tasks.ts'), tasks.code);
    const files = examples.flatMap((block) => [`line-${block.line}.ts`, `line-${block.line}.mts`]);
    for (const file of files) writeFileSync(join(dir, file), examples.find((block) => file.startsWith(`line-${block.line}.`))!.code);
    program = ts.createProgram(files.map((file) => join(dir, file)), compilerOptions());
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('has the TypeScript blocks, and the tasks module they import', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    expect(blocks.some((block) => block.code.startsWith(TASKS_MODULE))).toBe(true);
  });

  test.each(examples.flatMap((block) => [`line-${block.line}.ts`, `line-${block.line}.mts`]))('the block in %s compiles', (file) => {
    const source = program.getSourceFile(join(dir, file));
    expect(source).toBeDefined();
    expect(formatted(ts.getPreEmitDiagnostics(program, source))).toEqual([]);
  });
});

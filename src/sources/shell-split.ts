import { ArgumentRangeError } from '../errors';

/**
 * Splits a command line into words like a POSIX shell (Python's `shlex.split`): whitespace
 * separates words, single quotes keep everything literally, double quotes keep everything but
 * `\"`, `\\`, `\$` and `` \` `` escapes, and a backslash outside quotes escapes the next character.
 */
export function shellSplit(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command[i];
    if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "'") {
      const end = closingQuote(command, i, "'");
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (char === '"') {
      const end = closingQuote(command, i, '"');
      word = (word ?? '') + command.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1');
      i = end;
    } else if (char === '\\' && i + 1 < command.length) {
      word = (word ?? '') + command[++i];
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function closingQuote(command: string, open: number, quote: string): number {
  for (let i = open + 1; i < command.length; i++) {
    if (command[i] === quote) return i;
    if (quote === '"' && command[i] === '\\') i++;
  }
  throw new ArgumentRangeError('command', 'a command line with balanced quotes', command);
}

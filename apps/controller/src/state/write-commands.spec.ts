import { MAX_ARGUMENTS, WriteCommands } from './write-commands';

/** The commands of `flatten()`, each as [name, ...args]. */
function commandsOf(words: readonly string[]): string[][] {
  const commands: string[][] = [];
  for (let i = 0; i < words.length; ) {
    const n = Number(words[i]);
    commands.push(words.slice(i + 1, i + 1 + n));
    i += n + 1;
  }
  return commands;
}

describe('WriteCommands', () => {
  it('lists commands in the order staged, each with its word count', () => {
    const commands = new WriteCommands().set('a', '1', 'EX', 60).del(['b', 'c']).zadd('z', ['m']).hset('h', 'f', 3).hdel('h', ['g']).persist('p');
    expect(commands.length).toBe(6);
    expect(commandsOf(commands.flatten())).toEqual([
      ['SET', 'a', '1', 'EX', '60'],
      ['DEL', 'b', 'c'],
      ['ZADD', 'z', '0', 'm'],
      ['HSET', 'h', 'f', '3'],
      ['HDEL', 'h', 'g'],
      ['PERSIST', 'p'],
    ]);
  });

  it('cuts a long variadic command into commands of at most MAX_ARGUMENTS items, never splitting a key from its value', () => {
    const keyValues = Array.from({ length: MAX_ARGUMENTS + 3 }, (_, i) => [`k${i}`, `v${i}`]).flat();
    const members = Array.from({ length: 2 * MAX_ARGUMENTS + 1 }, (_, i) => `m${i}`);
    const commands = commandsOf(new WriteCommands().mset(keyValues).sadd('s', members).zadd('z', members).flatten());
    const msets = commands.filter(([name]) => name === 'MSET');
    expect(msets.map((command) => command.length - 1)).toEqual([MAX_ARGUMENTS, MAX_ARGUMENTS, 6]);
    expect(msets.flatMap((command) => command.slice(1))).toEqual(keyValues);
    const sadds = commands.filter(([name]) => name === 'SADD');
    expect(sadds.map((command) => command.length - 2)).toEqual([MAX_ARGUMENTS, MAX_ARGUMENTS, 1]);
    expect(sadds.every((command) => command[1] === 's')).toBe(true);
    const zadds = commands.filter(([name]) => name === 'ZADD');
    expect(zadds.flatMap((command) => command.slice(2)).filter((_, i) => i % 2 === 1)).toEqual(members);
    expect(zadds.every((command) => command.length - 2 <= MAX_ARGUMENTS && (command.length - 2) % 2 === 0)).toBe(true);
  });

  it('stages nothing for empty lists', () => {
    expect(new WriteCommands().del([]).mset([]).sadd('s', []).length).toBe(0);
  });
});

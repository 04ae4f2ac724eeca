// Old manage.sh PID files and matching a process's argv to a service's command (scripts/lib/manage/core/legacy.ts).
import { describe, expect, it } from 'vitest';
import { argvMatchesCommand, parseBarePid, shellWords } from '../../scripts/lib/manage/core/legacy.ts';

describe('parseBarePid', () => {
  it.each([
    ['12345\n', 12345],
    ['12345', 12345],
    ['  4242  \n\n', 4242],
    ['', undefined],
    ['0\n', undefined],
    ['1\n', undefined],
    ['12345\nservice=api\n', undefined],
    ['12a\n', undefined],
    ['-5\n', undefined],
    ['99999999999999999999\n', undefined],
  ])('%j is %j', (text, expected) => {
    expect(parseBarePid(text)).toBe(expected);
  });
});

describe('shellWords', () => {
  it.each([
    ['node api.js --port 8080', ['node', 'api.js', '--port', '8080']],
    ['  python3   -m   http.server  ', ['python3', '-m', 'http.server']],
    [`echo 'a b' "c d" e\\ f`, ['echo', 'a b', 'c d', 'e f']],
    [`say "it's \\"here\\""`, ['say', `it's "here"`]],
    ['RUST_LOG=info PORT=1 cargo run', ['cargo', 'run']],
    ['exec node api.js', ['node', 'api.js']],
    [`a''b`, ['ab']],
  ])('splits %j', (line, expected) => {
    expect(shellWords(line)).toEqual(expected);
  });

  it.each([['cd api && node x.js'], ['node x.js | tee log'], ['echo $HOME'], ['echo "$HOME"'], ['ls *.js'], ["echo 'open"], ['echo "open'], ['a > b'], ['(x)'], [''], ['FOO=1']])(
    'gives up on %j, whose argv depends on the shell',
    (line) => {
      expect(shellWords(line)).toBeUndefined();
    },
  );
});

describe('argvMatchesCommand', () => {
  it.each([
    ['the words of a simple line', ['sleep', '300'], 'sleep 300'],
    ['the program by another path', ['/usr/bin/node', 'api.js'], 'node api.js'],
    ['the line through sh -c', ['/bin/sh', '-c', 'sleep 1; echo done'], 'sleep 1; echo done'],
    ['the line through bash -c', ['bash', '-c', 'cd api && node x.js'], 'cd api && node x.js'],
    ['an argv array', ['/bin/sleep', '300'], ['sleep', '300']],
    ['an argv array through sh -c', ['sh', '-c', "echo 'a b'"], ['echo', 'a b']],
    ['a script through its #! interpreter', ['python3', './serve.py', '--port', '1'], './serve.py --port 1'],
    ['a script on PATH through node', ['/usr/bin/node', '/usr/local/bin/vite', 'dev'], 'vite dev'],
    ['quoted arguments', ['grep', '-e', 'a b'], `grep -e 'a b'`],
  ])('matches %s', (_, argv, command) => {
    expect(argvMatchesCommand(argv, command)).toBe(true);
  });

  it.each([
    ['different arguments', ['sleep', '999'], 'sleep 300'],
    ['another program', ['python3', 'api.js'], 'node api.js'],
    ['an extra argument', ['sleep', '300', 'x'], 'sleep 300'],
    ['another shell line', ['sh', '-c', 'sleep 2'], 'sleep 1; echo done'],
    ['a shell line that only its shell can run, run otherwise', ['sleep', '1'], 'sleep 1; echo done'],
    ['an empty argv (a zombie or a kernel thread)', [], 'sleep 300'],
    ['a wrapper that is no interpreter', ['sudo', 'sleep', '300'], 'sleep 300'],
  ])('rejects %s', (_, argv, command) => {
    expect(argvMatchesCommand(argv, command)).toBe(false);
  });
});

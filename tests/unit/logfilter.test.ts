// Filtering log lines (scripts/lib/manage/logfiles/logfilter.ts) and how logs renders them, over literal lines.
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { continuationTracker, filterLines, isContinuation, LineClassifier, passes, stripAnsi, type LineFilter } from '../../scripts/lib/manage/logfiles/logfilter.ts';
import { renderLine } from '../../scripts/lib/manage/logs.ts';

const at = (text: string): number => Date.parse(text);

describe('stripAnsi', () => {
  it.each([
    ['\u001b[31mERROR\u001b[0m boom', 'ERROR boom'],
    ['\u001b[1;38;5;208mbold orange\u001b[m', 'bold orange'],
    ['\u001b[2m2026-01-01T00:00:00Z\u001b[0m \u001b[32m INFO\u001b[0m relay', '2026-01-01T00:00:00Z  INFO relay'],
    ['\u001b[2K\u001b[1Gprogress', 'progress'],
    ['\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007', 'link'],
    ['\u001b]0;title\u001b\\text', 'text'],
    ['\u001bMreverse index', 'reverse index'],
    ['plain text', 'plain text'],
    ['', ''],
  ])('turns %j into %j', (text, plain) => {
    expect(stripAnsi(text)).toBe(plain);
  });
});

describe('isContinuation', () => {
  it.each([
    ['    at Object.<anonymous> (/app/x.js:1:1)', true],
    ['\tat com.example.Main.main(Main.java:5)', true],
    ['  File "app.py", line 3, in <module>', true],
    ['', true],
    ['Caused by: java.io.IOException', true],
    ['ERROR boom', false],
    ['ValueError: bad', false],
  ])('%j: %s', (text, continues) => {
    expect(isContinuation(text)).toBe(continues);
  });
});

describe('continuationTracker', () => {
  it('takes the exception line that ends a Python traceback as part of it, and no other', () => {
    const continues = continuationTracker();
    const lines = [
      'Traceback (most recent call last):',
      '  File "app.py", line 3, in <module>',
      '    main()',
      'ValueError: bad input',
      'ValueError: a second one, on its own',
      'Traceback (most recent call last):',
      'INFO a line that is not the exception',
      'KeyError: after that line, on its own again',
    ];
    expect(lines.map(continues)).toEqual([false, true, true, true, false, false, false, false]);
  });
});

describe('LineClassifier', () => {
  it('gives continuation lines the level of the line they continue, and unknown to the next line without one', () => {
    const classifier = new LineClassifier();
    const levels = ['ERROR request failed', '    at handler (app.js:3)', '', 'listening again', '  indented, after no level'].map(
      (line) => classifier.classify(line).level,
    );
    expect(levels).toEqual(['error', 'error', 'error', undefined, undefined]);
  });

  it('gives lines without a timestamp the time of the last line that had one, starting from the header', () => {
    const classifier = new LineClassifier();
    const times = [
      'before any time',
      '=== 2026-11-23T10:00:00.000Z manage.ts up api: node api.js',
      'booting',
      '2026-11-23T10:00:05Z INFO ready',
      'no time of its own',
    ].map((line) => classifier.classify(line).time);
    expect(times).toEqual([undefined, at('2026-11-23T10:00:00Z'), at('2026-11-23T10:00:00Z'), at('2026-11-23T10:00:05Z'), at('2026-11-23T10:00:05Z')]);
  });
});

describe('passes', () => {
  const facts = { level: 'warn' as const, time: at('2026-11-23T10:00:00Z') };

  it.each<[string, LineFilter, boolean]>([
    ['no filter', {}, true],
    ['a matching grep', { grep: /slow/ }, true],
    ['a grep that does not match', { grep: /fast/ }, false],
    ['the same level', { level: 'warn' }, true],
    ['a lower threshold', { level: 'info' }, true],
    ['a higher threshold', { level: 'error' }, false],
    ['since before the line', { since: at('2026-11-23T09:59:59Z') }, true],
    ['since exactly the line', { since: at('2026-11-23T10:00:00Z') }, true],
    ['since after the line', { since: at('2026-11-23T10:00:01Z') }, false],
    ['every filter matching', { grep: /query/, level: 'warn', since: 0 }, true],
    ['one of several not matching', { grep: /query/, level: 'error', since: 0 }, false],
  ])('%s', (_, filter, expected) => {
    expect(passes('WARN slow query', facts, filter)).toBe(expected);
  });

  it('leaves out a line of unknown level or time when that is filtered on', () => {
    expect(passes('x', { level: undefined, time: 0 }, { level: 'debug' })).toBe(false);
    expect(passes('x', { level: 'error', time: undefined }, { since: 0 })).toBe(false);
    expect(passes('x', { level: undefined, time: undefined }, { grep: /x/ })).toBe(true);
  });
});

describe('filterLines', () => {
  const log = [
    '=== 2026-11-23T10:00:00.000Z manage.ts up api: node api.js',
    'booting without timestamps',
    '2026-11-23T10:00:01Z INFO listening on 8080',
    '2026-11-23T10:05:00Z WARN slow query (812 ms)',
    '2026-11-23T10:06:00Z ERROR request failed',
    '    at handler (app.js:3:9)',
    '    at process (node:internal)',
    '2026-11-23T10:06:01Z INFO recovered',
    '\u001b[31m2026-11-23T10:07:00Z ERROR\u001b[0m coloured by the service',
    'Traceback (most recent call last):',
    '  File "job.py", line 1, in <module>',
    'ValueError: bad input',
    '{"level":40,"time":1,"msg":"pino warning"}',
  ];

  it('keeps errors with their stack traces for --level error', () => {
    expect(filterLines(log, { level: 'error' })).toEqual([
      '2026-11-23T10:06:00Z ERROR request failed',
      '    at handler (app.js:3:9)',
      '    at process (node:internal)',
      '\u001b[31m2026-11-23T10:07:00Z ERROR\u001b[0m coloured by the service',
      'Traceback (most recent call last):',
      '  File "job.py", line 1, in <module>',
      'ValueError: bad input',
    ]);
  });

  it('adds warnings for --level warn', () => {
    const lines = filterLines(log, { level: 'warn' });
    expect(lines).toContain('2026-11-23T10:05:00Z WARN slow query (812 ms)');
    expect(lines).toContain('{"level":40,"time":1,"msg":"pino warning"}');
    expect(lines).not.toContain('2026-11-23T10:06:01Z INFO recovered');
    expect(lines).toHaveLength(9);
  });

  it('matches --grep against the text without colour codes', () => {
    expect(filterLines(log, { grep: /ERROR coloured/ })).toEqual(['\u001b[31m2026-11-23T10:07:00Z ERROR\u001b[0m coloured by the service']);
  });

  it('takes times from the header and earlier lines for --since', () => {
    expect(filterLines(log, { since: at('2026-11-23T10:06:00Z') })).toEqual(log.slice(4));
    // The lines between the header and the first timestamp have the header's time.
    expect(filterLines(log, { since: at('2026-11-23T10:00:00Z'), grep: /booting/ })).toEqual(['booting without timestamps']);
    expect(filterLines(log, { since: at('2026-11-23T10:00:00.001Z'), grep: /booting/ })).toEqual([]);
  });

  it('leaves out lines before any time for --since', () => {
    expect(filterLines(['no time at all', 'still none'], { since: 0 })).toEqual([]);
  });

  it('combines the filters', () => {
    expect(filterLines(log, { level: 'error', since: at('2026-11-23T10:06:30Z'), grep: /^\S/ })).toEqual([
      '\u001b[31m2026-11-23T10:07:00Z ERROR\u001b[0m coloured by the service',
      'Traceback (most recent call last):',
      'ValueError: bad input',
    ]);
  });
});

describe('renderLine', () => {
  const color = pc.createColors(true);
  const coloured = '\u001b[31mERROR\u001b[0m boom';

  it('strips the colour codes a service wrote when output is plain', () => {
    expect(renderLine(coloured, { raw: false })).toBe('ERROR boom');
  });

  it('keeps the bytes as written with --raw, plain or not', () => {
    expect(renderLine(coloured, { raw: true })).toBe(coloured);
    expect(renderLine('WARN x', { raw: true, color })).toBe('WARN x');
  });

  it('paints level words on a TTY and keeps the service colours', () => {
    expect(renderLine('WARN x', { raw: false, color })).toBe(`${color.yellow('WARN')} x`);
    expect(renderLine(coloured, { raw: false, color })).toBe(coloured);
  });
});

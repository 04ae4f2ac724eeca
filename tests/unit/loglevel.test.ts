// Level detection, thresholds and painting (scripts/lib/manage/logfiles/loglevel.ts), from literal log lines.
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { detectLevel, findLevel, levelFromNumber, meetsThreshold, paintLevel, parseLevel, type Level } from '../../scripts/lib/manage/logfiles/loglevel.ts';

describe('detectLevel', () => {
  it.each<[string, Level | undefined]>([
    // Uppercase words, at word boundaries.
    ['2026-01-01T00:00:00Z ERROR app: disk full', 'error'],
    ['ERR! code ENOENT', 'error'],
    ['FATAL: could not bind', 'error'],
    ['CRITICAL something broke', 'error'],
    ['PANIC at the disco', 'error'],
    ['2026-01-01 12:00:00,123 WARNING cache cold', 'warn'],
    ['WARN slow query', 'warn'],
    ['2026-11-23T10:45:37.386Z INFO  client connected', 'info'],
    ['DEBUG tick', 'debug'],
    ['TRACE enter handler', 'debug'],
    // Python logging's default format, env_logger and tracing.
    ['ERROR:root:boom', 'error'],
    ['WARNING:urllib3:retrying', 'warn'],
    ['[2026-01-01T00:00:00Z ERROR app] x', 'error'],
    ['2026-01-01T00:00:00.123456Z  WARN relay::feed: lagging', 'warn'],
    // The first level word wins: the level comes before the message.
    ['INFO request failed with ERROR 500 upstream', 'info'],
    // logfmt and JSON fields, any case.
    ['time=2026-01-01 level=error msg="boom"', 'error'],
    ['ts=1 lvl=WARN msg=x', 'warn'],
    ['level=info msg="started"', 'info'],
    ['{"level":"error","msg":"boom"}', 'error'],
    ['{"msg":"x","level":"warning"}', 'warn'],
    ['{"severity":"DEBUG","message":"x"}', 'debug'],
    // pino numbers.
    ['{"level":10,"msg":"x"}', 'debug'],
    ['{"level":20,"msg":"x"}', 'debug'],
    ['{"level":30,"msg":"x"}', 'info'],
    ['{"level":40,"msg":"x"}', 'warn'],
    ['{"level":50,"msg":"x"}', 'error'],
    ['{"level":60,"msg":"x"}', 'error'],
    // Errors without a level word.
    ["thread 'main' panicked at src/main.rs:2:5:", 'error'],
    ['Traceback (most recent call last):', 'error'],
    ['ValueError: invalid literal for int()', 'error'],
    ['TypeError: Cannot read properties of undefined', 'error'],
    ['Error: listen EADDRINUSE', 'error'],
    ['Exception: boom', 'error'],
    // Not levels.
    ['0 errors, 2 warnings', undefined],
    ['error handling is fine here', undefined],
    ['INFORMATION desk', undefined],
    ['ERROR_CODE=4', undefined],
    ['MY_WARN_FLAG', undefined],
    ['level=3 on the syslog scale', undefined],
    ['the level=high of excitement', undefined],
    ['listening on 8080', undefined],
    ['', undefined],
    // manage.ts's own lines: a start header quotes the command, which may say anything.
    ['=== 2026-01-01T00:00:00.000Z manage.ts up api: grep ERROR x.log', undefined],
    ['=== 2026-01-01T00:00:00Z manage.ts: giving up after 2 restarts (last exit 3)', undefined],
  ])('%j is %s', (line, level) => {
    expect(detectLevel(line)).toBe(level);
  });
});

describe('findLevel', () => {
  it('gives the span of the level word, for painting', () => {
    const line = '2026-01-01T00:00:00Z WARN relay: lagging';
    const found = findLevel(line)!;
    expect(line.slice(found.start, found.end)).toBe('WARN');
  });

  it('gives the span of a field value', () => {
    const line = 'ts=1 level=error msg=x';
    const found = findLevel(line)!;
    expect(line.slice(found.start, found.end)).toBe('error');
  });

  it('has no span for a pino number or a panic', () => {
    expect(findLevel('{"level":50}')).toEqual({ level: 'error' });
    expect(findLevel("thread 'main' panicked at x")).toEqual({ level: 'error' });
  });
});

describe('levelFromNumber', () => {
  it.each<[number, Level]>([
    [10, 'debug'],
    [25, 'debug'],
    [30, 'info'],
    [45, 'warn'],
    [50, 'error'],
    [60, 'error'],
  ])('%d is %s', (value, level) => {
    expect(levelFromNumber(value)).toBe(level);
  });
});

describe('meetsThreshold', () => {
  it('lets a level and the ones above it through', () => {
    expect(meetsThreshold('error', 'warn')).toBe(true);
    expect(meetsThreshold('warn', 'warn')).toBe(true);
    expect(meetsThreshold('info', 'warn')).toBe(false);
    expect(meetsThreshold('debug', 'debug')).toBe(true);
    expect(meetsThreshold('error', 'debug')).toBe(true);
  });

  it('never lets a line without a level through', () => {
    expect(meetsThreshold(undefined, 'debug')).toBe(false);
  });
});

describe('parseLevel', () => {
  it.each([
    ['error', 'error'],
    ['WARN', 'warn'],
    ['Info', 'info'],
    ['debug', 'debug'],
    ['warning', undefined],
    ['fatal', undefined],
    ['', undefined],
  ])('%j is %s', (text, level) => {
    expect(parseLevel(text)).toBe(level);
  });
});

describe('paintLevel', () => {
  const color = pc.createColors(true);

  it.each<[string, string, (text: string) => string]>([
    ['ERROR boom', 'ERROR', color.red],
    ['x WARN y', 'WARN', color.yellow],
    ['x INFO y', 'INFO', color.blue],
    ['x DEBUG y', 'DEBUG', color.dim],
    ['level=error y', 'error', color.red],
  ])('paints the level word of %j', (line, word, paint) => {
    expect(paintLevel(line, color)).toBe(line.replace(word, paint(word)));
  });

  it('leaves lines without a level word alone', () => {
    expect(paintLevel('listening on 8080', color)).toBe('listening on 8080');
    expect(paintLevel('{"level":50}', color)).toBe('{"level":50}');
  });

  it('leaves a line that has colours of its own as written', () => {
    const line = '\u001b[32m INFO\u001b[0m relay: up';
    expect(paintLevel(line, color)).toBe(line);
  });

  it('paints nothing when colours are off', () => {
    expect(paintLevel('ERROR boom', pc.createColors(false))).toBe('ERROR boom');
  });
});

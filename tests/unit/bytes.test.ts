// Sizes in bytes (scripts/lib/manage/core/bytes.ts), from literals: parsed from the services file, formatted for output.
import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from '../../scripts/lib/manage/core/bytes.ts';

describe('parseSize', () => {
  it.each<[unknown, number]>([
    [1, 1],
    [52_428_800, 52_428_800],
    ['512', 512],
    ['512B', 512],
    ['50MB', 50_000_000],
    ['50 MB', 50_000_000],
    ['50mb', 50_000_000],
    ['1KB', 1000],
    ['1GB', 1e9],
    ['2TB', 2e12],
    ['1KiB', 1024],
    ['1GiB', 2 ** 30],
    ['1gib', 2 ** 30],
    ['100MiB', 100 * 2 ** 20],
    ['1K', 1024],
    ['10M', 10 * 2 ** 20],
    ['1G', 2 ** 30],
    ['1.5GB', 1.5e9],
    ['0.5KiB', 512],
    [' 8 MiB ', 8 * 2 ** 20],
  ])('reads %j as %d bytes', (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  it.each<[string, unknown]>([
    ['zero', 0],
    ['a negative number', -5],
    ['a fraction of a byte as a number', 1.5],
    ['NaN', Number.NaN],
    ['an empty string', ''],
    ['a unit alone', 'MB'],
    ['an unknown unit', '5 parsecs'],
    ['bits', '5Mbit'],
    ['a negative size', '-5MB'],
    ['less than a byte', '0.1B'],
    ['two numbers', '5 5MB'],
    ['a boolean', true],
    ['null', null],
    ['an array', [5]],
  ])('rejects %s', (_, value) => {
    expect(parseSize(value)).toBeUndefined();
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [48 * 1024 * 1024 + 300 * 1024, '48.3 MiB'],
    [150 * 1024 * 1024, '150 MiB'],
    [1.2 * 1024 ** 3, '1.20 GiB'],
  ])('shows %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

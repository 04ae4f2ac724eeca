// editDistance and closestMatch (scripts/lib/manage/core/suggest.ts), from literal words.
import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from '../../scripts/lib/manage/core/suggest.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['port', 'port', 0],
    ['', 'port', 4],
    ['port', '', 4],
    ['prot', 'port', 1],
    ['dependOn', 'dependsOn', 1],
    ['dashbord', 'dashboard', 1],
    ['stauts', 'status', 1],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3],
    ['up', 'ps', 2],
    ['abcdef', 'badcfe', 3],
  ])('%j -> %j takes %i edit(s)', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('closestMatch', () => {
  const serviceKeys = ['name', 'command', 'port', 'dependsOn', 'group', 'ready', 'readyTimeout', 'stopTimeout', 'oneShot'];

  it.each([
    ['dependOn', 'dependsOn'],
    ['prot', 'port'],
    ['DependsOn', 'dependsOn'],
    ['nmae', 'name'],
    ['groups', 'group'],
    ['oneshot', 'oneShot'],
    ['readytimeout', 'readyTimeout'],
    ['stopTimeOut', 'stopTimeout'],
  ])('suggests %j for %j', (word, expected) => {
    expect(closestMatch(word, serviceKeys)).toBe(expected);
  });

  it.each([['zzzzz'], ['cmd'], ['x'], ['environment'], ['']])('suggests nothing for %j (too far from every candidate)', (word) => {
    expect(closestMatch(word, serviceKeys)).toBeUndefined();
  });

  it.each([
    ['strat', ['up', 'start', 'status'], 'start'],
    ['up', ['ps', 'down'], undefined],
    ['stpo', ['start', 'stop'], 'stop'],
    ['sotp', ['stop', 'start'], 'stop'],
    ['ab', ['ax', 'ay'], 'ax'],
    ['dashbord', ['dashboard', 'market-data'], 'dashboard'],
  ])('among candidates: %j in %j gives %j (first of equals; short words need a near match)', (word, candidates, expected) => {
    expect(closestMatch(word, candidates)).toBe(expected);
  });
});

describe('didYouMean', () => {
  it('appends the suggestion in the given quoting, or nothing', () => {
    expect(didYouMean('prot', ['port'])).toBe('; did you mean "port"?');
    expect(didYouMean('jsn', ['json'], (name) => `'--${name}'`)).toBe("; did you mean '--json'?");
    expect(didYouMean('zzzz', ['port'])).toBe('');
  });
});

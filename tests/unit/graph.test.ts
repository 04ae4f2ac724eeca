// Selection, start and stop order, and cycles over the dependency graph (scripts/lib/manage/core/graph.ts).
import { describe, expect, it } from 'vitest';
import { ManageError } from '../../scripts/lib/manage/core/errors.ts';
import { dependentsOutside, findCycle, selectServices, startOrder, stopOrder, withDependencies, type GraphNode } from '../../scripts/lib/manage/core/graph.ts';
import { thrown } from '../helpers/thrown.ts';

function node(name: string, dependsOn: string[] = [], groups: string[] = []): GraphNode {
  return { name, dependsOn, groups };
}

/** The demo stack: dashboard needs market-data and execution, execution needs signal, signal needs market-data. */
const demo = [
  node('market-data', [], ['relays']),
  node('signal', ['market-data'], ['relays']),
  node('execution', ['signal']),
  node('dashboard', ['market-data', 'execution'], ['front']),
  node('docs', [], ['front']),
];

/** a -> b, a -> c, b -> d, c -> d, declared dependents first. */
const diamond = [node('a', ['b', 'c']), node('b', ['d']), node('c', ['d']), node('d')];


describe('findCycle', () => {
  it('returns undefined for a graph without cycles', () => {
    expect(findCycle(demo)).toBeUndefined();
    expect(findCycle(diamond)).toBeUndefined();
  });

  it('returns undefined for no nodes', () => {
    expect(findCycle([])).toBeUndefined();
  });

  it('names the cycle as a path back to its start', () => {
    expect(findCycle([node('a', ['b']), node('b', ['c']), node('c', ['a'])])).toEqual(['a', 'b', 'c', 'a']);
  });

  it('leaves out the nodes that lead into the cycle', () => {
    expect(findCycle([node('entry', ['x']), node('x', ['y']), node('y', ['x'])])).toEqual(['x', 'y', 'x']);
  });

  it('finds a node that depends on itself', () => {
    expect(findCycle([node('a'), node('b', ['b'])])).toEqual(['b', 'b']);
  });

  it('ignores dependencies on names that are not nodes', () => {
    expect(findCycle([node('a', ['missing'])])).toBeUndefined();
  });
});

describe('selectServices', () => {
  const all = ['market-data', 'signal', 'execution', 'dashboard', 'docs'];

  it.each([
    ['no words', []],
    ['"all"', ['all']],
    ['"all" among other words', ['signal', 'all']],
  ])('selects every service for %s', (_, words) => {
    expect(selectServices(demo, words)).toEqual(all);
  });

  it.each([
    [['execution'], ['execution']],
    [['relays'], ['market-data', 'signal']],
    [['front'], ['dashboard', 'docs']],
    [['docs', 'market-data'], ['market-data', 'docs']],
    [['dashboard', 'front', 'relays', 'signal'], ['market-data', 'signal', 'dashboard', 'docs']],
  ])('selects %j as %j, in declaration order without duplicates', (words, expected) => {
    expect(selectServices(demo, words)).toEqual(expected);
  });

  it('throws a usage ManageError for an unknown word, listing services and groups', () => {
    const error = thrown(() => selectServices(demo, ['signal', 'nope']));
    expect(error).toBeInstanceOf(ManageError);
    expect(error).toMatchObject({
      message: 'unknown service or group "nope"',
      exitCode: 1,
      hint: 'choose from services: market-data, signal, execution, dashboard, docs; groups: relays, front, or all',
    });
  });

  it.each([
    [['dashbord'], 'unknown service or group "dashbord"; did you mean "dashboard"?'],
    [['relay'], 'unknown service or group "relay"; did you mean "relays"?'],
    [['al'], 'unknown service or group "al"; did you mean "all"?'],
    [['zebra'], 'unknown service or group "zebra"'],
  ])('suggests the closest service or group for %j', (words, message) => {
    expect(thrown(() => selectServices(demo, words))).toMatchObject({ message, exitCode: 1 });
  });

  it('leaves groups out of the hint when there are none', () => {
    expect(thrown(() => selectServices([node('a'), node('b')], ['c']))).toMatchObject({ hint: 'choose from services: a, b, or all' });
  });
});

describe('withDependencies', () => {
  it.each([
    [['dashboard'], ['market-data', 'signal', 'execution', 'dashboard']],
    [['execution'], ['market-data', 'signal', 'execution']],
    [['market-data'], ['market-data']],
    [['docs', 'signal'], ['market-data', 'signal', 'docs']],
    [[], []],
  ])('adds what %j needs, transitively, in declaration order', (names, expected) => {
    expect(withDependencies(demo, names)).toEqual(expected);
  });

  it('walks a diamond once', () => {
    expect(withDependencies(diamond, ['a'])).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('startOrder', () => {
  it('starts dependencies first', () => {
    expect(startOrder(demo, ['market-data', 'signal', 'execution', 'dashboard'])).toEqual(['market-data', 'signal', 'execution', 'dashboard']);
  });

  it('starts dependencies first even when they are declared last', () => {
    expect(startOrder([node('web', ['api']), node('api', ['db']), node('db')], ['web', 'api', 'db'])).toEqual(['db', 'api', 'web']);
  });

  it('breaks ties by declaration order, not by the order of the names given', () => {
    const nodes = [node('c', ['a']), node('b', ['a']), node('a'), node('z')];
    expect(startOrder(nodes, ['z', 'b', 'c', 'a'])).toEqual(['a', 'c', 'b', 'z']);
  });

  it('orders a diamond: the shared dependency first, the top last', () => {
    expect(startOrder(diamond, ['a', 'b', 'c', 'd'])).toEqual(['d', 'b', 'c', 'a']);
  });

  it('treats dependencies outside the selection as satisfied', () => {
    expect(startOrder(demo, ['dashboard', 'signal'])).toEqual(['signal', 'dashboard']);
    expect(startOrder(diamond, ['a'])).toEqual(['a']);
  });

  it('ignores names that are not nodes', () => {
    expect(startOrder(demo, ['docs', 'ghost'])).toEqual(['docs']);
  });

  it('counts a dependency listed twice once', () => {
    expect(startOrder([node('api', ['db', 'db']), node('db')], ['api', 'db'])).toEqual(['db', 'api']);
  });

  it('throws a ManageError naming the services on a cycle', () => {
    const error = thrown(() => startOrder([node('a', ['b']), node('b', ['a']), node('c')], ['a', 'b', 'c']));
    expect(error).toBeInstanceOf(ManageError);
    expect(error).toMatchObject({ message: 'dependency cycle among a, b, c', exitCode: 1 });
  });
});

describe('stopOrder', () => {
  it('stops dependents before what they depend on', () => {
    expect(stopOrder(demo, ['market-data', 'signal', 'execution', 'dashboard', 'docs'])).toEqual([
      'docs',
      'dashboard',
      'execution',
      'signal',
      'market-data',
    ]);
  });

  it('is the start order reversed for a diamond', () => {
    expect(stopOrder(diamond, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'b', 'd']);
  });
});

describe('dependentsOutside', () => {
  it('maps each unselected dependent to the selected services it needs', () => {
    expect(dependentsOutside(demo, ['market-data'])).toEqual(
      new Map([
        ['signal', ['market-data']],
        ['dashboard', ['market-data']],
      ]),
    );
  });

  it('lists every selected dependency of an unselected dependent', () => {
    expect(dependentsOutside(demo, ['market-data', 'execution'])).toEqual(
      new Map([
        ['signal', ['market-data']],
        ['dashboard', ['market-data', 'execution']],
      ]),
    );
  });

  it('is empty when every dependent is selected too', () => {
    expect(dependentsOutside(demo, ['market-data', 'signal', 'execution', 'dashboard'])).toEqual(new Map());
    expect(dependentsOutside(demo, ['docs'])).toEqual(new Map());
  });
});

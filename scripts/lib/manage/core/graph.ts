// Dependency graph over services: selection, start order, stop order, cycles (pure).
import { ManageError } from './errors.ts';
import { didYouMean } from './suggest.ts';

/** The part of a service the graph needs. */
export interface GraphNode {
  name: string;
  dependsOn: string[];
  groups: string[];
}

/** A dependency cycle as a path that returns to its start, e.g. ["a", "b", "a"], or undefined. */
export function findCycle(nodes: GraphNode[]): string[] | undefined {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];

  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(dependency)) continue;
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };

  for (const node of nodes) {
    const cycle = visit(node.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Names selected by command-line words: service names, group names, or "all"; no words means all.
 * Returned in declaration order, without duplicates.
 */
export function selectServices(nodes: GraphNode[], words: string[]): string[] {
  if (words.length === 0 || words.includes('all')) return nodes.map((node) => node.name);
  const chosen = new Set<string>();
  for (const word of words) {
    const members = nodes.filter((node) => node.name === word || node.groups.includes(word));
    if (members.length === 0) {
      const groups = [...new Set(nodes.flatMap((node) => node.groups))];
      const known = `services: ${nodes.map((node) => node.name).join(', ')}` + (groups.length ? `; groups: ${groups.join(', ')}` : '');
      throw new ManageError(`unknown service or group "${word}"${didYouMean(word, [...nodes.map((node) => node.name), ...groups, 'all'])}`, 1, `choose from ${known}, or all`);
    }
    for (const member of members) chosen.add(member.name);
  }
  return nodes.map((node) => node.name).filter((name) => chosen.has(name));
}

/** The selection plus everything it depends on, transitively, in declaration order. */
export function withDependencies(nodes: GraphNode[], names: string[]): string[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const needed = new Set<string>();
  const add = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) add(dependency);
  };
  names.forEach(add);
  return nodes.map((node) => node.name).filter((name) => needed.has(name));
}

/**
 * Start order of the given names (Kahn's algorithm): dependencies first, ties broken by declaration order
 * so the output is deterministic. Dependencies outside `names` are treated as already satisfied.
 */
export function startOrder(nodes: GraphNode[], names: string[]): string[] {
  const selected = new Set(names);
  const chosen = nodes.filter((node) => selected.has(node.name));
  // A dependency listed twice is still one edge.
  const waitingOn = new Map(chosen.map((node) => [node.name, new Set(node.dependsOn.filter((dependency) => selected.has(dependency))).size]));
  const order: string[] = [];
  while (order.length < chosen.length) {
    const next = chosen.find((node) => waitingOn.get(node.name) === 0 && !order.includes(node.name));
    if (!next) throw new ManageError(`dependency cycle among ${chosen.map((node) => node.name).join(', ')}`, 1);
    order.push(next.name);
    for (const node of chosen) {
      if (node.dependsOn.includes(next.name)) waitingOn.set(node.name, waitingOn.get(node.name)! - 1);
    }
  }
  return order;
}

/** Stop order: dependents before what they depend on. */
export function stopOrder(nodes: GraphNode[], names: string[]): string[] {
  return startOrder(nodes, names).reverse();
}

/** Services outside `names` that depend directly on one of `names`: what a partial `down` leaves dangling. */
export function dependentsOutside(nodes: GraphNode[], names: string[]): Map<string, string[]> {
  const selected = new Set(names);
  const result = new Map<string, string[]>();
  for (const node of nodes) {
    if (selected.has(node.name)) continue;
    const hit = node.dependsOn.filter((dependency) => selected.has(dependency));
    if (hit.length > 0) result.set(node.name, hit);
  }
  return result;
}

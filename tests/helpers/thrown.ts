// What a call throws, for asserting on errors whose fields matter (exitCode, hint).
export function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

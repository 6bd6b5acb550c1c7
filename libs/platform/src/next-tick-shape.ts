import { createHook } from 'node:async_hooks';

let held: object | null = null;

/**
 * Keeps one of `process.nextTick`'s queue entries alive for the life of the process, so the hidden
 * classes of those entries never die.
 *
 * Node 20 builds each entry as an object literal with two symbol keys. At a full GC, V8 drops the
 * class transitions of that literal whenever no entry happens to be alive (the queue is usually
 * empty), so the next entry gets fresh classes. After a few such GCs the literal's inline cache has
 * seen too many classes and turns megamorphic for good: from then on every `nextTick` (Node's streams
 * call it several times per HTTP request) defines its properties through the runtime. A long-running
 * process can fall into this at any full GC, and the gateway's request thread then spends a few
 * percent more per request in those runtime paths. Holding one entry keeps its classes, and the
 * transitions to them, alive (see the README's benchmark notes for what was measured).
 */
export function holdNextTickShape(): object | null {
  if (held !== null) return held;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject' && held === null) held = resource;
    },
  }).enable();
  try {
    process.nextTick(noop);
  } finally {
    hook.disable();
  }
  // A Node version whose nextTick reports no TickObject has nothing to hold; the service starts all the same.
  return held;
}

function noop(): void {}

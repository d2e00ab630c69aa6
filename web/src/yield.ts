// Start-up work split into tasks: nextTask() resolves in a later task (not a
// microtask), so the browser may paint and handle input in between and no
// piece of Relance's start-up adds up to a long task (> 50 ms).

/**
 * Resolves in a later task: `scheduler.yield()` where the browser has it,
 * else a MessageChannel message (unlike a zero-delay timer, not throttled to
 * one per second in a background tab, so a page opened in one still starts at
 * once), else a timer.
 */
export function nextTask(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (s && typeof s.yield === 'function') return s.yield();
  return new Promise((resolve) => {
    if (typeof MessageChannel !== 'function') {
      setTimeout(resolve, 0);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

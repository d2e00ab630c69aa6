// Entry used by the unit tests (tests/js/web_runtime.test.mjs).
export { Runtime, STATE_KEY, FORGET_KEY } from './runtime';
export { EventQueue } from './queue';
export { safeStore } from './storage';

// Entry used by the unit tests (tests/js/web_transport.test.mjs) to load the
// transport with its collaborators from one bundle.
export { Transport } from './transport';
export { EventQueue } from './queue';
export { SendLease } from './lease';
export { safeStore, memoryStore } from './storage';

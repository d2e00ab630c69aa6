// The Emscripten glue (relance-core.js, MODULARIZE), bundled by the build.
declare module 'relance-core-glue' {
  const createRelanceCore: (module: Record<string, unknown>) => Promise<any>;
  export default createRelanceCore;
}

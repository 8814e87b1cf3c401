// Types for @echogarden/sonic-wasm (an emscripten module factory); time-stretch.ts narrows what it uses.
declare module '@echogarden/sonic-wasm' {
  const Sonic: (options?: Record<string, unknown>) => Promise<unknown>;
  export default Sonic;
}

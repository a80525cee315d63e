// k6 provides `console` in every context, but @types/k6 does not declare it, and the DOM and Node typings would bring
// far more than k6 has (fetch, window, process, a global WebSocket). This declares exactly what the scripts use.
export {};

declare global {
  interface K6Console {
    log(...data: unknown[]): void;
    info(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    error(...data: unknown[]): void;
    debug(...data: unknown[]): void;
  }

  var console: K6Console;
}

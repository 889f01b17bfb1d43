import { inspect } from 'node:util';

/** What every dump of a secret shows instead of the value. */
export const REDACTED = '[redacted]';

/**
 * A configuration value that must never reach a log line, an error message or a
 * config dump. The value is only reachable through `reveal()`, so a grep for
 * `reveal(` finds every place a secret leaves its box; every accidental route
 * (string interpolation, JSON.stringify, pino, util.inspect) prints "[redacted]".
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

import { ScaffoldingError } from './error.js';

export interface PasswordSource {
  /** The password for one key file (asked for by name when prompting). */
  get(keyFile: string): Promise<string>;
}

/**
 * Passwords from an environment variable, or else typed at a terminal (not echoed). With
 * neither (cron, CI without the variable) it is PASSWORD_REQUIRED, never an empty password.
 */
export function passwordSource(env: NodeJS.ProcessEnv, variable: string, input: NodeJS.ReadStream | undefined, output: NodeJS.WritableStream): PasswordSource {
  return {
    async get(keyFile) {
      const value = env[variable];
      if (value !== undefined) return value;
      if (input?.isTTY && typeof input.setRawMode === 'function') return prompt(`password for ${keyFile}: `, input, output);
      throw new ScaffoldingError('PASSWORD_REQUIRED', `no password for ${keyFile}: set ${variable} or run at a terminal`);
    },
  };
}

function prompt(question: string, input: NodeJS.ReadStream, output: NodeJS.WritableStream): Promise<string> {
  output.write(question);
  input.setRawMode(true);
  input.resume();
  let answer = '';
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new ScaffoldingError('PASSWORD_REQUIRED', 'interrupted'));
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    input.on('data', onData);
  });
}

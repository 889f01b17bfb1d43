// Entry point of the sigstack command.
export {};

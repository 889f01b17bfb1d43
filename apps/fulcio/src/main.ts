// Entry point: loads the configuration and starts the server (see start() in @sigstack/server).
export {};

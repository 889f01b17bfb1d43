// An admission worker thread (see admission.ts): checks the jobs of each message and
// answers them in one message.
import { parentPort } from 'node:worker_threads';
import { admitJob, type AdmissionJob } from './admission.js';

const port = parentPort;
if (!port) throw new Error('admission-worker runs as a worker thread');
port.on('message', (jobs: AdmissionJob[]) => {
  port.postMessage(jobs.map(admitJob));
});

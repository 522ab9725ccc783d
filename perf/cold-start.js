// Cold start: one request to a revision scaled to zero (the promoter starts this only once the
// revision has no pod), timed from sending to the answer: the activator holds it while a pod starts.
import { Trend } from 'k6/metrics';
import { options as scenario, score, summary } from './lib.js';

export const options = scenario('cold-start');
const coldStart = new Trend('cold_start', true);

export default function () {
  const res = score();
  coldStart.add(res.timings.duration);
}

export function handleSummary(data) {
  return summary(data);
}

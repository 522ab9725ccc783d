// Load at a fixed arrival rate (constant-arrival-rate): requests start on schedule whether or not
// earlier ones have answered, so a slow server shows as latency and dropped iterations instead of
// as a lower request rate (a closed loop of VUs would understate the tail).
import { options as scenario, score, summary } from './lib.js';

export const options = scenario('load');

export default function () {
  score();
}

export function handleSummary(data) {
  return summary(data);
}

// Smoke: a few sequential requests; the revision answers at all, and answers right.
import { options as scenario, score, summary } from './lib.js';

export const options = scenario('smoke');

export default function () {
  score();
}

export function handleSummary(data) {
  return summary(data);
}

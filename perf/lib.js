// What the three scenarios share: the contract (thresholds.json), the request, and the summary the
// promoter reads. Every file sits in one folder (a ConfigMap in the cluster), so open()'s paths
// resolve the same whichever file it is called from.
import http from 'k6/http';
import { check } from 'k6';

export const contract = JSON.parse(open('./thresholds.json'));
const body = open('./' + contract.request.body);

/** The scenario's options: its executor settings from the contract, its thresholds verbatim. */
export function options(name) {
  const s = contract.scenarios[name];
  const scenario = { executor: s.executor };
  for (const k of ['vus', 'iterations', 'rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs']) {
    if (s[k] !== undefined) {
      scenario[k] = s[k];
    }
  }
  return { scenarios: { [name]: scenario }, thresholds: s.thresholds, summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'] };
}

function target() {
  const url = __ENV.TARGET_URL;
  if (!url) {
    throw new Error('TARGET_URL is not set: the revision to test, e.g. http://green-score.prsentinel-staging.svc.cluster.local');
  }
  return url.replace(/\/$/, '') + contract.request.path;
}

/** One scoring request, checked for a 200 with a score in it. */
export function score() {
  const res = http.post(target(), body, { headers: { 'Content-Type': 'application/json' }, timeout: '10s' });
  check(res, {
    'status is 200': (r) => r.status === 200,
    'has a score': (r) => r.status === 200 && r.json('score') !== undefined,
  });
  return res;
}

/**
 * k6's own summary document, on one marked line of stdout (the promoter reads it from the Job's
 * log; k6's banner and progress lines are around it) and in SUMMARY_FILE when that is set.
 */
export function summary(data) {
  const json = JSON.stringify(data);
  const out = { stdout: 'PRSENTINEL-K6-SUMMARY ' + json + '\n' };
  if (__ENV.SUMMARY_FILE) {
    out[__ENV.SUMMARY_FILE] = json;
  }
  return out;
}

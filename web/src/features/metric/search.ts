/** MetricSearch is the state of a metric's page that lives in the URL. */
export type MetricSearch = {
  /** superseded lists the schemas every release moved away from too. */
  superseded?: boolean;
};

/** parseMetricSearch keeps only well-formed values from the URL. */
export function parseMetricSearch(s: Record<string, unknown>): MetricSearch {
  return s.superseded === true ? { superseded: true } : {};
}

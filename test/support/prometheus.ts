import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One sample of Prometheus text: `family` is the metric name, `value` a number. */
export interface PrometheusSeries {
  family: string;
  type: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text format with a real parser; throws on text it cannot read. */
export function parsePrometheus(text: string): PrometheusSeries[] {
  return parsePrometheusTextFormat(text).flatMap((family) =>
    family.metrics.map((sample) => ({ family: family.name, type: family.type, labels: sample.labels ?? {}, value: Number(sample.value) })),
  );
}

/** The value of `family` for the series whose labels include `labels`. */
export function valueOf(series: PrometheusSeries[], family: string, labels: Record<string, string>): number | undefined {
  return series.find((s) => s.family === family && Object.entries(labels).every(([key, value]) => s.labels[key] === value))?.value;
}

/** Types for the parser the metrics tests read `/metrics` with (the package ships none). */
declare module 'parse-prometheus-text-format' {
  interface PrometheusSample {
    value: string;
    labels?: Record<string, string>;
  }
  interface PrometheusFamily {
    name: string;
    help: string;
    /** `COUNTER`, `GAUGE`, ... */
    type: string;
    metrics: PrometheusSample[];
  }
  function parsePrometheusTextFormat(text: string): PrometheusFamily[];
  export = parsePrometheusTextFormat;
}

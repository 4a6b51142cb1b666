/**
 * Prometheus and Alertmanager on loopback for a cluster, and what gauntlet reads from them.
 *
 *   const auth = authFromKubeconfig(handle.kubeconfig);      // token + CA of `gauntlet local up`
 *   const m = await startMonitoring({
 *     dir: '.gauntlet/local/monitoring',
 *     sdBaseUrl: `${auth.server}/local-cluster/v1/sd`,       // kube-state-metrics: …/v1/state-metrics
 *     auth, ingressMetricsUrl: `${ingressAdminUrl}/metrics`,
 *     scrapeIntervalS: 5, evaluationIntervalS: 5,
 *   });                                                       // → { prometheusUrl, alertmanagerUrl, stop() }
 *   await m.prometheus.targets(); await m.prometheus.query('up');
 *   const rec = recordAlerts(m.alertmanager);                 // during the run
 *   const events = alertEvents(rec.alerts(), runStartMs);     // → timeline events for alert-detection
 *   const budget = await detectionBudget(m.prometheus, m.settings);
 *   await m.stop();
 *
 * Config: infra-fixtures/prometheus/ (prometheus.yml template, rules.yaml, alertmanager.yml).
 * promtool helpers check and unit-test rule files; samplePromql records a PromQL expression over
 * the run as `promql:<id>` gauges for server-side SLAs (lib/assert/promql-sla.ts).
 */
export {
  AlertmanagerClient,
  PrometheusClient,
  type ActiveTarget,
  type AlertingRule,
  type AlertmanagerAlert,
  type PrometheusAlert,
  type RuleGroup,
  type Sample,
  type Series,
  type TargetsResult,
} from './api.ts';
export {
  kAlertmanagerConfig,
  kPrometheusDir,
  kPrometheusTemplate,
  kRulesFile,
  promDuration,
  renderPrometheusConfig,
  type PrometheusConfigInput,
} from './config.ts';
export {
  alertEvents,
  detectionBudget,
  recordAlerts,
  waitForAlert,
  type AlertRecorder,
  type RecordAlertsOptions,
  type RecordedAlert,
} from './detection.ts';
export {
  authFromKubeconfig,
  startMonitoring,
  type Monitoring,
  type MonitoringAuth,
  type MonitoringOptions,
  type MonitoringSettings,
} from './monitoring.ts';
export {
  checkRules,
  extractPrometheusRule,
  runPromtool,
  testRules,
  type PromtoolResult,
} from './promtool.ts';
export { samplePromql, type PromqlSource } from './promql-source.ts';

/**
 * The alert rules under promtool (Debian's 2.42): unit tests pass, `check rules` passes with lint
 * findings fatal, the PrometheusRule carries the same groups, and a lint finding or a failing unit
 * test does fail these checks.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kPrometheusDir, kRulesFile } from '../../lib/monitoring/config.ts';
import { checkRules, extractPrometheusRule, runPromtool, testRules } from '../../lib/monitoring/promtool.ts';

const kRuleCr = path.join(kPrometheusDir, 'prometheus-rule.yaml');
const kUnitTests = path.join(kPrometheusDir, 'tests', 'rules-test.yaml');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Groups {
  groups: Array<{ name: string; rules: Rule[] }>;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'prom-rules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('alert rules', () => {
  it('pass their promtool unit tests', async () => {
    const r = await testRules([kUnitTests]);
    expect(r.output).toContain('SUCCESS');
    expect(r.ok, r.output).toBe(true);
  });

  it('pass promtool check rules with lint findings fatal, as a plain file and extracted from the PrometheusRule', async () => {
    const extracted = path.join(dir, 'from-cr.yaml');
    extractPrometheusRule(kRuleCr, extracted);
    const r = await checkRules([kRulesFile, extracted]);
    expect(r.ok, r.output).toBe(true);
    expect(r.output.match(/SUCCESS: 7 rules found/g)?.length).toBe(2);
  });

  it('keep the PrometheusRule spec.groups identical to rules.yaml', async () => {
    const plain = parse(await readFile(kRulesFile, 'utf8')) as Groups;
    const cr = parse(await readFile(kRuleCr, 'utf8')) as { apiVersion: string; kind: string; spec: Groups };
    expect(cr.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(cr.kind).toBe('PrometheusRule');
    expect(cr.spec.groups).toEqual(plain.groups);
  });

  it('cover the seven alerts, each with a severity, a summary, a description and a unit test', async () => {
    const plain = parse(await readFile(kRulesFile, 'utf8')) as Groups;
    const rules = plain.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual([
      'HighErrorRate',
      'HighLatencyP95',
      'TargetDown',
      'PodCrashLooping',
      'DeploymentReplicasMismatch',
      'HpaMaxedOut',
      'NodeNotReady',
    ]);
    const tests = parse(await readFile(kUnitTests, 'utf8')) as {
      tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const firingTested = new Set(
      tests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length).map((a) => a.alertname),
      ),
    );
    for (const r of rules) {
      expect(r.labels?.severity, r.alert).toMatch(/^(critical|warning)$/);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.annotations?.description, r.alert).toBeTruthy();
      expect(firingTested.has(r.alert ?? ''), `${r.alert} has a unit test where it fires`).toBe(true);
    }
  });

  it('fail the check on a lint finding (a duplicate rule), which plain promtool would let pass with exit 0', async () => {
    const plain = parse(await readFile(kRulesFile, 'utf8')) as Groups;
    const first = plain.groups[0]!;
    const dup = path.join(dir, 'duplicate.yaml');
    await writeFile(dup, JSON.stringify({ groups: [{ ...first, rules: [...first.rules, first.rules[0]] }] }));
    const plainRun = await runPromtool(['check', 'rules', dup]);
    expect(plainRun.exitCode).toBe(0);
    expect(plainRun.output).toMatch(/lint error/i);
    const r = await checkRules([dup]);
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBe(3);
    expect(r.output).toMatch(/lint error.*duplicate/is);
  });

  it('fail the check on an invalid expression, and the unit tests on a wrong expectation', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(
      bad,
      JSON.stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'rate(x[1m]' }] }] }),
    );
    const check = await checkRules([bad]);
    expect(check.ok).toBe(false);
    expect(check.exitCode).toBe(1);

    const wrong = path.join(dir, 'wrong-test.yaml');
    await writeFile(
      wrong,
      JSON.stringify({
        rule_files: [kRulesFile],
        evaluation_interval: '15s',
        tests: [
          {
            interval: '15s',
            input_series: [
              {
                series:
                  'kube_node_status_condition{job="kube-state-metrics",node="n",condition="Ready",status="true"}',
                values: '1x10',
              },
              { series: 'kube_node_spec_unschedulable{job="kube-state-metrics",node="n"}', values: '0x10' },
            ],
            alert_rule_test: [
              {
                eval_time: '1m',
                alertname: 'NodeNotReady',
                exp_alerts: [{ exp_labels: { severity: 'warning', node: 'n' } }],
              },
            ],
          },
        ],
      }),
    );
    const t = await testRules([wrong]);
    expect(t.ok).toBe(false);
    expect(t.output).toContain('FAILED');
  });
});

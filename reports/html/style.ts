/** The report's stylesheet: readable on screen, and charts kept whole and tables legible in print. */
export const CSS = `
:root { color-scheme: light; --fg: #1b1b1b; --muted: #5c5c5c; --line: #d9d9d9; --bg-alt: #f6f7f8;
  --pass: #1a7f37; --pass-bg: #e7f5ea; --fail: #b2182b; --fail-bg: #fdecee; --inc: #8a5300; --inc-bg: #fff3df;
  --fault: #d55e00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
  color: var(--fg); background: #fff; }
main, header, nav, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 1.6rem; margin: 0.1em 0 0.2em; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 1.8em 0 0.5em; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.02rem; margin: 1.2em 0 0.3em; }
code { font: 0.9em ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
a { color: #0b5cad; }
.outcome { display: inline-block; margin: 0; padding: 2px 12px; border-radius: 4px; font-weight: 700;
  letter-spacing: 0.04em; border: 2px solid currentColor; }
.outcome.pass { color: var(--pass); background: var(--pass-bg); }
.outcome.fail { color: var(--fail); background: var(--fail-bg); }
.outcome.invalid { color: var(--inc); background: var(--inc-bg); }
.desc { margin: 0 0 0.6em; color: var(--muted); }
.facts { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 0.4em 0; }
.facts div { min-width: 0; }
.facts dt { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.notice { border-left: 4px solid var(--inc); background: var(--inc-bg); padding: 8px 12px; margin: 10px 0; }
nav { margin-top: 8px; font-size: 0.92rem; }
nav a { margin-right: 14px; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em; font-size: 0.93rem; }
caption { text-align: left; color: var(--muted); font-size: 0.85rem; padding-bottom: 4px; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { background: var(--bg-alt); font-weight: 600; }
td { overflow-wrap: anywhere; }
/* Short columns stay on one line; the last column (a cause, a message) takes the wrapping. */
table[id^="failure-"] :is(td, th):not(:last-child), #event-table :is(td, th):not(:last-child),
#cause-table-0 th { white-space: nowrap; }
/* Names break only where they must: "recovery<10s" split after "10" reads as two things. */
td code { overflow-wrap: break-word; }
tr.row-fail td { background: var(--fail-bg); }
tr.row-inconclusive td { background: var(--inc-bg); }
.badge { display: inline-block; white-space: nowrap; font-weight: 600; padding: 0 6px; border-radius: 3px;
  border: 1px solid currentColor; font-size: 0.85rem; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: var(--fail); background: #fff; }
.badge.inconclusive { color: var(--inc); background: #fff; }
.muted, .note, .omitted { color: var(--muted); }
.note, .omitted { font-size: 0.9rem; }
.omitted { border-left: 3px solid var(--line); padding: 2px 10px; margin: 6px 0; }
.unexplained { color: var(--fail); font-weight: 600; }
.key { font-size: 0.9rem; color: var(--muted); margin: 0.2em 0 0.8em; }
.fault-swatch { display: inline-block; width: 22px; height: 12px; margin-right: 6px; vertical-align: -1px;
  border: 1px solid var(--fault); background: repeating-linear-gradient(135deg, rgba(213,94,0,.12) 0 4px,
  rgba(213,94,0,.35) 4px 5px); }
.ev-swatch { display: inline-block; width: 0; height: 14px; margin: 0 6px 0 4px; vertical-align: -2px;
  border-left: 2px dashed #555; }
.ev { display: inline-block; min-width: 1.8em; text-align: center; border: 1px solid currentColor;
  border-radius: 3px; font-size: 0.82rem; }
.ev-bad { color: var(--fail); } .ev-good { color: var(--pass); } .ev-info { color: #555; }
figure.chart { margin: 0 0 18px; break-inside: avoid; page-break-inside: avoid; }
figure.chart figcaption h3 { margin: 0.6em 0 0; }
figure.chart figcaption p { margin: 0 0 4px; color: var(--muted); font-size: 0.88rem; }
.chart-box { position: relative; height: 260px; width: 100%; }
footer { color: var(--muted); font-size: 0.82rem; padding-top: 16px; padding-bottom: 28px; }
@media print {
  @page { margin: 12mm; }
  body { font-size: 10pt; }
  main, header, nav, footer { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .chart-box { height: 200px; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  tr.row-fail td, tr.row-inconclusive td, .outcome, .badge, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

"""`report.html`: one self-contained page (inline CSS and JS, no external assets) with the verdict
counts, a filter by verdict (buttons, or `#verdict=<name>` in the URL), each case's nested
comparison, and side-by-side request and output diffs (difflib.HtmlDiff tables)."""

from __future__ import annotations

import difflib
import html
import json

from aipack_compat.model.report import VERDICTS, CaseResult, Comparison, Exchange, PathRun, ReplayReport

LABELS = {"equivalent": "equivalent", "request-differs": "request differs", "output-differs": "output differs only", "failed": "failed"}

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#1d1d1f}
h1{font-size:1.4em} h2{font-size:1.1em;margin:0}
.summary{display:flex;gap:.8em;margin:1em 0}
.tile{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;text-align:center}
.tile .count{display:block;font-size:1.6em;font-weight:600}
.filters button{margin-right:.4em;padding:.3em .8em;border:1px solid #888;border-radius:4px;background:#f4f4f4;cursor:pointer}
.filters button.active{background:#1d1d1f;color:#fff}
.case{border:1px solid #ddd;border-radius:6px;margin:1em 0;padding:.8em}
.case[hidden]{display:none}
.badge{display:inline-block;padding:.1em .6em;border-radius:10px;color:#fff;font-size:.85em;margin-left:.6em}
.v-equivalent{background:#2e7d32}.v-request-differs{background:#c62828}.v-output-differs{background:#ef6c00}.v-failed{background:#6a1b9a}
ul.tree{margin:.4em 0;padding-left:1.2em} .pass{color:#2e7d32} .fail{color:#c62828;font-weight:600}
table.fields{border-collapse:collapse;margin:.5em 0} table.fields td,table.fields th{border:1px solid #ddd;padding:.2em .5em;vertical-align:top;font-family:monospace;white-space:pre-wrap}
table.diff{font-family:monospace;border:1px solid #ccc;border-collapse:collapse;width:100%;margin:.4em 0}
table.diff td{padding:0 .3em;vertical-align:top;white-space:pre-wrap;word-break:break-all}
.diff_header{background:#e0e0e0}td.diff_header{text-align:right}.diff_next{background:#c0c0c0}
.diff_add{background:#aaffaa}.diff_chg{background:#ffff77}.diff_sub{background:#ffaaaa}
pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:20em}
"""

SCRIPT = """
(function(){
  function apply(verdict){
    document.querySelectorAll('.case').forEach(function(c){c.hidden = verdict !== 'all' && c.dataset.verdict !== verdict;});
    document.querySelectorAll('.filters button').forEach(function(b){b.classList.toggle('active', b.dataset.filter === verdict);});
    document.getElementById('shown').textContent = document.querySelectorAll('.case:not([hidden])').length;
  }
  document.querySelectorAll('.filters button').forEach(function(b){b.addEventListener('click', function(){apply(b.dataset.filter);});});
  var m = /verdict=([a-z-]+)/.exec(location.hash);
  apply(m ? m[1] : 'all');
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_html(report: ReplayReport) -> str:
    differ = difflib.HtmlDiff(wrapcolumn=90)
    summary = report.summary
    counts = {"equivalent": summary.equivalent, "request-differs": summary.request_differs,
              "output-differs": summary.output_differs, "failed": summary.failed}
    tiles = [f'<div class="tile"><span class="count" id="count-total" data-verdict="total">{summary.total}</span>total</div>']
    tiles += [
        f'<div class="tile"><span class="count" id="count-{v}" data-verdict="{v}">{counts[v]}</span>{LABELS[v]}</div>' for v in VERDICTS
    ]
    buttons = ['<button data-filter="all">all</button>'] + [f'<button data-filter="{v}">{LABELS[v]}</button>' for v in VERDICTS]
    aip = report.aip
    head = (
        f"<p>source <code>{_e(report.settings.source)}</code> · Ollama <code>{_e(report.settings.ollama_url)}</code>"
        f"{' · <strong>offline re-check from cassettes</strong>' if report.settings.offline else ''}<br>"
        f"aip <code>{_e(aip.path or 'not found')}</code> {_e(aip.version or '?')} · wire era declared {_e(aip.declared_era)},"
        f" observed {_e(aip.observed_era)} · {_e(report.created_at)} · aipack-compat {_e(report.tool_version)}</p>"
    )
    body = "\n".join(_case(case, differ) for case in report.cases)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>aipack-compat replay report</title>"
        f"<style>{STYLE}</style></head><body>\n"
        "<h1>Replay: old path (aip) vs new path (executor)</h1>\n"
        f"{head}\n<div class=\"summary\">{''.join(tiles)}</div>\n"
        f"<div class=\"filters\">{''.join(buttons)} <span><span id=\"shown\">{summary.total}</span> shown</span></div>\n"
        f"{body}\n<script>{SCRIPT}</script>\n</body></html>\n"
    )


def _case(case: CaseResult, differ: difflib.HtmlDiff) -> str:
    parts = [
        f'<section class="case" data-verdict="{case.verdict}" id="case-{_e(case.case_id)}">',
        f'<h2>{_e(case.case_id)}<span class="badge v-{case.verdict}">{LABELS[case.verdict]}</span></h2>',
        f"<p>{_e(case.reason)}</p>",
    ]
    if case.comparison is not None:
        parts.append(f'<ul class="tree">{_tree(case.comparison)}</ul>')
        parts.append(_field_table(case.comparison))
    open_attr = "" if case.verdict == "equivalent" else " open"
    for number, pair in enumerate(case.pairs):
        old = case.old.exchanges[pair.old] if pair.old is not None else None
        new = case.new.exchanges[pair.new] if pair.new is not None else None
        parts.append(f"<details{open_attr}><summary>request {number}: side by side</summary>")
        parts.append(differ.make_table(_request_lines(old), _request_lines(new), "old (aip)", "new (executor)"))
        parts.append(differ.make_table(_output_lines(old), _output_lines(new), "old output", "new output"))
        parts.append("</details>")
    parts.append(_process("old path (aip)", case.old))
    parts.append(_process("new path (executor)", case.new))
    parts.append("</section>")
    return "\n".join(parts)


def _tree(node: Comparison) -> str:
    css = "pass" if node.passed else "fail"
    score = f" (score {node.score:.3f})" if node.score is not None else ""
    children = "".join(_tree(child) for child in node.components)
    inner = f'<ul class="tree">{children}</ul>' if children else ""
    return f'<li><span class="{css}">{_e(node.name)}</span>: {_e(node.reason)}{score}{inner}</li>'


def _field_table(node: Comparison) -> str:
    rows: list[str] = []

    def walk(item: Comparison) -> None:
        if not item.passed:
            rows.extend(
                f"<tr><td>{_e(item.name)}</td><td>{_e(d.field)}</td><td>{_e(d.old if d.old is not None else '(absent)')}</td>"
                f"<td>{_e(d.new if d.new is not None else '(absent)')}</td></tr>"
                for d in item.differences
            )
        for child in item.components:
            walk(child)

    walk(node)
    if not rows:
        return ""
    return '<table class="fields"><tr><th>check</th><th>field</th><th>old (aip)</th><th>new (executor)</th></tr>' + "".join(rows) + "</table>"


def head_lines(exchange: Exchange) -> list[str]:
    """The request headers as sent, minus the framing that always differs (`host`, `content-length`),
    so a header the wire check flags is visible in the side-by-side view. Bodies keep their key order."""
    return [f"{name}: {value}" for name, value in exchange.request_headers if name not in ("host", "content-length")]


def _request_lines(exchange: Exchange | None) -> list[str]:
    if exchange is None:
        return ["(no request)"]
    try:
        body = json.dumps(json.loads(exchange.request_body), indent=2, ensure_ascii=False)
    except ValueError:
        body = exchange.request_body
    return [f"{exchange.method} {exchange.path}", *head_lines(exchange), "", *body.splitlines()]


def _output_lines(exchange: Exchange | None) -> list[str]:
    if exchange is None:
        return ["(no response)"]
    if exchange.error:
        return [f"(proxy error) {exchange.error}"]
    try:
        data = json.loads(exchange.response_body)
        message = data.get("message") or ((data.get("choices") or [{}])[0].get("message")) or {}
        content = message.get("content")
        text = content if isinstance(content, str) else exchange.response_body
    except (ValueError, AttributeError, IndexError):
        text = exchange.response_body
    return [f"status {exchange.status}", *text.splitlines()]


def _process(title: str, run: PathRun) -> str:
    failure = f"<p class=\"fail\">{_e(run.failure.kind)}: {_e(run.failure.message)}</p>" if run.failure else ""
    command = " ".join(run.command)
    files = ", ".join(f.path for f in run.files_written) or "none"
    return (
        f"<details><summary>{_e(title)}: exit {_e(run.exit_code)}, {len(run.exchanges)} request(s), {run.duration_seconds:.2f} s</summary>"
        f"{failure}<p>command <code>{_e(command)}</code> · files written: {_e(files)}</p>"
        f"<pre>{_e(run.stdout[-4000:])}</pre><pre>{_e(run.stderr[-4000:])}</pre></details>"
    )

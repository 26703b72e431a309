"""Real agents from ../shared/corpus, run in place through the Lua stage runtime.

The agent files and their `lua/` modules are read where they are (never copied); inputs and the
files they write live in a tmp workspace. Stages that would call the model get a synthetic
`ai_response`, except in the real-model test. The conformance test runs one agent through the
real `aip` binary and through our runtime and compares outputs and files written.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from aipack_compat.load.agent import parse_agent
from aipack_compat.lua.stage_context import StageContext
from aipack_compat.lua.stages import StageRunner
from aipack_compat.lua.support import canonical_name, unsupported_calls
from aipack_compat.model.job import AgentSpec, SourceLocation, StageCode
from aipack_compat.template import render
from tests.support.corpus_lua import agent_lua_sources

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO / "../shared/corpus").resolve()


def corpus_agent(relative: str) -> Path:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus file absent: {path}")
    return path


def load_spec(path: Path, aip_version: str = "0.8.37") -> AgentSpec:
    document = parse_agent(str(path), path.read_text(encoding="utf-8"), aip_version)
    stages = [
        StageCode(stage=name, code=stage.code, source=SourceLocation(path=str(path), line=stage.first_code_line))
        for name, stage in document.stages.items()
    ]
    return AgentSpec(name=path.stem, source=SourceLocation(path=str(path)), stages=stages)


def runner_for(path: Path, workspace: Path, aip_version: str = "0.8.37", **fields: Any) -> StageRunner:
    context = StageContext(
        workspace_dir=str(workspace), agent_file_path=str(path), options={"model": "smollm2:135m"},
        aip_version=aip_version, base_aipack_dir=str(workspace / ".aipack-base"), **fields,
    )
    return StageRunner(load_spec(path, aip_version), context)


def run_all_stages(runner: StageRunner, inputs: list[Any] | None, ai_text: str | None) -> tuple[list[Any], Any]:
    """Drive the stages the way aip's run loop does (0.7.17+ task rule), with a fixed AI answer."""
    before = runner.before_all(inputs)
    if before.skip:
        return [], None
    task_inputs = before.inputs if before.inputs is not None else inputs
    outputs: list[Any] = []
    for task_num, task_input in enumerate(task_inputs or [None], 1):
        data = runner.data(task_input, before.before_all, task_num)
        if data.skip:
            outputs.append(None)
            continue
        ai_response = None if ai_text is None else {"content": ai_text, "info": "synthetic", "model_name": "m"}
        outputs.append(runner.output(data.input, data.data, before.before_all, ai_response, task_num))
    return outputs, runner.after_all(task_inputs, outputs, before.before_all)


def test_hello_world_data_and_output(tmp_path: Path) -> None:
    agent = corpus_agent("aipack-ai__packs-lab/lab/hello-world/hello-world.aip")
    runner = runner_for(agent, tmp_path)
    outputs, after_all = run_all_stages(runner, ["My name is Jen", "I am Jon"], "Hello there!")
    assert outputs == ["My name is Jen", "I am Jon"] and after_all is None
    answers = (tmp_path / "_data-hello-world" / "answers.md").read_text()
    assert answers == "Hello there!\n\n----\n\n" * 2
    prints = [payload for kind, payload in runner.events if kind == "print"]
    assert prints[0] == '\ndebug print data: {\n  some_data = "My name is Jen"\n}\n'
    # No input at all: the Data stage's own default.
    assert run_all_stages(runner_for(agent, tmp_path), None, None)[0] == ["My name is John"]


def test_fetch_issue_every_stage_with_a_stub_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = corpus_agent("jeremychone__rust-genai/dev/agents/fetch-issue.aip")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    for issue in ("212", "214"):
        (bin_dir / f"issue-{issue}.json").write_text(json.dumps({
            "title": "Streaming breaks on Ollama", "url": f"https://x/issues/{issue}", "body": "Steps\n\n",
            "author": {"login": "jen"}, "createdAt": "2025-01-02", "labels": [{"name": "bug"}],
            "comments": [{"author": {"login": "jon"}, "createdAt": "2025-01-03", "body": "Same here."}],
        }))
    # `gh issue view <id> --json ...` -> the canned issue for <id>
    gh.write_text('#!/bin/sh\ncat "$(dirname "$0")/issue-$3.json"\n')
    gh.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    runner = runner_for(agent, workspace)
    outputs, after_all = run_all_stages(runner, ["wb-one:212, 214"], None)
    assert [o["issue_id"] for o in outputs] == ["212", "214"]
    saved = workspace / ".workbench" / "wb-one" / "data" / "issue-212-description-streaming-breaks-on.md"
    assert saved.read_text() == (
        "# Issue 212 - Streaming breaks on Ollama\nlabels: bug\nurl: https://x/issues/212\nauthor: jen\n"
        "time: 2025-01-02\n\n---\n**Description:**\n\nSteps\n\n---\n**Comment from jon at 2025-01-03 **\n\nSame here.\n"
    )
    assert after_all is None
    pins = [payload for kind, payload in runner.events if kind == "run_pin"]
    assert pins[-1]["content"]["content"].splitlines()[0] == "Issue 212"
    with pytest.raises(Exception, match="Invalid input format"):
        runner_for(agent, workspace).before_all(["no-colon"])


def test_jc_coder_main_in_its_0_7_era(tmp_path: Path) -> None:
    """packs-jc `coder/main.aip` (aipack.* globals, require of the pack's lua/ modules)."""
    agent = corpus_agent("aipack-ai__packs-jc/coder/main.aip")
    pack = {"namespace": "jc", "name": "coder", "dir": str(agent.parent)}

    def runner() -> StageRunner:
        return runner_for(agent, tmp_path, aip_version="0.7.10", pack=pack, allow_commands=False)

    first = runner().before_all(None)
    assert (first.skip, first.skip_reason) == (True, "Empty instruction - Start writing and do a Redo.")
    prompt = tmp_path / ".aipack" / ".prompt" / "jc@coder" / "coder-prompt.md"
    assert prompt.is_file()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.rs").write_text("fn main() {}\n")
    prompt.write_text('```toml\n#!meta\nbase_dir = "src"\nmodel = "smollm2:135m"\n```\n\nAdd a greeting.\n')
    answer = "Here it is.\n\n````rs\n// file: main.rs\nfn main() { println!(\"hi\"); }\n````\n"
    outputs, _ = run_all_stages(runner(), None, answer)
    assert outputs == [None]  # the Output stage returns nothing
    assert (tmp_path / "src" / "main.rs").read_text() == 'fn main() { println!("hi"); }\n'
    assert "Here it is." in prompt.read_text()


@pytest.mark.llm
def test_hello_world_against_the_real_model(tmp_path: Path, ollama_backend: str) -> None:
    """Data -> the agent's own Instruction rendered -> the real model -> Output, twice (same text)."""
    agent = corpus_agent("aipack-ai__packs-lab/lab/hello-world/hello-world.aip")
    document = parse_agent(str(agent), agent.read_text(encoding="utf-8"))
    answers: list[str] = []
    for _ in range(2):
        runner = runner_for(agent, tmp_path)
        data = runner.data("I am Jon", None, 1)
        messages = [
            {"role": part.role, "content": render(part.template, {"input": data.input, "data": data.data, "before_all": None})}
            for part in document.prompt_parts
        ]
        assert messages and "I am Jon" in messages[0]["content"]
        body = {"model": "smollm2:135m", "stream": False, "messages": messages, "options": {"temperature": 0.0, "num_predict": 16}}
        reply = httpx.post(ollama_backend + "/api/chat", json=body, timeout=120).json()
        content = reply["message"]["content"]
        assert content
        assert runner.output(data.input, data.data, None, {"content": content, "info": "real"}, 1) == "I am Jon"
        answers.append(content)
    assert answers[0] == answers[1]
    assert (tmp_path / "_data-hello-world" / "answers.md").read_text() == "".join(f"{a}\n\n----\n\n" for a in answers)


CONFORMANCE_AGENT = """# Options

```toml
model = "smollm2:135m"
```

# Before All

```lua
local list = {}
for _, s in ipairs(inputs) do table.insert(list, aip.text.trim(s)) end
return aip.flow.before_all_response({inputs = list, before_all = {count = #list}})
```

# Data

```lua
if input == "skip" then return aip.flow.skip("asked") end
local first, rest = aip.text.split_first(input, "-")
return {upper = string.upper(first), rest = rest, n = before_all.count}
```

# Output

```lua
local info = aip.file.save("out/" .. input .. ".txt", data.upper .. "|" .. value_or(data.rest, "none") .. "\\n")
aip.file.append("out/log.md", "- " .. input .. "\\n")
return {name = input, saved = info.name, n = data.n}
```

# After All

```lua
local lines = {}
for i, o in ipairs(outputs) do
  if is_null(o) then table.insert(lines, i .. ": skipped") else table.insert(lines, i .. ": " .. o.name .. " " .. o.saved .. " " .. o.n) end
end
aip.file.save("out/summary.txt", table.concat(lines, "\\n"))
aip.file.save("out/after_all.json", aip.json.stringify({inputs = inputs, lines = lines}))
return lines
```
"""


def _tree(root: Path) -> dict[str, Any]:
    """Files under root; JSON files parsed, because object key order follows the Lua state's hash
    seed (random per state in aip too)."""
    files: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            text = path.read_text()
            files[str(path.relative_to(root))] = json.loads(text) if path.suffix == ".json" else text
    return files


@pytest.mark.aip
def test_conformance_with_the_real_aip(tmp_path: Path) -> None:
    """The same agent and inputs through `aip run` and through our runtime: same files written.

    The agent has no prompt part, so neither side sends a request (aip prints "No instruction,
    skipping genai"); the request side of conformance is covered by the replay tests.
    """
    aip = shutil.which("aip")
    if aip is None:
        pytest.skip("the real `aip` binary is not installed")
    inputs = [" a-1 ", "skip", "b"]
    real_ws, our_ws, home = tmp_path / "real", tmp_path / "ours", tmp_path / "home"
    for directory in (real_ws, our_ws, home):
        directory.mkdir()
    (real_ws / "agent.aip").write_text(CONFORMANCE_AGENT)
    (our_ws / "agent.aip").write_text(CONFORMANCE_AGENT)
    argv = [aip, "run", "agent.aip", "--ni"] + [arg for value in inputs for arg in ("-i", value)]
    done = subprocess.run(argv, cwd=real_ws, capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(home)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No instruction, skipping genai" in done.stdout + done.stderr
    version = subprocess.run([aip, "--version"], capture_output=True, text=True).stdout.split()[-1]
    runner = runner_for(our_ws / "agent.aip", our_ws, aip_version=version)
    outputs, after_all = run_all_stages(runner, inputs, None)
    assert after_all == ["1: a-1 a-1.txt 3", "2: skipped", "3: b b.txt 3"]
    assert outputs[1] is None
    ours, real = _tree(our_ws / "out"), _tree(real_ws / "out")
    # aip runs tasks as concurrent futures: appends from different tasks land in completion order.
    for tree in (ours, real):
        tree["log.md"] = sorted(tree["log.md"].splitlines())
    assert ours == real


# -- API breadth: how many corpus agents' Lua the runtime covers, and the newly covered APIs on real agents

def _agent_lua_sources(agent: Path) -> list[str]:
    return agent_lua_sources(agent, CORPUS)


def corpus_agents_missing_calls() -> dict[str, set[str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip("corpus manifest absent")
    missing: dict[str, set[str]] = {}
    for row in csv.DictReader(manifest.open(encoding="utf-8"), delimiter="\t"):
        agent = CORPUS / row["repo"].replace("/", "__") / row["path"]
        if row["kind"] != "agent" or not agent.is_file():
            continue
        calls = {canonical_name(call.name) for code in _agent_lua_sources(agent) for call in unsupported_calls(code)}
        missing[f"{row['repo']}/{row['path']}"] = calls
    return missing


def test_corpus_agents_whose_lua_is_fully_supported() -> None:
    missing = corpus_agents_missing_calls()
    covered = sorted(name for name, calls in missing.items() if not calls)
    # 19 of 45 before aip.web.parse_url/resolve_href, aip.agent.extract_options, aip.hash and aip.file.hash_*,
    # aip.time, aip.md.extract_refs; 30 after; 37 once the executor supplies aip.agent.run; 43 with
    # aip.web.get/post, aip.html.* and aip.file.save_html_to_*; 45 with aip.udiffx.* and aip.file.save_changes.
    assert len(missing) >= 45 and len(covered) >= 45, sorted((name, sorted(calls)) for name, calls in missing.items() if calls)
    assert set().union(*missing.values()) == set()


def test_html_optimizer_fetches_slims_and_converts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """packs-lab `html-optimizer.aip`: aip.web.get -> save -> save_html_to_slim -> save_html_to_md -> Output.

    Its URL is on the internet; the transport (`ports/reqwest.send`, exercised against a loopback server in
    tests/unit/lua/api/test_web_requests.py) is replaced by a canned page so the test stays offline.
    """
    from aipack_compat.lua.ports import reqwest

    agent = corpus_agent("aipack-ai__packs-lab/lab/hello-world/html-optimizer.aip")
    page = (b"<!DOCTYPE html><html><head><title>Token API</title><script>x()</script></head><body>"
            b"<nav><a href='/'>Home</a></nav><h1>Quickstart</h1><p>Call <code>getTokens</code> first.</p>"
            b"<pre><code class='language-json'>{\"id\": 1}</code></pre></body></html>")
    requested: list[str] = []

    def canned(method: str, url: str, body: bytes | None, headers: list[tuple[str, str]], limit: int) -> Any:
        requested.append(url)
        assert ("User-Agent", "aipack") in headers
        return reqwest.Reply(200, url, [("Content-Type", "text/html; charset=utf-8")], page)

    monkeypatch.setattr(reqwest, "send", canned)
    runner = runner_for(agent, tmp_path)
    outputs, _ = run_all_stages(runner, None, "# Quickstart\n\nclean")
    assert requested == ["https://www.alchemy.com/docs/reference/token-api-quickstart"]
    data_dir = tmp_path / "_data-html-optimizer"
    slim = (data_dir / "token-api-quickstart-slim.html").read_text()
    assert "<script" not in slim and '<a href="/">Home</a>' in slim
    markdown = (data_dir / "token-api-quickstart-slim.md").read_text()
    assert markdown == "[Home](/)\n\n# Quickstart\n\nCall `getTokens` first.\n\n```json\n{\"id\": 1}\n```"
    assert outputs == ["_data-html-optimizer/token-api-quickstart-slim.md"]
    assert (data_dir / "token-api-quickstart-clean.md").read_text() == "# Quickstart\n\nclean"


def test_ask_agent_takes_its_options_from_the_prompt_meta(tmp_path: Path) -> None:
    agent = corpus_agent("aipack-ai__packs-lab/lab/ask/ask.aip")
    prompt = tmp_path / ".aipack" / ".prompt" / "ask-prompt.md"
    first = runner_for(agent, tmp_path).data(None, None, 1)
    assert first.skip and prompt.is_file()
    prompt.write_text('```toml\n#!meta\nmodel = "smollm2:135m"\ntemperature = 0.2\nnote = "x"\n```\n\nWhy?\n\n====\n> info\nold\n')
    data = runner_for(agent, tmp_path).data(None, None, 1)
    assert data.options == {"model": "smollm2:135m", "temperature": 0.2}
    assert data.data["prompt"].strip() == "Why?" and data.data["second_part"] == "old\n"


def test_llms_index_agent_resolves_and_parses_urls(tmp_path: Path) -> None:
    agent = corpus_agent("aipack-ai__packs-lab/lab/ako/llms-index.aip")
    sources = _agent_lua_sources(agent)
    assert any("aip.web.parse_url" in code for code in sources)
    assert all(not unsupported_calls(code) for code in sources)


CONFORMANCE_API_AGENT = r"""# Data

```lua
local urls = {"https://User:Pw@Example.COM:443/a/./b/../c d?x=1&y=a+b&x=2#frag", "http://example.com", "HTTP://ex.com:8080?q",
              "mailto:me@x.org", "file:///tmp/a b.txt", "https://ex.com//double//slash/"}
local parsed = {}
for i, u in ipairs(urls) do parsed[i] = aip.web.parse_url(u) end
local base = "https://example.com/docs/path/index.html?z=1#t"
local resolved = {}
for i, h in ipairs({"sub/page.html", "/other/x.txt", "//cdn.com/a.js", "../up", "?q=2", "#f", "https://Abs.com/X", "javascript:void(0)", "./a b"}) do
  resolved[i] = aip.web.resolve_href(h, base)
end
local hashes = {}
for _, a in ipairs({"sha256", "sha512", "blake3"}) do
  for _, s in ipairs({"", "_b58", "_b64", "_b64u"}) do
    hashes[a .. s] = aip.hash[a .. s]("héllo world")
    hashes["file_" .. a .. s] = aip.file["hash_" .. a .. (s == "_b58" and "_b58u" or s)]("data.txt")
  end
end
return {
  parsed = parsed, resolved = resolved, hashes = hashes,
  options = aip.agent.extract_options({model = "m", temperature = 0.5, input_concurrency = 3, other = 1}),
  refs = aip.md.extract_refs("See [a](https://x.com) and ![img](p.png) `[no](x)` [](#anchor)\n```\n[in](code)\n```\n[b](//cdn/x)"),
  toml = aip.toml.parse('n = 3\ndt = 1979-05-27T07:32:00Z\n[owner]\nname = "Tom"\n[[items]]\nid = 1\n'),
  toml_out = aip.toml.stringify({owner = {name = 'q"uote', sub = {k = true}}}),
  yaml = aip.yaml.parse("a: 1\nb: [x, y]\nc:\n  d: null\n  e: 'yes'\n---\n- 1\n- two\n"),
  yaml_out = aip.yaml.stringify({list = {1, "two", true, "yes", "123", ""}}),
  v7ms = aip.uuid.to_time_epoch_ms("01a20efd-fb72-7415-bfac-527372300d00"),
  v1ms = aip.uuid.to_time_epoch_ms("c232ab00-9414-11ec-b3c8-9f6bdeced846"),
  iso_local = aip.time.now_iso_local():gsub("%d", "0"), today = aip.time.today_utc():gsub("%d", "0"):gsub("^%a+", "Day"),
}
```

# Output

```lua
aip.file.save("out.json", aip.json.stringify(data))
return "ok"
```
"""


@pytest.mark.aip
def test_api_breadth_conformance_with_the_real_aip(tmp_path: Path) -> None:
    """The newly supported deterministic functions give exactly aip's values (JSON compared)."""
    aip = shutil.which("aip") or str(Path.home() / ".cargo" / "bin" / "aip")
    if not Path(aip).is_file():
        pytest.skip("the real `aip` binary is not installed")
    real_ws, our_ws, home = tmp_path / "real", tmp_path / "ours", tmp_path / "home"
    for directory in (real_ws, our_ws, home):
        directory.mkdir()
        (directory / "agent.aip").write_text(CONFORMANCE_API_AGENT)
        (directory / "data.txt").write_bytes(b"hello\nworld\n" * 200)
    done = subprocess.run([aip, "run", "agent.aip", "--ni"], cwd=real_ws, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HOME": str(home)})
    assert done.returncode == 0 and (real_ws / "out.json").is_file(), done.stdout + done.stderr
    version = subprocess.run([aip, "--version"], capture_output=True, text=True).stdout.split()[-1]
    ours = runner_for(our_ws / "agent.aip", our_ws, aip_version=version).data(None, None, 1).data
    assert ours == json.loads((real_ws / "out.json").read_text())

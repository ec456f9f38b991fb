#!/usr/bin/env bash
# Installs the Debian packages boxloop needs, by profile, so that `make demo` does not wait for
# what only the tests or the benchmarks use:
#   setup-deps.sh demo    build the boxloop binary and the page (the default)
#   setup-deps.sh test    + Chromium for the browser tests, PostgreSQL for the store's server tests
#   setup-deps.sh bench   + what the benchmarks compare against (Python torch, wrk)
# Idempotent: exits at once when every package of the profile is already installed.
set -euo pipefail

profile="${1:-demo}"
# OpenCV: only the three modules boxloop uses (libopencv-dev would add the other 16 modules with
# VTK, FFmpeg and Qt development files: about 80 more packages). CMakeLists.txt finds them without
# OpenCV's CMake package, which only libopencv-dev ships.
packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libsqlite3-dev nlohmann-json3-dev libcpp-httplib-dev
  libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libssl-dev libzip-dev libpugixml-dev
  libpqxx-dev
)
case "$profile" in
  demo) ;;
  # The detector test compares with OpenCV's ONNX importer (dnn); the store's PostgreSQL tests
  # start their own server from Debian's binaries (they skip without them).
  test) packages+=(chromium libopencv-dnn-dev postgresql) ;;
  bench) packages+=(chromium libopencv-dnn-dev python3-torch python3-torchvision python3-opencv wrk curl) ;;
  *) echo "setup-deps.sh: unknown profile '$profile' (demo, test or bench)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The page's build tools (Vite 7, ESLint 10) need Node.js 20.19 or later; Debian 12's own nodejs is
# 18.19. Said plainly here rather than as a syntax error from deep inside Vite.
check_node() {
  local version major minor
  version="$(node --version 2>/dev/null || true)"
  version="${version#v}"
  major="${version%%.*}"
  minor="${version#*.}"
  minor="${minor%%.*}"
  if [ -z "$version" ] || [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    echo "setup-deps.sh: the page needs Node.js 20.19 or later (Vite 7), found '${version:-none}'." >&2
    echo "Debian 12's nodejs package is 18; install Node.js 20 or 22 (with its npm) first." >&2
    exit 1
  fi
}

check_node
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages ($profile): ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# unsafe-io: dpkg skips its fsync per unpacked file, which is most of the install time of ~240
# packages on a slow disk; a machine that crashes mid-install reruns this script.
$SUDO apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io \
  "${missing[@]}"

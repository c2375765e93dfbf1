#!/usr/bin/env bash
# Build the standalone one-folder app with PyInstaller: <distpath>/mlpviz/mlpviz.
#
# usage: packaging/build.sh [--venv DIR] [--distpath DIR] [--workpath DIR] [--clean]
#                           [-- EXTRA PYINSTALLER ARGS]
#
#   By default it uses the current Python ($PYTHON, else python3), which must already
#   have mlpviz's dependencies and PyInstaller (pip install '.[package]').
#   --venv DIR    create DIR as a virtual environment if it does not exist, install
#                 '.[package]' into it, and build with it
#   --distpath    where the app goes (default: dist, so the app is dist/mlpviz/)
#   --workpath    PyInstaller's scratch folder (default: build/pyinstaller)
#   --clean       empty PyInstaller's cache and scratch folder first
# Prints the bundle's size at the end.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
py=${PYTHON:-python3}
venv=""
distpath="$repo/dist"
workpath="$repo/build/pyinstaller"
extra=()

die() { echo "build.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --venv) [ $# -ge 2 ] || die "--venv needs a folder"; venv=$2; shift 2 ;;
    --distpath) [ $# -ge 2 ] || die "--distpath needs a folder"; distpath=$2; shift 2 ;;
    --workpath) [ $# -ge 2 ] || die "--workpath needs a folder"; workpath=$2; shift 2 ;;
    --clean) extra+=(--clean); shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    --) shift; extra+=("$@"); break ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

if [ -n "$venv" ]; then
  if [ ! -x "$venv/bin/python" ]; then
    echo "== creating build environment $venv"
    "$py" -m venv "$venv"
  fi
  py="$venv/bin/python"
  echo "== installing mlpviz and PyInstaller into $venv"
  "$py" -m pip install -q --upgrade pip
  "$py" -m pip install -q "$repo[package]"
fi

"$py" -c "import PyInstaller" 2>/dev/null \
  || die "PyInstaller is not installed for $py; run: $py -m pip install '.[package]' (or use --venv DIR)"

echo "== PyInstaller $("$py" -m PyInstaller --version) with $("$py" --version)"
start=$(date +%s)
"$py" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$distpath" --workpath "$workpath" ${extra[@]+"${extra[@]}"} \
  "$repo/packaging/mlpviz.spec"
end=$(date +%s)

app="$distpath/mlpviz"
[ -x "$app/mlpviz" ] || [ -x "$app/mlpviz.exe" ] || die "no executable in $app"
echo "== built $app in $((end - start)) s"
echo "bundle size: $(du -sh "$app" | cut -f1) ($(find "$app" -type f | wc -l) files)"

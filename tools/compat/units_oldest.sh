#!/usr/bin/env bash
# `ansible-test units` on the oldest ansible-core the collection supports (meta/runtime.yml's
# requires_ansible), so the unit tests and the in-process module runs they make keep working there,
# not only on the ansible-core of the main virtualenv. It refuses to run when requires_ansible names
# another oldest release than the ansible_core pin below.
#   1. build/compat/venv-<major.minor>: ansible-core pinned below plus requirements.txt, built only
#      when missing or when the pin, requirements.txt or Python changed; ansible-test's offline pip
#      bootstrap stand-in installed as `make venv` does;
#   2. the collection staged in build/compat/stage, apart from the stage of the other make targets;
#   3. ansible-test units --venv: ansible-test makes its own virtualenv and installs its unit test
#      requirements and tests/unit/requirements.txt there itself (no --requirements needed), and
#      runs pytest-xdist with one worker per core (-n auto); that virtualenv is kept between runs.
# Prints the seconds taken; exits with ansible-test's status.
set -euo pipefail
ansible_core=2.16.19
top=$(cd "$(dirname "$0")/../.." && pwd)
compat=$top/build/compat
venv=$compat/venv-${ansible_core%.*}
stage=$compat/stage/ansible_collections/opsforge/delivery
# ansible-test's own virtualenv lives in the stage (tests/output), which staging empties: it waits here.
kept_delegation=$compat/delegation-${ansible_core%.*}
python_version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
pins="ansible-core==$ansible_core python$python_version requirements.txt:$(sha256sum "$top/requirements.txt" | cut -d' ' -f1)"
SECONDS=0

oldest=$(sed -n 's/^requires_ansible: *">=\([0-9]*\.[0-9]*\).*/\1/p' "$top/meta/runtime.yml")
if [ "$oldest" != "${ansible_core%.*}" ]; then
  echo "meta/runtime.yml requires ansible-core $oldest or later: set ansible_core in $0 to its newest $oldest.x" >&2
  exit 1
fi

if [ ! -x "$venv/bin/ansible-test" ] || [ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]; then
  echo "building $venv ($pins)"
  rm -rf "$venv" "$kept_delegation" "$compat/stage"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/pip" install --quiet --disable-pip-version-check "ansible-core==$ansible_core" -r "$top/requirements.txt"
  echo "$pins" > "$venv/.pins"
fi
"$venv/bin/python" "$top/tools/install_pip_bootstrap.py"

if [ -d "$stage/tests/output/.tmp/delegation" ] && [ ! -e "$kept_delegation" ]; then
  mv "$stage/tests/output/.tmp/delegation" "$kept_delegation"
fi
"$top/tools/stage_collection.sh" "$compat/stage" >/dev/null
if [ -d "$kept_delegation" ]; then
  mkdir -p "$stage/tests/output/.tmp"
  mv "$kept_delegation" "$stage/tests/output/.tmp/delegation"
fi

status=0
(cd "$stage" && "$venv/bin/ansible-test" units --venv --python "$python_version" --color no) || status=$?
echo "ansible-test units on ansible-core $ansible_core, Python $python_version: exit $status in $SECONDS s"
exit $status

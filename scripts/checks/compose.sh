#!/usr/bin/env bash
# Check: docker-compose.yml is valid for Docker's own tooling (Debian's docker-compose, which needs no engine for
# 'config'), every service sample (a samples/ project that listens on a PORT) has a service built from samples/Dockerfile,
# and each sample service sets only environment variables that its sample reads (read from the sample's
# SampleEnvironment calls), so a typo in the file cannot pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v docker-compose >/dev/null || { echo "compose: docker-compose missing: run bash scripts/install-deps.sh" >&2; exit 1; }

normalized=$(mktemp)
trap 'rm -f "$normalized"' EXIT
if ! docker-compose -f docker-compose.yml config > "$normalized" 2> "$normalized.err"; then
  echo "compose: docker-compose.yml is not valid:" >&2; cat "$normalized.err" >&2; rm -f "$normalized.err"; exit 1
fi
rm -f "$normalized.err"

python3 - "$normalized" <<'PY'
import os, re, sys, yaml

config = yaml.safe_load(open(sys.argv[1]))
services = config.get("services", {})
problems = []
built = {}
for name, service in services.items():
    build = service.get("build")
    if not build:
        continue
    dockerfile = os.path.relpath(os.path.join(build.get("context", "."), build.get("dockerfile", "Dockerfile")))
    if not os.path.isfile(dockerfile):
        problems.append(f"{name}: Dockerfile {dockerfile} does not exist")
        continue
    sample_name = (build.get("args") or {}).get("SAMPLE")
    sample = os.path.join("samples", sample_name or "")
    if not sample_name or not os.path.isfile(os.path.join(sample, "Program.cs")):
        problems.append(f"{name}: build arg SAMPLE must name a sample project under samples/ (got {sample_name!r})")
        continue
    built[sample] = name
    program = os.path.join(sample, "Program.cs")
    source = open(program).read()
    reads = set(re.findall(r'SampleEnvironment\.\w+\(\s*"([A-Z0-9_]+)"', source))
    if "SampleEnvironment.ListenAddress()" in source:
        reads.add("LISTEN_ADDRESS")
    env = service.get("environment") or {}
    for key in env:
        if key not in reads:
            problems.append(f"{name}: sets {key}, which {program} does not read (it reads {', '.join(sorted(reads)) or 'nothing'})")
    for key in ("ETCD_ENDPOINTS", "LISTEN_ADDRESS"):
        if key in reads and key not in env:
            problems.append(f"{name}: does not set {key}, which the sample needs in a container")
for entry in sorted(os.listdir("samples")):
    program = os.path.join("samples", entry, "Program.cs")
    if os.path.isfile(program) and 'SampleEnvironment.Port("PORT"' in open(program).read() and os.path.join("samples", entry) not in built:
        problems.append(f"samples/{entry} is a service (it reads PORT) but has no service in docker-compose.yml")
if problems:
    print("compose: " + "\ncompose: ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"compose: ok ({len(services)} services, {len(built)} built from samples, env checked)")
PY

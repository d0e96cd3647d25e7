#!/usr/bin/env bash
# The node agent on a real GPU: discovery with NVML and nvidia-smi compared (count, UUIDs, memory), the metrics page
# of an agent running on NVML, and the in-test kubelet flow (KubeletFlowTest: Register, ListAndWatch,
# GetPreferredAllocation, Allocate, kubelet restart) against the real GPUs. Its output goes into docs/gpu-check.md.
#
# Usage:
#   scripts/gpu-check.sh prepare        build and collect everything into target/gpu-check (needs Maven Central once)
#   scripts/gpu-check.sh run [OUT_DIR]  run the checks (needs the NVIDIA driver, a GPU and a JDK/JRE 17+; no network)
#   scripts/gpu-check.sh [OUT_DIR]      prepare when target/gpu-check is missing, then run
# On a machine without network, run `prepare` elsewhere and bring target/gpu-check along (about 58 MiB: the CLI's fat
# jar, the agent's test classes, AssertJ and JUnit's console launcher). A JDK or JRE 17+ must be there already.
set -uo pipefail
cd "$(dirname "$0")/.."
kit=target/gpu-check
junit_version=1.14.4

prepare() {
  set -e
  ./mvnw -B -ntp -q install -DskipTests
  rm -rf "$kit" && mkdir -p "$kit/lib"
  # The CLI's fat jar holds every module and the in-process API server; the agent's test-jar adds FakeKubelet and
  # KubeletFlowTest; AssertJ and JUnit's console launcher run them.
  cp gantry-cli/target/gantry-cli-*-all.jar gantry-agent/target/gantry-agent-*-tests.jar "$kit/lib/"
  # Smaller for machines with a transfer limit: netty's TLS natives (the agent's gRPC is plaintext over Unix
  # sockets) and BouncyCastle's post-quantum classes are not used here.
  python3 - "$kit"/lib/gantry-cli-*-all.jar <<'PY'
import os, sys, zipfile
src = sys.argv[1]
tmp = src + ".tmp"
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        n = item.filename
        if ("tcnative" in n and n.startswith("META-INF/native/")) or n.startswith("org/bouncycastle/pqc/"):
            continue
        zout.writestr(item, zin.read(n))
os.replace(tmp, src)
PY
  ./mvnw -B -ntp -q -pl gantry-agent dependency:copy-dependencies -DincludeArtifactIds=assertj-core \
    -DincludeScope=test -DoutputDirectory="$PWD/$kit/lib"
  ./mvnw -B -ntp -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_version" \
    -DoutputDirectory="$PWD/$kit"
  set +e
  echo "prepared $kit ($(du -sh "$kit" | cut -f1))"
}

run() {
  out="${1:-target/gpu-check-out}"
  mkdir -p "$out"
  log="$out/gpu-check.log"
  : > "$log"
  status=0
  say() { echo "$@" | tee -a "$log"; }
  step() { say ""; say "== $*"; }
  gantry() { java -cp "$kit/lib/*" io.gantry.cli.GantryCommand "$@"; }

  step "machine"
  { date -u; uname -a; java -version 2>&1 | head -1; nvidia-smi -L; \
    nvidia-smi --query-gpu=driver_version,name,memory.total --format=csv; } 2>&1 | tee -a "$log"

  for backend in nvml nvidia-smi; do
    step "gantry discover --backend $backend"
    gantry discover --backend "$backend" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || { say "FAILED: discovery with $backend"; status=1; }
  done
  step "gantry discover --compare nvml,nvidia-smi (count, UUIDs, memory)"
  gantry discover --compare nvml,nvidia-smi 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || { say "FAILED: the backends disagree"; status=1; }

  step "gantry agent --backend nvml: metrics page, then SIGTERM"
  dp=$(mktemp -d /tmp/gx-dp.XXXX)
  gantry agent --backend nvml --no-api --node-name gpu-check --device-plugin-dir "$dp" \
    --metrics-addr 127.0.0.1:9400 > "$out/agent.log" 2>&1 &
  agent=$!
  for _ in $(seq 1 60); do
    curl -sf http://127.0.0.1:9400/metrics > "$out/metrics.txt" 2>/dev/null && break
    sleep 0.5
  done
  if grep -q '^DCGM_FI_DEV_FB_FREE{' "$out/metrics.txt" 2>/dev/null; then
    grep -E '^(# TYPE|DCGM_FI_DEV_|gantry_gpu_)' "$out/metrics.txt" | tee -a "$log"
  else
    say "FAILED: no DCGM_FI_DEV_FB_FREE on the metrics page"; status=1
  fi
  kill -TERM "$agent"; wait "$agent"
  say "agent exit status after SIGTERM: $?"
  if ls "$dp"/gantry-gpu*.sock >/dev/null 2>&1; then say "FAILED: sockets left in $dp"; status=1; else say "sockets removed"; fi
  tail -n 5 "$out/agent.log" | tee -a "$log"

  step "in-test kubelet flow (KubeletFlowTest) with -Dgantry.agent.test.backend=nvml"
  java -Dgantry.agent.test.backend=nvml -jar "$kit/junit-platform-console-standalone-$junit_version.jar" \
    execute --class-path "$(ls "$kit"/lib/*.jar | tr '\n' ':')" --select-class io.gantry.agent.KubeletFlowTest \
    --details=tree --disable-banner --disable-ansi-colors 2>&1 | grep -v '^\[' | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || { say "FAILED: kubelet flow"; status=1; }

  step "result: $([ $status -eq 0 ] && echo PASSED || echo FAILED)"
  return $status
}

case "${1:-}" in
  prepare) prepare ;;
  run) shift; run "$@" ;;
  *) [ -d "$kit/lib" ] || prepare; run "$@" ;;
esac
